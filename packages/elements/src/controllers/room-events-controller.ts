import type { RoomEventMap } from '@parley/sdk';
import type { RoomPart } from '../room-like.js';

type Listeners = { [E in keyof RoomEventMap]?: RoomEventMap[E] };

/**
 * Listens to one room at a time on an element's behalf: `follow(room)` moves every listener from the room before to
 * this one, `follow(null)` lets go. Unlike `EmitterController` it has no part in the element's lifecycle: an element
 * taken out of the page mid-call still hears its room say `left`.
 */
export class RoomEventsController<Room extends RoomPart<never> = RoomPart<never>> {
  readonly #listeners: (room: Room) => Listeners;
  #room: Room | null = null;
  #stop: (() => void) | null = null;

  /** `listeners` makes the listeners for a room, each time one is followed. */
  constructor(listeners: (room: Room) => Listeners) {
    this.#listeners = listeners;
  }

  /** The room listened to. */
  get room(): Room | null {
    return this.#room;
  }

  follow(room: Room | null): void {
    this.#stop?.();
    this.#stop = null;
    this.#room = room;
    if (!room) return;
    const entries = Object.entries(this.#listeners(room)) as [keyof RoomEventMap, RoomEventMap[keyof RoomEventMap]][];
    for (const [event, listener] of entries) room.on(event, listener);
    this.#stop = () => entries.forEach(([event, listener]) => room.off(event, listener));
  }
}
