import type { WaitingParticipant } from '@parley/protocol';

/** Most people waiting to be admitted to one meeting; one more is refused `meeting-full`. */
export const MAX_WAITING = 50;

/** Someone who asked to join a meeting with a waiting room and waits for a host's answer. */
export interface Waiter {
  /** The participant id they will have once admitted. */
  id: string;
  name: string;
  meetingCode: string;
  /** The socket that waits; it can do nothing else meanwhile. */
  socketId: string;
  audio: boolean;
  video: boolean;
  /** As for a member: what keeps them out if a host later removes them. */
  removalMarks: string[];
}

/** Everyone waiting, per meeting, in order of arrival. In memory: a waiter is a live connection. */
export class WaitingRooms {
  readonly #rooms = new Map<string, Map<string, Waiter>>();

  add(waiter: Waiter): void {
    let room = this.#rooms.get(waiter.meetingCode);
    if (!room) {
      room = new Map();
      this.#rooms.set(waiter.meetingCode, room);
    }
    room.set(waiter.id, waiter);
  }

  get(code: string, id: string): Waiter | undefined {
    return this.#rooms.get(code)?.get(id);
  }

  /** Takes someone off the list; returns them if they were on it. */
  remove(code: string, id: string): Waiter | undefined {
    const room = this.#rooms.get(code);
    const waiter = room?.get(id);
    if (!room || !waiter) return undefined;
    room.delete(id);
    if (room.size === 0) this.#rooms.delete(code);
    return waiter;
  }

  /** Everyone waiting for this meeting, first come first. */
  waiters(code: string): Waiter[] {
    return [...(this.#rooms.get(code)?.values() ?? [])];
  }

  /** The list as hosts see it. */
  list(code: string): WaitingParticipant[] {
    return this.waiters(code).map(({ id, name }) => ({ id, name }));
  }

  size(code: string): number {
    return this.#rooms.get(code)?.size ?? 0;
  }

  /** Meetings someone waits for. */
  codes(): string[] {
    return [...this.#rooms.keys()];
  }

  get count(): number {
    let count = 0;
    for (const room of this.#rooms.values()) count += room.size;
    return count;
  }

  clear(): void {
    this.#rooms.clear();
  }
}
