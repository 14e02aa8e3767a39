import type { Meeting, MeetingStore } from './meeting.js';

/** The embedded default: meetings in a Map, gone when the process ends. */
export class MemoryMeetingStore implements MeetingStore {
  readonly #meetings = new Map<string, Meeting>();

  async create(meeting: Meeting): Promise<void> {
    if (this.#meetings.has(meeting.code)) throw new Error(`Meeting ${meeting.code} already exists`);
    this.#meetings.set(meeting.code, { ...meeting });
  }

  async get(code: string): Promise<Meeting | undefined> {
    const meeting = this.#meetings.get(code);
    return meeting && { ...meeting };
  }

  async deleteExpired(now: Date): Promise<number> {
    let deleted = 0;
    for (const [code, meeting] of this.#meetings) {
      if (meeting.expiresAt <= now) {
        this.#meetings.delete(code);
        deleted++;
      }
    }
    return deleted;
  }
}
