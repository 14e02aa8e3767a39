import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { MEETING_CODE_ALPHABET, MEETING_CODE_LENGTH, normalizeMeetingCode, type MeetingSettings } from '@parley/protocol';
import type { Meeting, MeetingStore } from './meeting.js';

/** What `POST /api/meetings` returns: the only time the host key is ever seen in clear. */
export interface CreatedMeeting {
  code: string;
  hostKey: string;
  expiresAt: Date;
}

/** What may change about a meeting's settings at once (see {@link MeetingService.configure}). */
export interface MeetingConfiguration extends Partial<Pick<MeetingSettings, 'locked' | 'waitingRoom'>> {
  /** This meeting's own participant limit; `null` goes back to the server's `MAX_PARTICIPANTS`. */
  maxParticipants?: number | null;
  /** When the code stops being joinable (joins and the last departure move it on as usual). */
  expiresAt?: Date;
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
/** Most removal marks one meeting keeps; past it the oldest are forgotten. */
const MAX_REMOVAL_MARKS = 1000;
/** Most departures one meeting keeps; past it the oldest are forgotten. */
const MAX_DEPARTURES = 1000;

/**
 * Creates meetings, decides who may enter them, and ends them. A code stops being joinable, for good, when:
 * the host ends the meeting; its last participant has been gone for the grace period; or nobody has joined it for
 * the TTL (counted from its creation or its latest join).
 */
export class MeetingService {
  readonly #store: MeetingStore;
  readonly #lifetimes: MeetingLifetimes;
  /** Read-modify-writes of one meeting's row, chained so that none overwrites another's change. */
  readonly #writes = new Map<string, Promise<unknown>>();

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

  /**
   * For someone who proved they were in the meeting (a valid resume token): the meeting if it is still open, or why
   * not. Unlike {@link findJoinable} this tells ended from expired: the holder knows the code exists.
   */
  async findResumable(code: string, now = new Date()): Promise<Meeting | 'ended' | 'expired'> {
    const meeting = await this.#store.get(code);
    if (!meeting) return 'expired';
    if (meeting.endedAt !== null) return 'ended';
    return isJoinable(meeting, now) ? meeting : 'expired';
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

  /**
   * Locks or unlocks the meeting and turns its waiting room on or off, and (through the server API) sets its own
   * participant limit (`null`: the server's) and its expiry; absent fields stay, all in one step. Returns the settings
   * hosts see before and after, or `undefined` if no meeting has this canonical code.
   */
  configure(
    code: string,
    changes: MeetingConfiguration,
  ): Promise<{ previous: MeetingSettings; current: MeetingSettings } | undefined> {
    return this.#serially(code, async () => {
      const meeting = await this.#store.get(code);
      if (!meeting) return undefined;
      const locked = changes.locked ?? meeting.locked;
      let settings = meeting.settings;
      if (changes.waitingRoom !== undefined) {
        // A host setting the waiting room makes it theirs: no longer the one a removal turned on.
        const { waitingRoomAfterRemoval: _, ...chosen } = settings;
        settings = { ...chosen, waitingRoom: changes.waitingRoom };
      }
      if (changes.maxParticipants !== undefined) {
        const { maxParticipants: _, ...others } = settings;
        settings = changes.maxParticipants === null ? others : { ...others, maxParticipants: changes.maxParticipants };
      }
      await this.#store.update(code, { locked, settings, ...(changes.expiresAt ? { expiresAt: changes.expiresAt } : {}) });
      return { previous: hostSettings(meeting), current: hostSettings({ locked, settings }) };
    });
  }

  /** Up to `limit` joinable meetings, by code, after the code `after` if given (paging through them). */
  listOpen(after: string | undefined, limit: number, now = new Date()): Promise<Meeting[]> {
    return this.#store.listOpen(now, after, limit);
  }

