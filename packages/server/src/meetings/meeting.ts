import type { MeetingSettings, ParticipantInfo } from '@parley/protocol';

/**
 * What a meeting stores besides its lock (a field of its own): the waiting-room flags a host sees, named as in the
 * protocol's {@link MeetingSettings}, and the server's own marks. Stored as JSON, so new keys need no schema change.
 */
export interface StoredMeetingSettings extends Partial<Pick<MeetingSettings, 'waitingRoom' | 'waitingRoomAfterRemoval'>> {
  /** Removal marks of the sessions and subjects a host removed, oldest first (see `MeetingService.recordRemoval`). */
  removed?: string[];
  /** Hashed ids of participants who left, oldest first (see `MeetingService.recordDeparture`). */
  departed?: string[];
  /** When a host last handed over their role, ms since the epoch (see `MeetingService.recordRoleChange`). */
  rolesChangedAt?: number;
  /** Most participants in this meeting, set through the server API; at most the server's `MAX_PARTICIPANTS`. */
  maxParticipants?: number;
}

/**
 * Reads stored settings. A known key whose value has the wrong type is left out (as are the non-strings of a list of
 * marks). Keys this server does not know are kept as they are, so that in a cluster being upgraded, a write by an
 * older node does not erase a newer one's.
 */
export function parseStoredSettings(json: string): StoredMeetingSettings {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const { waitingRoom, waitingRoomAfterRemoval, removed, departed, rolesChangedAt, maxParticipants, ...unknownKeys } = parsed as Record<string, unknown>;
  const settings: StoredMeetingSettings = unknownKeys;
  if (typeof waitingRoom === 'boolean') settings.waitingRoom = waitingRoom;
  if (typeof waitingRoomAfterRemoval === 'boolean') settings.waitingRoomAfterRemoval = waitingRoomAfterRemoval;
  if (Array.isArray(removed)) settings.removed = onlyStrings(removed);
  if (Array.isArray(departed)) settings.departed = onlyStrings(departed);
  if (typeof rolesChangedAt === 'number') settings.rolesChangedAt = rolesChangedAt;
  if (typeof maxParticipants === 'number') settings.maxParticipants = maxParticipants;
  return settings;
}

function onlyStrings(items: unknown[]): string[] {
  return items.filter((item): item is string => typeof item === 'string');
}

/** A meeting as stored: what survives while nobody is connected, and a restart. Presence lives elsewhere. */
export interface Meeting {
  /** Canonical `xxxx-xxxx-xxxx` code. */
  code: string;
  /** SHA-256 of the host key, hex; the key itself is never stored. */
  hostKeyHash: string;
  createdAt: Date;
  /** From this instant on the code can never be joined again. Moves as the meeting is used (see MeetingService). */
  expiresAt: Date;
  /** When the host ended it for everyone, or `null`. */
  endedAt: Date | null;
  /** Someone is in it (as far as the node that last changed it knows). */
  occupied: boolean;
  /** No new joins while locked. */
  locked: boolean;
  settings: StoredMeetingSettings;
}

/** What may change about a stored meeting. */
export type MeetingChanges = Partial<Pick<Meeting, 'expiresAt' | 'endedAt' | 'occupied' | 'locked' | 'settings'>>;

/** A participant written down at shutdown so that the next process can take their resume back. */
export interface SavedParticipant extends ParticipantInfo {
  meetingCode: string;
  /** Their resume window ends here. */
  awayUntil: Date;
  /** What would keep them out of the meeting if a host removed them (hashed session id and token subject). */
  removalMarks: string[];
  /** When their latest resume token was issued (ms since the epoch; 0 if unknown): older ones are refused. */
  tokenIssuedAt: number;
}

/** Where meetings are kept. Async so that networked stores (Redis) fit behind it. */
export interface MeetingStore {
  /** Adds a meeting; rejects if its code is taken. */
  create(meeting: Meeting): Promise<void>;
  /** The meeting with this canonical code, or `undefined`. Expired meetings are still returned; callers check. */
  get(code: string): Promise<Meeting | undefined>;
  /** Changes some fields of a meeting; a code that is not stored is ignored. */
  update(code: string, changes: MeetingChanges): Promise<void>;
  /** Marks a meeting occupied and moves its `expiresAt` to `until` if that is later, in one step. */
  occupy(code: string, until: Date): Promise<void>;
  /** Marks a meeting empty and brings its `expiresAt` forward to `until` if that is earlier, in one step. */
  vacate(code: string, until: Date): Promise<void>;
  /** Removes meetings whose `expiresAt` has passed; returns how many. */
  deleteExpired(now: Date): Promise<number>;
  /** Meetings whose code is still joinable at `now`. */
  countOpen(now: Date): Promise<number>;
  /** Up to `limit` meetings joinable at `now`, by code, those after the code `after` (if given) only. */
  listOpen(now: Date, after: string | undefined, limit: number): Promise<Meeting[]>;
  /** Marks every occupied meeting but `except` as emptied: its `expiresAt` is brought forward to `until` at most. */
  vacateAll(until: Date, except: ReadonlySet<string>): Promise<void>;
  /** SFU mode: the Janus instance (its server-side URL) the meeting's media goes through, or `undefined`. */
  mediaServerOf(code: string): Promise<string | undefined>;
  /**
   * SFU mode: gives the meeting to the Janus instance `server` if its instance is still `expected` (`undefined`: none
   * yet), in one step, so nodes choosing at once agree. Returns the meeting's instance after: `server`, or the choice
   * of a node that was first. A code that is not stored gets none.
   */
  assignMediaServer(code: string, server: string, expected: string | undefined): Promise<string | undefined>;
  /** SFU mode: how many open meetings (neither ended nor expired at `now`) each Janus instance has. */
  mediaServerLoads(now: Date): Promise<Map<string, number>>;
  /** Replaces the saved participants with these (called at shutdown). */
  saveParticipants(participants: SavedParticipant[]): Promise<void>;
  /** Returns the saved participants and forgets them (called at start). */
  takeParticipants(): Promise<SavedParticipant[]>;
  /**
   * At start: until when (ms since the epoch) participants this process never saw may be taken back by their resume
   * token, or 0. Only after a crash: the process before (with Redis, every node) stopped without
   * {@link markHandedOver}. With Redis, nodes seen alive since `aliveSince` (see {@link markRunning}) are running: a
   * node starting beside them recovers nothing, unless they are recovering a crash themselves (then it joins in);
   * `othersRunning` says so, or that a node that crashed a moment ago still looks alive (ask again later).
   */
  markStarted(node: string, now: number, recoveryMs: number, aliveSince: number): Promise<{ recoverUntil: number; othersRunning: boolean }>;
  /** Every few seconds while a node runs (Redis: other nodes starting see it alive; SQLite: nothing to do). */
  markRunning(node: string, now: number): Promise<void>;
  /** At a clean shutdown, after {@link saveParticipants}: the next start is no crash. */
  markHandedOver(node: string): Promise<void>;
  /**
   * The key that signs resume tokens: made at random the first time any process asks, then the same for every
   * process on this storage (the next one after a crash, every node of a cluster).
   */
  resumeSecret(): Promise<Buffer>;
  /** Rejects if the storage cannot be used now (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
