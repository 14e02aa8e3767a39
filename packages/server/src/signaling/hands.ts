import type { RaisedHand } from '@parley/protocol';
import type { Member } from './presence.js';

/**
 * Raised hands are each member's `handRaisedAt`, stamped by the node that took the request and replicated with the
 * member (see replication.ts): every node holds the same stamps, so every node orders the same queue.
 */

/** The meeting's raised hands, first raised first (two stamped in the same millisecond on two nodes: by id). */
export function handQueue(members: readonly Member[]): RaisedHand[] {
  return members
    .flatMap(({ info, handRaisedAt }) => (handRaisedAt === undefined ? [] : [{ participantId: info.id, raisedAt: handRaisedAt }]))
    .sort((a, b) => a.raisedAt - b.raisedAt || (a.participantId < b.participantId ? -1 : 1));
}

/**
 * The stamp of a hand raised `now` in a meeting of `members`: after every hand already up, even on a node whose
 * clock is behind the node that stamped those.
 */
export function nextRaisedAt(members: readonly Member[], now: number): number {
  return Math.max(now, ...members.map(({ handRaisedAt }) => (handRaisedAt ?? 0) + 1));
}
