import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { MEETING_CODE_ALPHABET, MEETING_CODE_LENGTH, normalizeMeetingCode } from '@parley/protocol';
import type { Meeting, MeetingStore } from './meeting.js';

/** What `POST /api/meetings` returns: the only time the host key is ever seen in clear. */
export interface CreatedMeeting {
  code: string;
  hostKey: string;
  expiresAt: Date;
}

/** Creates meetings and decides who may enter them. */
export class MeetingService {
  readonly #store: MeetingStore;
  readonly #ttlMs: number;

  constructor(store: MeetingStore, ttlMs: number) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async create(now = new Date()): Promise<CreatedMeeting> {
    const hostKey = randomBytes(32).toString('base64url');
    const meeting: Meeting = {
      code: generateMeetingCode(),
      hostKeyHash: hashHostKey(hostKey),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.#ttlMs),
    };
    await this.#store.create(meeting);
    return { code: meeting.code, hostKey, expiresAt: meeting.expiresAt };
  }

  /**
   * The meeting someone may join with this code as typed, or `undefined`.
   * Malformed, unknown and expired codes all give the same answer, so the API is no existence oracle.
   */
  async findJoinable(typedCode: string, now = new Date()): Promise<Meeting | undefined> {
    const code = normalizeMeetingCode(typedCode);
    if (!code) return undefined;
    const meeting = await this.#store.get(code);
    if (!meeting || meeting.expiresAt <= now) return undefined;
    return meeting;
  }

  isHostKey(meeting: Meeting, hostKey: string | undefined): boolean {
    if (!hostKey) return false;
    return timingSafeEqual(Buffer.from(hashHostKey(hostKey), 'hex'), Buffer.from(meeting.hostKeyHash, 'hex'));
  }

  deleteExpired(now = new Date()): Promise<number> {
    return this.#store.deleteExpired(now);
  }
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
