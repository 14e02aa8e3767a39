/**
 * Values kept per participant, grouped by meeting (meeting code → participant id → value), in order of arrival.
 * A meeting with nobody left in it is dropped, so the meeting count is the number of meetings with someone in them.
 * Presence (who is in a meeting) and the waiting rooms (who waits to get in) are both built on it.
 */
export class ParticipantsByMeeting<Value> {
  readonly #meetings = new Map<string, Map<string, Value>>();

  /** Adds or replaces the value of this participant. A replaced value keeps its place in the order. */
  set(meetingCode: string, participantId: string, value: Value): void {
    let participants = this.#meetings.get(meetingCode);
    if (!participants) {
      participants = new Map();
      this.#meetings.set(meetingCode, participants);
    }
    participants.set(participantId, value);
  }

  get(meetingCode: string, participantId: string): Value | undefined {
    return this.#meetings.get(meetingCode)?.get(participantId);
  }

  /** Removes a participant; returns their value if they were there. */
  delete(meetingCode: string, participantId: string): Value | undefined {
    const participants = this.#meetings.get(meetingCode);
    const value = participants?.get(participantId);
    if (!participants || value === undefined) return undefined;
    participants.delete(participantId);
    if (participants.size === 0) this.#meetings.delete(meetingCode);
    return value;
  }

  /** The values of one meeting, first come first (a copy: the caller may remove participants while going through it). */
  inMeeting(meetingCode: string): Value[] {
    return [...(this.#meetings.get(meetingCode)?.values() ?? [])];
  }

  /** The values of every meeting (a copy, as for {@link inMeeting}). */
  all(): Value[] {
    return [...this.#meetings.values()].flatMap((participants) => [...participants.values()]);
  }

  /** How many participants one meeting has. */
  countIn(meetingCode: string): number {
    return this.#meetings.get(meetingCode)?.size ?? 0;
  }

  /** The meetings with at least one participant. */
  meetingCodes(): string[] {
    return [...this.#meetings.keys()];
  }

  get meetingCount(): number {
    return this.#meetings.size;
  }

  /** Participants of all meetings together. */
  get participantCount(): number {
    let count = 0;
    for (const participants of this.#meetings.values()) count += participants.size;
    return count;
  }

  clear(): void {
    this.#meetings.clear();
  }
}
