import type { Participant, RecordingState } from '@parley/sdk';
import { dispatchParleyEvent } from '../../events.js';
import type { RoomLike } from '../../room-like.js';
import type { RoomNoticesHost } from './room-notices.js';

/**
 * What `<meeting-room>` does when someone else starts or stops recording: `parley-recording-started` and
 * `parley-recording-stopped` on `element`, and a screen reader announcement (the visible indicator is the
 * element's own). When the server no longer counts this page among the recorders (a host took the permission back),
 * `stopOwn` stops its recording. In the call-ui chunk, which a join awaits. Returns the `recording-changed` listener.
 */
export function recordingEvents(
  element: HTMLElement,
  room: Pick<RoomLike, 'localParticipant' | 'participants'>,
  host: Pick<RoomNoticesHost, 'text' | 'announce'>,
  stopOwn: () => void,
) {
  /** Who was recording, as last told: kept by participant, as one who left is gone from the room by now. */
  let before = new Map<string, Participant>();
  return ({ recorders }: RecordingState): void => {
    const local = room.localParticipant;
    const now = new Map<string, Participant>();
    for (const id of recorders) {
      const participant = before.get(id) ?? (id === local.id ? local : room.participants.get(id));
      if (participant) now.set(id, participant);
    }
    for (const [id, participant] of now) {
      if (before.has(id) || participant.isLocal) continue;
      dispatchParleyEvent(element, 'parley-recording-started', { participant });
      host.announce(host.text().startedRecording(participant.name));
    }
    for (const [id, participant] of before) {
      if (now.has(id)) continue;
      if (participant.isLocal) {
        stopOwn();
        continue;
      }
      dispatchParleyEvent(element, 'parley-recording-stopped', { participant });
      host.announce(host.text().stoppedRecording(participant.name));
    }
    before = now;
  };
}
