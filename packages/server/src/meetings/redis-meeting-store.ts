import { randomBytes } from 'node:crypto';
import { createClient, ReconnectStrategyError } from 'redis';
import { parseStoredSettings, type Meeting, type MeetingChanges, type MeetingStore, type SavedParticipant } from './meeting.js';

/** A connected node-redis client, as `createClient` returns it. */
export type RedisClient = ReturnType<typeof createClient>;

/**
 * Keys, all under one prefix: `meeting:<code>` a hash per meeting (times as Unix milliseconds), `expiries` a sorted
 * set of codes by `expiresAt` (for the sweep and the open count), `occupied` the set of occupied codes,
 * `saved-participants` a hash of participant id → JSON, filled by nodes that shut down, `resume-secret` the key
 * that signs resume tokens, `nodes` a hash of running node id → when it last said so (ms), and `recover-until` when
 * the nodes restarted after a crash of the whole cluster stop taking participants back by token (ms).
 */
const PREFIX = 'parley:';
const meetingKey = (code: string) => `${PREFIX}meeting:${code}`;
const EXPIRIES = `${PREFIX}expiries`;
const OCCUPIED = `${PREFIX}occupied`;
const SAVED = `${PREFIX}saved-participants`;
const RESUME_SECRET = `${PREFIX}resume-secret`;
const NODES = `${PREFIX}nodes`;
const RECOVER_UNTIL = `${PREFIX}recover-until`;

/**
 * KEYS: nodes, recover-until. ARGV: now, recoveryMs, aliveSince. A recovery under way is joined, and lasts at least a
 * whole window from this start: the node may be starting because the cluster crashed again within it. Else nodes that
 * have not said they run since aliveSince are gone (forgotten), and if none is left running the cluster crashed: a
 * recovery starts. Returns { recoverUntil, how many nodes look alive }.
 */
const MARK_STARTED = `
local now = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local recoverUntil = now + tonumber(ARGV[2])
if current > now then
  recoverUntil = math.max(current, recoverUntil)
  redis.call('SET', KEYS[2], string.format('%d', recoverUntil), 'PX', recoverUntil - now)
  return {recoverUntil, 0}
end
local alive, gone = 0, 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if tonumber(entries[i + 1]) >= tonumber(ARGV[3]) then
    alive = alive + 1
  else
    gone = gone + 1
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
if alive > 0 or gone == 0 then return {0, alive} end
redis.call('SET', KEYS[2], string.format('%d', recoverUntil), 'PX', ARGV[2])
return {recoverUntil, 0}`;

/** KEYS: meeting, expiries. ARGV: code, then field/value pairs. Fails if the code is taken. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('meeting code taken') end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
local expires
for i = 2, #ARGV, 2 do if ARGV[i] == 'expiresAt' then expires = ARGV[i + 1] end end
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return 1`;

/** KEYS: meeting, expiries, occupied. ARGV: code, then field/value pairs. A code that is not stored is ignored. */
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
for i = 2, #ARGV, 2 do
  if ARGV[i] == 'expiresAt' then redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[1]) end
  if ARGV[i] == 'occupied' then
    if ARGV[i + 1] == '1' then redis.call('SADD', KEYS[3], ARGV[1]) else redis.call('SREM', KEYS[3], ARGV[1]) end
  end
end
return 1`;

/** KEYS: meeting, expiries, occupied. ARGV: code, until, '1' to occupy (expiry only later) or '0' to vacate (only earlier). */
const OCCUPANCY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
local limit = tonumber(ARGV[2])
local expires = current
if ARGV[3] == '1' then
  if limit > current then expires = limit end
  redis.call('SADD', KEYS[3], ARGV[1])
else
  if limit < current then expires = limit end
  redis.call('SREM', KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[1], 'occupied', ARGV[3], 'expiresAt', string.format('%d', expires))
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return 1`;

