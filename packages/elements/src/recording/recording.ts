import type { Room } from '@parley/sdk';
import { dispatchParleyEvent } from '../events.js';
import { LocalRecorder, type Recording } from './local-recorder.js';

/**
 * `<meeting-room>`'s recording, in the chunk fetched the first time someone records: tells the meeting first (the
 * server refuses anyone a host did not allow), so that everyone sees "Recording" before anything is recorded.
 */
export async function startRecording(element: HTMLElement, room: Room): Promise<LocalRecorder> {
  await room.setRecording(true);
  const recorder = new LocalRecorder(room, room.meetingCode ?? '');
  dispatchParleyEvent(element, 'parley-recording-started', { participant: room.localParticipant });
  return recorder;
}

/**
 * Stops, tells the meeting (if still in it), fires `parley-recording-stopped` with the file and, unless a listener
 * cancelled it, saves the file as a download.
 */
export async function stopRecording(element: HTMLElement, room: Room, recorder: LocalRecorder): Promise<Recording> {
  const recording = await recorder.stop();
  if (room.inMeeting) await room.setRecording(false);
  const detail = { participant: room.localParticipant, ...recording };
  if (dispatchParleyEvent(element, 'parley-recording-stopped', detail, { cancelable: true })) save(recording);
  return recording;
}

function save({ blob, fileName }: Recording): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  // The download has its own copy by then.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
