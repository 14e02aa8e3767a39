import type { MediaState, ParticipantInfo, ServerToClientEvents } from '@parley/protocol';
import { ParticipantsByMeeting } from './participants-by-meeting.js';

/** A relayed message held for a participant whose connection is away. */
export type HeldMessage =
  | { event: 'offer' | 'answer'; payload: Parameters<ServerToClientEvents['offer']>[0] }
  | { event: 'ice-candidate'; payload: Parameters<ServerToClientEvents['ice-candidate']>[0] }
  | { event: 'ice-restart-request'; payload: Parameters<ServerToClientEvents['ice-restart-request']>[0] };

/** Most messages held from one sender for one away participant; past this the sender is refused. */
export const MAX_HELD_MESSAGES = 256;

/** A participant of a meeting, connected or briefly away. */
export interface Member {
  info: ParticipantInfo;
  meetingCode: string;
  /** On the node that owns them: when their resume token is due for renewal (ms since the epoch). */
  resumeTokenRenewAt?: number;
  /** When their latest resume token was issued (ms since the epoch): older ones cannot take them over. */
  tokenIssuedAt?: number | undefined;
  /** When the token before it was issued: still accepted if the latest may not have reached them. */
  previousTokenIssuedAt?: number | undefined;
  /** On this node: since when their connection is away (ms since the epoch). */
  awaySince?: number | undefined;
  /** Kept out of the meeting by these if a host removes them (hashed session id and token subject). */
  removalMarks: string[];
  /** The socket that speaks for this participant; `null` while its connection is away. */
  socketId: string | null;
  /** Relayed messages that arrived while away, delivered in order on return. */
  heldMessages: HeldMessage[];
  /**
   * Back, but the held messages are not delivered yet: new relays queue behind them, so nothing overtakes them.
   */
  deliveringHeldMessages?: boolean;
  /** With several nodes: the node whose connection speaks for this participant (or last did). */
  node?: string | undefined;
  /** When the owning node let them in (ms since the epoch): settles who offers when two joins cross. */
  joinedAt: number;
  /** Who their join answer listed: those they expect offers from. */
  listedInJoinAnswer: string[];
  /**
   * While their hand is up: when the server saw it go up (ms since the epoch, see hands.ts). Kept while they are
   * away, dropped with them.
   */
  handRaisedAt?: number | undefined;
  /** While they record the meeting in their browser: since when (ms since the epoch, see recording.ts). */
  recordingSince?: number | undefined;
  /** A host allowed them to record. */
  recordingAllowed?: boolean | undefined;
  /** Drops the participant when the resume window closes. */
  expiry?: ReturnType<typeof setTimeout>;
}

/** Who is in which meeting on this node. In memory by design: it describes live connections. */
export class Presence {
  readonly #members = new ParticipantsByMeeting<Member>();

  add(member: Member): void {
    this.#members.set(member.meetingCode, member.info.id, member);
  }

  /** Removes a participant and stops their expiry timer; returns the member if it was there. */
  remove(code: string, participantId: string): Member | undefined {
    const member = this.#members.delete(code, participantId);
    clearTimeout(member?.expiry);
    return member;
  }

  get(code: string, participantId: string): Member | undefined {
    return this.#members.get(code, participantId);
  }

  /** Everyone in the meeting, away or not, as the others see them. */
  list(code: string): ParticipantInfo[] {
    return this.#members.inMeeting(code).map((member) => ({ ...member.info }));
  }

  setMediaState(code: string, participantId: string, state: MediaState): void {
    const member = this.get(code, participantId);
    if (!member) return;
    member.info.audioEnabled = state.audio;
    member.info.videoEnabled = state.video;
    member.info.screenSharing = state.screen ?? false;
  }

  /** Every participant of the meeting `code`, or on this node when `code` is omitted. */
  members(code?: string): Member[] {
    return code === undefined ? this.#members.all() : this.#members.inMeeting(code);
  }

  /** Stops every expiry timer, for shutdown. */
  clear(): void {
    for (const member of this.#members.all()) clearTimeout(member.expiry);
    this.#members.clear();
  }

  get meetingCount(): number {
    return this.#members.meetingCount;
  }

  get participantCount(): number {
    return this.#members.participantCount;
  }
}
