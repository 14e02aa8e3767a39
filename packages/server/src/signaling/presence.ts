import type { MediaState, ParticipantInfo } from '@parley/protocol';

/** Who is connected to which meeting on this node, and their media state. In memory by design. */
export class Presence {
  readonly #meetings = new Map<string, Map<string, ParticipantInfo>>();

  add(code: string, participant: ParticipantInfo): void {
    let participants = this.#meetings.get(code);
    if (!participants) {
      participants = new Map();
      this.#meetings.set(code, participants);
    }
    participants.set(participant.id, participant);
  }

  /** Removes a participant; returns whether they were there. */
  remove(code: string, participantId: string): boolean {
    const participants = this.#meetings.get(code);
    if (!participants?.delete(participantId)) return false;
    if (participants.size === 0) this.#meetings.delete(code);
    return true;
  }

  has(code: string, participantId: string): boolean {
    return this.#meetings.get(code)?.has(participantId) ?? false;
  }

  list(code: string): ParticipantInfo[] {
    return [...(this.#meetings.get(code)?.values() ?? [])].map((participant) => ({ ...participant }));
  }

  setMediaState(code: string, participantId: string, state: MediaState): void {
    const participant = this.#meetings.get(code)?.get(participantId);
    if (!participant) return;
    participant.audioEnabled = state.audio;
    participant.videoEnabled = state.video;
  }

  get meetingCount(): number {
    return this.#meetings.size;
  }

  get participantCount(): number {
    let count = 0;
    for (const participants of this.#meetings.values()) count += participants.size;
    return count;
  }
}
