import type { Participant } from '@parley/sdk';
import { dispatchParleyEvent } from '../../events.js';
import type { RoomLike } from '../../room-like.js';
import { withNotices, type RoomNoticesHost } from './room-notices.js';

/** How long "Bob raised their hand" stays up for a host (ms). */
const HAND_NOTICE_MS = 8000;

/**
 * What `<meeting-room>` does when the queue of raised hands changes: `parley-hand-raised` and `parley-hand-lowered`
 * on `element`, a screen reader announcement, and for hosts a visible notice. In the call-ui chunk, which a join
 * awaits before the room can hear of any hand, so that `/parley.js` stays small. Returns the `hands-changed` listener.
 */
export function handEvents(element: HTMLElement, room: Pick<RoomLike, 'localParticipant' | 'participants'>, host: RoomNoticesHost) {
  /** The queue as last told: what each change is compared with. */
  let before: Participant[] = [];
  return (ids: readonly string[]): void => {
    const local = room.localParticipant;
    const hands = ids.flatMap<Participant>((id) => (id === local.id ? local : (room.participants.get(id) ?? [])));
    hands.forEach((participant, index) => {
      if (before.includes(participant)) return;
      dispatchParleyEvent(element, 'parley-hand-raised', { participant, position: index + 1 });
      if (participant.isLocal) return;
      const text = host.text();
      const message = text.raisedHand(participant.name);
      host.announce(message);
      // Hosts see it too: they are the ones who give the floor.
      if (!local.isHost) return;
      const actions = [{ label: text.seeAll, run: () => host.seeWaitingRoom() }];
      withNotices(host, (notices) => notices.show({ id: 'hand', message, duration: HAND_NOTICE_MS, actions }));
    });
    for (const participant of before) if (!hands.includes(participant)) dispatchParleyEvent(element, 'parley-hand-lowered', { participant });
    before = hands;
  };
}
