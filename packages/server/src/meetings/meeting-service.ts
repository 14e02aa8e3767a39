import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { MEETING_CODE_ALPHABET, MEETING_CODE_LENGTH, normalizeMeetingCode } from '@parley/protocol';
import type { Meeting, MeetingSettings, MeetingStore } from './meeting.js';

/** What `POST /api/meetings` returns: the only time the host key is ever seen in clear. */
export interface CreatedMeeting {
  code: string;
  hostKey: string;
  expiresAt: Date;
}

export interface MeetingLifetimes {
  /** A meeting nobody joins stays joinable this long after its creation or its latest join. */
  ttlMs: number;
  /** A meeting stays joinable this long after its last participant is gone. */
  emptyGraceMs: number;
}

/** Expired meetings stay stored this long (their codes refused like unknown ones) before they are deleted. */
const EXPIRED_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Looked up in place of input that cannot be a code, so that every refusal costs the same work. */
const NO_SUCH_CODE = '----';

/**
 * Creates meetings, decides who may enter them, and ends them. A code stops being joinable, for good, when:
 * the host ends the meeting; its last participant has been gone for the grace period; or nobody has joined it for
 * the TTL (counted from its creation or its latest join).
 */
export class MeetingService {
  readonly #store: MeetingStore;
  readonly #lifetimes: MeetingLifetimes;

  constructor(store: MeetingStore, lifetimes: MeetingLifetimes) {
    this.#store = store;
    this.#lifetimes = lifetimes;
  }

  get store(): MeetingStore {
    return this.#store;
  }

  async create(now = new Date()): Promise<CreatedMeeting> {
    const hostKey = randomBytes(32).toString('base64url');
    const meeting: Meeting = {
      code: generateMeetingCode(),
      hostKeyHash: hashHostKey(hostKey),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.#lifetimes.ttlMs),
      endedAt: null,
      occupied: false,
      locked: false,
      settings: {},
    };
    await this.#store.create(meeting);
    return { code: meeting.code, hostKey, expiresAt: meeting.expiresAt };
  }

  /**
   * The meeting someone may join with this code as typed, or `undefined`.
   * Malformed, unknown, ended and expired codes all give the same answer after the same work, so the API is no
   * existence oracle.
   */
  async findJoinable(typedCode: string, now = new Date()): Promise<Meeting | undefined> {
    const code = normalizeMeetingCode(typedCode);
    const meeting = await this.#store.get(code ?? NO_SUCH_CODE);
    return meeting && isJoinable(meeting, now) ? meeting : undefined;
  }

  isHostKey(meeting: Meeting, hostKey: string | undefined): boolean {
    if (!hostKey) return false;
    return timingSafeEqual(Buffer.from(hashHostKey(hostKey), 'hex'), Buffer.from(meeting.hostKeyHash, 'hex'));
  }

  /**
   * Someone joined: the meeting is in use, and stays joinable for another TTL. Returns the new expiry at once
   * (callers answer in the same tick) and writes it behind.
   */
  occupy(meeting: Meeting, now = new Date()): { expiresAt: Date; written: Promise<void> } {
    const expiresAt = new Date(Math.max(meeting.expiresAt.getTime(), now.getTime() + this.#lifetimes.ttlMs));
    return { expiresAt, written: this.#store.occupy(meeting.code, expiresAt) };
  }

  /** The last participant is gone: the code dies after the grace period unless someone joins meanwhile. */
  vacate(code: string, now = new Date()): Promise<void> {
    return this.#store.vacate(code, new Date(now.getTime() + this.#lifetimes.emptyGraceMs));
  }

  /** At start: meetings left occupied by a process that is gone, and not taken over, count as emptied now. */
  vacateAll(keep: ReadonlySet<string>, now = new Date()): Promise<void> {
    return this.#store.vacateAll(new Date(now.getTime() + this.#lifetimes.emptyGraceMs), keep);
  }

  /**
   * Ends a meeting for good: its code is refused from now on, like an unknown one. Returns whether it was
   * joinable until now. (Telling the participants inside is the caller's business.)
   */
  async end(typedCode: string, now = new Date()): Promise<boolean> {
    const meeting = await this.findJoinable(typedCode, now);
    if (!meeting) return false;
    await this.#store.update(meeting.code, { endedAt: now, expiresAt: now, occupied: false });
    return true;
  }

  async setLocked(code: string, locked: boolean): Promise<void> {
    await this.#store.update(code, { locked });
  }

  /** Merges `changes` into the meeting's settings; returns them all. */
  async updateSettings(code: string, changes: MeetingSettings): Promise<MeetingSettings | undefined> {
    const meeting = await this.#store.get(code);
    if (!meeting) return undefined;
    const settings = { ...meeting.settings, ...changes };
    await this.#store.update(code, { settings });
    return settings;
  }

  /** Deletes meetings that expired more than a day ago. */
  deleteExpired(now = new Date()): Promise<number> {
    return this.#store.deleteExpired(new Date(now.getTime() - EXPIRED_RETENTION_MS));
  }
}

export function isJoinable(meeting: Meeting, now: Date): boolean {
  return meeting.endedAt === null && meeting.expiresAt > now;
}

/** 12 symbols of a 32-symbol alphabet from the CSPRNG: 60 bits, no modulo bias since 32 divides 256. */
export function generateMeetingCode(): string {
  const bytes = randomBytes(MEETING_CODE_LENGTH);
  let symbols = '';
  for (const byte of bytes) symbols += MEETING_CODE_ALPHABET[byte % MEETING_CODE_ALPHABET.length];
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

function hashHostKey(hostKey: string): string {
  return createHash('sha256').update(hostKey).digest('hex');
}