  /**
   * Keeps the holder of these removal marks (see {@link removalMarks}) out of the meeting for good, and turns the
   * meeting's waiting room on if it was off: a session id is the client's word, and a new one (another browser, a
   * private window, storage cleared) would otherwise walk straight back in. Stored with the meeting, so it outlives
   * restarts; at most {@link MAX_REMOVAL_MARKS} are kept, the oldest forgotten first. Resolves to the settings if
   * the waiting room was turned on, else `undefined`.
   */
  recordRemoval(code: string, marks: readonly string[]): Promise<MeetingSettings | undefined> {
    return this.#serially(code, async () => {
      const meeting = await this.#store.get(code);
      if (!meeting) return undefined;
      const kept = storedMarks(meeting, 'removed').filter((mark) => !marks.includes(mark));
      const removed = [...kept, ...marks].slice(-MAX_REMOVAL_MARKS);
      const opening = meeting.settings.waitingRoom !== true;
      const settings = opening ? { ...meeting.settings, removed, waitingRoom: true, waitingRoomAfterRemoval: true } : { ...meeting.settings, removed };
      await this.#store.update(code, { settings });
      return opening ? hostSettings({ locked: meeting.locked, settings }) : undefined;
    });
  }

  /** Whether a host removed someone with any of these marks from this meeting. */
  isRemoved(meeting: Meeting, marks: readonly string[]): boolean {
    if (marks.length === 0) return false;
    const removed = storedMarks(meeting, 'removed');
    return marks.some((mark) => removed.includes(mark));
  }

  /**
   * Keeps a participant who left (on purpose, or dropped once their resume window closed) from coming back with one
   * of their resume tokens after a crash. Stored with the meeting as a hash of their id, so that it outlives the
   * process; at most {@link MAX_DEPARTURES} are kept, the oldest forgotten first.
   */
  recordDeparture(code: string, participantId: string): Promise<void> {
    const mark = departureMark(participantId);
    return this.#serially(code, async () => {
      const meeting = await this.#store.get(code);
      if (!meeting) return;
      const departed = [...storedMarks(meeting, 'departed').filter((kept) => kept !== mark), mark].slice(-MAX_DEPARTURES);
      await this.#store.update(code, { settings: { ...meeting.settings, departed } });
    });
  }

  /** Whether this participant left the meeting (see {@link recordDeparture}). */
  hasDeparted(meeting: Meeting, participantId: string): boolean {
    return storedMarks(meeting, 'departed').includes(departureMark(participantId));
  }

  /**
   * A host handed over their role at `at` (ms since the epoch): from now on, resume tokens issued before it do not
   * make their holder host again after a crash (see {@link rolesChangedAt}).
   */
  recordRoleChange(code: string, at: number): Promise<void> {
    return this.#serially(code, async () => {
      const meeting = await this.#store.get(code);
      if (!meeting) return;
      await this.#store.update(code, { settings: { ...meeting.settings, rolesChangedAt: at } });
    });
  }

  #serially<T>(code: string, task: () => Promise<T>): Promise<T> {
    const run = (this.#writes.get(code) ?? Promise.resolve()).then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(code, settled);
    void settled.then(() => {
      if (this.#writes.get(code) === settled) this.#writes.delete(code);
    });
    return run;
  }

  /** Deletes meetings that expired more than a day ago. */
  deleteExpired(now = new Date()): Promise<number> {
    return this.#store.deleteExpired(new Date(now.getTime() - EXPIRED_RETENTION_MS));
  }
}

/** The settings hosts see and change, as the protocol carries them. */
export function hostSettings(meeting: Pick<Meeting, 'locked' | 'settings'>): MeetingSettings {
  const settings: MeetingSettings = { locked: meeting.locked, waitingRoom: meeting.settings.waitingRoom === true };
  if (settings.waitingRoom && meeting.settings.waitingRoomAfterRemoval === true) settings.waitingRoomAfterRemoval = true;
  return settings;
}

/** Most participants `meeting` takes: its own limit (server API), never above the server's `MAX_PARTICIPANTS`. */
export function capacityOf(meeting: Pick<Meeting, 'settings'>, serverLimit: number): number {
  return Math.min(serverLimit, meeting.settings.maxParticipants ?? serverLimit);
}

/** Resume tokens issued before this instant do not make their holder host again after a crash. */
export function rolesChangedAt(meeting: Pick<Meeting, 'settings'>): number {
  return meeting.settings.rolesChangedAt ?? 0;
}

/**
 * What identifies a participant for removal: their client's session id and their token's subject, each hashed (the
 * raw values, which may be personal, are never stored), and their participant id, which keeps their resume token
 * out after a crash. Any may be absent.
 */
export function removalMarks(identity: { sessionId?: string | undefined; subject?: string | undefined; participantId?: string }): string[] {
  const marks: string[] = [];
  if (identity.participantId) marks.push(createHash('sha256').update(`participant:${identity.participantId}`).digest('base64url'));
  if (identity.sessionId) marks.push(createHash('sha256').update(`session:${identity.sessionId}`).digest('base64url'));
  if (identity.subject) marks.push(createHash('sha256').update(`subject:${identity.subject}`).digest('base64url'));
  return marks;
}

function departureMark(participantId: string): string {
  return createHash('sha256').update(`departed:${participantId}`).digest('base64url');
}

/** A list of hashes kept in the meeting's settings: `removed` (removal marks) or `departed` (departures). */
function storedMarks(meeting: Meeting, key: 'removed' | 'departed'): string[] {
  return meeting.settings[key] ?? [];
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
