import type { RecordingState } from '@parley/protocol';
import type { Member } from './presence.js';

/**
 * Local recording happens in the recorder's browser; the server keeps each member's `recordingSince` and
 * `recordingAllowed`, replicated with the member like a raised hand, so every node tells the same state.
 */

/** The meeting's recording state: recorders first started first (same millisecond: by id). */
export function recordingState(members: readonly Member[]): RecordingState {
  const recorders = members
    .filter((member) => member.recordingSince !== undefined)
    .sort((a, b) => a.recordingSince! - b.recordingSince! || (a.info.id < b.info.id ? -1 : 1))
    .map((member) => member.info.id);
  const allowed = members.filter((member) => member.recordingAllowed).map((member) => member.info.id);
  return { recorders, allowed };
}

/** Whether `member` may start recording: hosts always, others once a host allowed them. */
export function mayRecord(member: Member): boolean {
  return member.info.isHost || member.recordingAllowed === true;
}
