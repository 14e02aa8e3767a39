import type { WaitingParticipant } from '@parley/protocol';
import { ParticipantsByMeeting } from './participants-by-meeting.js';

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
  readonly #waiters = new ParticipantsByMeeting<Waiter>();

  add(waiter: Waiter): void {
    this.#waiters.set(waiter.meetingCode, waiter.id, waiter);
  }

  get(code: string, id: string): Waiter | undefined {
    return this.#waiters.get(code, id);
  }

  /** Takes someone off the list; returns them if they were on it. */
  remove(code: string, id: string): Waiter | undefined {
    return this.#waiters.delete(code, id);
  }

  /** Everyone waiting for this meeting, first come first. */
  waiters(code: string): Waiter[] {
    return this.#waiters.inMeeting(code);
  }

  /** The list as hosts see it. */
  list(code: string): WaitingParticipant[] {
    return this.waiters(code).map(({ id, name }) => ({ id, name }));
  }

  size(code: string): number {
    return this.#waiters.countIn(code);
  }

  /** Meetings someone waits for. */
  codes(): string[] {
    return this.#waiters.meetingCodes();
  }

  get count(): number {
    return this.#waiters.participantCount;
  }

  clear(): void {
    this.#waiters.clear();
  }
}