/** KEYS: meeting. ARGV: server, expected ('' for none). Sets `mediaServer` if it is still the expected one; returns it. */
const ASSIGN_MEDIA_SERVER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return '' end
local current = redis.call('HGET', KEYS[1], 'mediaServer') or ''
if current ~= ARGV[2] then return current end
redis.call('HSET', KEYS[1], 'mediaServer', ARGV[1])
return ARGV[1]`;

function toFields(changes: MeetingChanges): string[] {
  const fields: string[] = [];
  if (changes.expiresAt !== undefined) fields.push('expiresAt', String(changes.expiresAt.getTime()));
  if (changes.endedAt !== undefined) fields.push('endedAt', changes.endedAt === null ? '' : String(changes.endedAt.getTime()));
  if (changes.occupied !== undefined) fields.push('occupied', changes.occupied ? '1' : '0');
  if (changes.locked !== undefined) fields.push('locked', changes.locked ? '1' : '0');
  if (changes.settings !== undefined) fields.push('settings', JSON.stringify(changes.settings));
  return fields;
}

/**
 * How long a storage command waits for an unreachable Redis to come back before it fails. Shorter than the SDK's
 * request timeout (10 s), so that a join during an outage gets a real answer; longer than a Redis restart.
 */
export const REDIS_OUTAGE_WAIT_MS = 5000;

/**
 * Meetings in Redis, for several nodes sharing them (`REDIS_URL`). Every change of one meeting is one Lua script,
 * so concurrent nodes cannot interleave half-written meetings. Make Redis durable (AOF or RDB) if meetings must
 * outlive a Redis restart.
 */
export class RedisMeetingStore implements MeetingStore {
  readonly #client: RedisClient;

  constructor(client: RedisClient, waitMs = REDIS_OUTAGE_WAIT_MS) {
    // node-redis holds commands while it reconnects: one waits that long for Redis to come back, then fails (a join
    // then gets a typed `internal` error it may retry) instead of hanging for as long as Redis is away.
    this.#client = client.withCommandOptions({ timeout: waitMs });
  }

  async create(meeting: Meeting): Promise<void> {
    const fields = [
      'code', meeting.code,
      'hostKeyHash', meeting.hostKeyHash,
      'createdAt', String(meeting.createdAt.getTime()),
      ...toFields(meeting),
    ];
    await this.#client.eval(CREATE, { keys: [meetingKey(meeting.code), EXPIRIES], arguments: [meeting.code, ...fields] });
    if (meeting.occupied) await this.#client.sAdd(OCCUPIED, meeting.code);
  }

  async get(code: string): Promise<Meeting | undefined> {
    const hash = await this.#client.hGetAll(meetingKey(code));
    if (!hash.code) return undefined;
    return {
      code: hash.code,
      hostKeyHash: hash.hostKeyHash ?? '',
      createdAt: new Date(Number(hash.createdAt)),
      expiresAt: new Date(Number(hash.expiresAt)),
      endedAt: hash.endedAt ? new Date(Number(hash.endedAt)) : null,
      occupied: hash.occupied === '1',
      locked: hash.locked === '1',
      settings: parseStoredSettings(hash.settings ?? '{}'),
    };
  }

  async update(code: string, changes: MeetingChanges): Promise<void> {
    const fields = toFields(changes);
    if (fields.length === 0) return;
    await this.#client.eval(UPDATE, { keys: [meetingKey(code), EXPIRIES, OCCUPIED], arguments: [code, ...fields] });
  }

  async occupy(code: string, until: Date): Promise<void> {
    await this.#client.eval(OCCUPANCY, { keys: [meetingKey(code), EXPIRIES, OCCUPIED], arguments: [code, String(until.getTime()), '1'] });
  }

  async vacate(code: string, until: Date): Promise<void> {
    await this.#client.eval(OCCUPANCY, { keys: [meetingKey(code), EXPIRIES, OCCUPIED], arguments: [code, String(until.getTime()), '0'] });
  }

  async deleteExpired(now: Date): Promise<number> {
    const codes = await this.#client.zRangeByScore(EXPIRIES, '-inf', now.getTime());
    if (codes.length === 0) return 0;
    await this.#client
      .multi()
      .del(codes.map(meetingKey))
      .zRem(EXPIRIES, codes)
      .sRem(OCCUPIED, codes)
      .exec();
    return codes.length;
  }

  async countOpen(now: Date): Promise<number> {
    // Ending a meeting sets its expiry to the end, so open meetings are exactly those expiring later than now.
    return this.#client.zCount(EXPIRIES, `(${now.getTime()}`, '+inf');
  }

  async listOpen(now: Date, after: string | undefined, limit: number): Promise<Meeting[]> {
    // Open meetings are those expiring later than now (see countOpen); paged by code, so sorted here.
    const codes = (await this.#client.zRangeByScore(EXPIRIES, `(${now.getTime()}`, '+inf'))
      .filter((code) => after === undefined || code > after)
      .sort()
      .slice(0, limit);
    const meetings = await Promise.all(codes.map((code) => this.get(code)));
    return meetings.filter((meeting): meeting is Meeting => meeting !== undefined && meeting.endedAt === null);
  }

  async mediaServerOf(code: string): Promise<string | undefined> {
    return (await this.#client.hGet(meetingKey(code), 'mediaServer')) || undefined;
  }

  async assignMediaServer(code: string, server: string, expected: string | undefined): Promise<string | undefined> {
    const current = await this.#client.eval(ASSIGN_MEDIA_SERVER, { keys: [meetingKey(code)], arguments: [server, expected ?? ''] });
    return typeof current === 'string' && current !== '' ? current : undefined;
  }

  async mediaServerLoads(now: Date): Promise<Map<string, number>> {
    // Ending a meeting sets its expiry to the end: the open meetings are those expiring later than now.
    const codes = await this.#client.zRangeByScore(EXPIRIES, `(${now.getTime()}`, '+inf');
    const loads = new Map<string, number>();
    if (codes.length === 0) return loads;
    const multi = this.#client.multi();
    for (const code of codes) multi.hGet(meetingKey(code), 'mediaServer');
    for (const server of (await multi.exec()) as unknown as (string | null)[]) {
      if (server) loads.set(server, (loads.get(server) ?? 0) + 1);
    }
    return loads;
  }

  async vacateAll(until: Date, except: ReadonlySet<string>): Promise<void> {
    for (const code of await this.#client.sMembers(OCCUPIED)) {
      if (!except.has(code)) await this.vacate(code, until);
    }
  }

  /** Adds these to the saved participants (several nodes may hand over at once; none replaces another's). */
  async saveParticipants(participants: SavedParticipant[]): Promise<void> {
    if (participants.length === 0) return;
    const entries = Object.fromEntries(participants.map((participant) => [participant.id, JSON.stringify(participant)]));
    await this.#client.hSet(SAVED, entries);
  }

  async takeParticipants(): Promise<SavedParticipant[]> {
    const [saved] = (await this.#client.multi().hGetAll(SAVED).del(SAVED).exec()) as unknown as [Record<string, string>];
    // Field by field: a save from another version may carry more (a resume token hash once), which must not end up
    // in a participant's info and be sent to everyone.
    return Object.values(saved ?? {}).map((json) => {
      const parsed = JSON.parse(json) as Partial<Omit<SavedParticipant, 'awayUntil'>> & { awayUntil: string };
      return {
        meetingCode: String(parsed.meetingCode),
        id: String(parsed.id),
        name: String(parsed.name),
        isHost: parsed.isHost === true,
        audioEnabled: parsed.audioEnabled === true,
        videoEnabled: parsed.videoEnabled === true,
        screenSharing: parsed.screenSharing === true,
        awayUntil: new Date(parsed.awayUntil),
        removalMarks: Array.isArray(parsed.removalMarks) ? parsed.removalMarks.filter((mark) => typeof mark === 'string') : [],
        tokenIssuedAt: Number.isSafeInteger(parsed.tokenIssuedAt) ? parsed.tokenIssuedAt! : 0,
      };
    });
  }

  async markStarted(_node: string, now: number, recoveryMs: number, aliveSince: number): Promise<{ recoverUntil: number; othersRunning: boolean }> {
    // A starting node is not marked running until it decided: nodes starting together do not count each other.
    const [recoverUntil, alive] = (await this.#client.eval(MARK_STARTED, {
      keys: [NODES, RECOVER_UNTIL],
      arguments: [String(now), String(recoveryMs), String(aliveSince)],
    })) as [number, number];
    return { recoverUntil, othersRunning: alive > 0 };
  }

  async markRunning(node: string, now: number): Promise<void> {
    await this.#client.hSet(NODES, node, String(now));
  }

  async markHandedOver(node: string): Promise<void> {
    await this.#client.hDel(NODES, node);
  }

  async resumeSecret(): Promise<Buffer> {
    // NX: of nodes starting together, the first write wins and everyone reads that one.
    await this.#client.set(RESUME_SECRET, randomBytes(32).toString('base64'), { NX: true });
    const secret = await this.#client.get(RESUME_SECRET);
    if (!secret) throw new Error(`${RESUME_SECRET} vanished from Redis`);
    return Buffer.from(secret, 'base64');
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  async close(): Promise<void> {
    // The client is shared with the Socket.IO adapter: whoever opened it closes it.
  }
}

/** How long start-up waits for Redis before giving up: a wrong or dead `REDIS_URL` stops the start, not hangs it. */
const REDIS_STARTUP_TIMEOUT_MS = 10_000;

/**
 * Connects to `url`. Once connected it retries for ever with a capped backoff, so that a Redis restart is ridden
 * out; the first connection instead rejects after `startupTimeoutMs` with the last cause.
 */
export async function connectRedis(
  url: string,
  onError: (error: Error) => void,
  startupTimeoutMs = REDIS_STARTUP_TIMEOUT_MS,
): Promise<RedisClient> {
  const giveUpAt = Date.now() + startupTimeoutMs;
  let connected = false;
  const client = createClient({
    url,
    socket: {
      reconnectStrategy: (retries, cause) =>
        connected || Date.now() < giveUpAt
          ? Math.min(50 * 2 ** retries, 1000)
          : new RedisUnreachableError(redactedUrl(url), startupTimeoutMs, cause),
      connectTimeout: 5000,
    },
  });
  client.on('error', onError);
  try {
    await client.connect();
  } catch (error) {
    // node-redis wraps the strategy's verdict; ours already says what happened.
    throw error instanceof ReconnectStrategyError ? error.originalError : error;
  }
  connected = true;
  return client;
}

/** Start-up gave up on Redis: nothing answered at `REDIS_URL` in time. */
export class RedisUnreachableError extends Error {
  constructor(url: string, timeoutMs: number, cause: Error) {
    super(`Redis at ${url} did not answer within ${timeoutMs} ms (${cause.message}); check REDIS_URL`, { cause });
    this.name = 'RedisUnreachableError';
  }
}

/** `url` without its password, for messages and logs. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
