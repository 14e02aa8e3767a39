import { createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SfuMediaPath } from '@parley/protocol';
import { JanusError } from '@parley/protocol/janus';
import type { Logger } from '../logger.js';
import type { MeetingStore } from '../meetings/meeting.js';
import { JanusAdmin } from './janus-admin.js';
import { signCoreToken, signRoomToken } from './janus-tokens.js';

/** The VideoRoom's "room exists" and "no such room" / "no such feed" error codes. */
const ROOM_EXISTS = 427;
const NO_SUCH_ROOM = 426;
const NO_SUCH_FEED = 428;

/** Marks Parley's rooms in Janus's list; the meeting code follows. */
const DESCRIPTION_PREFIX = 'parley:';

/** One Janus instance. */
export interface JanusInstanceConfig {
  /** Janus's WebSocket API as this server reaches it; also the instance's name in the meeting store. */
  url: string;
  /** Janus's WebSocket API as browsers reach it. */
  publicUrl: string;
}

export interface SfuConfig {
  /** The Janus instances (`JANUS_URLS`, or the one `JANUS_URL`), sharing the secrets below. */
  instances: JanusInstanceConfig[];
  /** Janus's `token_auth_secret`. */
  tokenSecret: string;
  /** The VideoRoom's `admin_key`. */
  adminKey: string;
  /** How long a participant's Janus tokens last; they are renewed half way (`media-path`). */
  tokenLifetimeMs: number;
  /** How long Janus may take to answer a request or a keepalive; an instance silent this long counts as lost. */
  timeoutMs: number;
  /** Most publishers in a room: the meeting's participant limit. */
  maxPublishers: number;
}

/** Thrown when the meeting's media cannot be set up: Janus is unreachable, or refused. */
export class MediaServerError extends Error {
  override readonly name = 'MediaServerError';
}

/** A Janus instance with this process's connection to it. */
interface JanusInstance extends JanusInstanceConfig {
  admin: JanusAdmin;
  /** Rooms this process created or found there, per meeting code: the creation, while it is under way. */
  rooms: Map<string, Promise<void>>;
}

export interface SfuRoomsEvents {
  /** This process's connection to a Janus instance was lost, or is up again: meetings may need another room. */
  'instance-changed': [url: string, up: boolean];
}

/**
 * SFU mode's controller: one private Janus VideoRoom per meeting, created at its first join and destroyed when it
 * ends or expires; participant-scoped, short-lived tokens for it; host controls mapped onto VideoRoom requests.
 *
 * Rooms are named and keyed from the meeting code with the token secret (an HMAC), so every node (and a server
 * restarted after a crash) agrees on them without storing anything, and the name tells nothing of the code.
 *
 * With several Janus instances, a new meeting goes to the live one with the fewest open meetings, and the choice is
 * kept in the meeting store, so every node agrees. Meetings count rather than participants: the store holds them,
 * the same for every node at any moment, while participants are presence, per node, changing every second; over
 * many meetings the participants spread with them. A meeting whose instance died goes to another live one at its
 * next {@link openRoom} (signaling calls it for every meeting on `instance-changed`).
 */
export class SfuRooms extends EventEmitter<SfuRoomsEvents> {
  readonly #config: SfuConfig;
  readonly #logger: Logger;
  readonly #store: MeetingStore;
  readonly #instances: JanusInstance[];
  /** `code/id` of participants whose audio this server muted in Janus (a host's forced mute). */
  readonly #muted = new Set<string>();
  /** Each meeting's instance as this process last placed it. */
  readonly #placed = new Map<string, JanusInstance>();

  constructor(config: SfuConfig, logger: Logger, store: MeetingStore) {
    super();
    this.#config = config;
    this.#logger = logger;
    this.#store = store;
    this.#instances = config.instances.map((instance) => {
      const rooms = new Map<string, Promise<void>>();
      const admin = new JanusAdmin({
        url: instance.url,
        tokenSecret: config.tokenSecret,
        timeoutMs: config.timeoutMs,
        logger,
        // Janus keeps rooms in memory only: after a restart, each is created again by its meeting's next openRoom.
        onLost: () => {
          rooms.clear();
          this.emit('instance-changed', instance.url, false);
        },
        onUp: () => this.emit('instance-changed', instance.url, true),
      });
      return { ...instance, admin, rooms };
    });
  }

  /** Connects to every instance now, and again whenever a connection is lost, to know at once which are alive. */
  watch(): void {
    for (const instance of this.#instances) instance.admin.watch();
  }

  /** The meeting's VideoRoom id. */
  roomOf(code: string): string {
    return `parley-${this.#derive('room', code).slice(0, 32)}`;
  }

  /**
   * Makes sure the meeting's room exists on a live instance (creating it, or finding that another node did): the
   * meeting's instance, or another one if that one is gone. Resolves `true` when this call created or found the room
   * anew (the meeting is new here, moved, or its Janus restarted: its participants need a new `media-path`), `false`
   * when it was open already. Rejects with a {@link MediaServerError} when no Janus can be reached, or it refuses.
   */
  async openRoom(code: string): Promise<boolean> {
    const instance = await this.#place(code);
    let opening = instance.rooms.get(code);
    const anew = !opening;
    if (!opening) {
      const created = this.#create(instance, code);
      opening = created;
      instance.rooms.set(code, created);
      // A failed creation is tried again by the next join.
      created.catch(() => instance.rooms.get(code) === created && instance.rooms.delete(code));
    }
    await opening;
    this.#placed.set(code, instance);
    return anew;
  }

  /** Where `participantId` sends and gets media, with tokens for the meeting's room only, from `now`. */
  mediaPath(code: string, participantId: string, now = Date.now()): SfuMediaPath {
    const expiresAt = now + this.#config.tokenLifetimeMs;
    const room = this.roomOf(code);
    return {
      mode: 'sfu',
      janusUrl: this.#instanceOf(code).publicUrl,
      room,
      token: signCoreToken(this.#config.tokenSecret, expiresAt, participantId),
      roomToken: signRoomToken(this.#config.tokenSecret, expiresAt, room, participantId),
      tokenExpiresAt: Math.floor(expiresAt / 1000) * 1000,
    };
  }

  /** The meeting ended or expired: its room goes, and everyone still in it with it. */
  closeRoom(code: string): Promise<void> {
    return this.#destroyRoom(this.#instanceOf(code), code);
  }

  /** A host removed the participant: Janus stops forwarding their media and to them (the room has `require_pvtid`). */
  async kick(code: string, participantId: string): Promise<void> {
    await this.#roomRequest(this.#instanceOf(code), code, 'kick', { id: participantId }, 'kicking a participant');
  }

  /**
   * A host's forced mute: Janus stops forwarding the participant's audio (VideoRoom `moderate`) until they turn their
   * microphone on again themselves ({@link unmuteAudio}). Returns how many audio streams were muted: none if they
   * publish no audio.
   */
  async muteAudio(code: string, participantId: string): Promise<number> {
    const mids = await this.#audioMids(code, participantId);
    for (const mid of mids) await this.#roomRequest(this.#instanceOf(code), code, 'moderate', { id: participantId, mid, mute: true }, 'muting a participant');
    if (mids.length > 0) this.#muted.add(`${code}/${participantId}`);
    return mids.length;
  }

  /** The participant turned their microphone on again: a forced mute of theirs is lifted. */
  async unmuteAudio(code: string, participantId: string): Promise<void> {
    if (!this.#muted.delete(`${code}/${participantId}`)) return;
    for (const mid of await this.#audioMids(code, participantId)) {
      await this.#roomRequest(this.#instanceOf(code), code, 'moderate', { id: participantId, mid, mute: false }, 'unmuting a participant');
    }
  }

  /**
   * The mids of a participant's published audio. `moderate` names a stream by mid, and only a publisher in the room
   * sees the others' streams: the server looks through a short-lived publisher of its own, which publishes nothing
   * (so nobody is told of it) and leaves at once.
   */
  async #audioMids(code: string, participantId: string): Promise<string[]> {
    const room = this.roomOf(code);
    const publishers = await this.#instanceOf(code)
      .admin.withHandle(async (handle) => {
      const { data } = await handle.request({
        request: 'join',
        ptype: 'publisher',
        room,
        id: `parley-server-${randomUUID()}`,
        token: signRoomToken(this.#config.tokenSecret, Date.now() + 60_000, room),
      });
        return (data['publishers'] ?? []) as { id: string; streams?: { type: string; mid: string; disabled?: boolean }[] }[];
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error, meeting: code }, "Janus: looking up a participant's streams failed");
        throw error;
      });
    const streams = publishers.find((publisher) => publisher.id === participantId)?.streams ?? [];
    return streams.filter((stream) => stream.type === 'audio' && !stream.disabled).map((stream) => stream.mid);
  }

  /**
   * At intervals: destroys the rooms of meetings that are over (ended, or expired) by `isOver`, whichever node or
   * process created them. Returns how many went.
   */
  async sweep(isOver: (code: string) => Promise<boolean>): Promise<number> {
    let closed = 0;
    // Instances down now are left for a later sweep: they have forgotten their rooms if they restart anyway.
    for (const instance of this.#instances.filter((candidate) => candidate.admin.connected)) {
      const { list } = (await instance.admin.request({ request: 'list', admin_key: this.#config.adminKey })) as {
        list?: { room: string; description?: string }[];
      };
      for (const { room, description } of list ?? []) {
        const code = description?.startsWith(DESCRIPTION_PREFIX) ? description.slice(DESCRIPTION_PREFIX.length) : undefined;
        if (code === undefined || room !== this.roomOf(code) || !(await isOver(code))) continue;
        await this.#destroyRoom(instance, code);
        closed++;
      }
    }
    if (closed > 0) this.#logger.info({ rooms: closed }, 'Janus rooms of meetings that are over destroyed');
    return closed;
  }

  /** Whether the server's connection to every Janus instance is up now. */
  get connected(): boolean {
    return this.#instances.every((instance) => instance.admin.connected);
  }

  async close(): Promise<void> {
    await Promise.all(this.#instances.map((instance) => instance.admin.close()));
  }

  /** Destroys the meeting's room on `instance` and forgets what this process knew of it there. */
  async #destroyRoom(instance: JanusInstance, code: string): Promise<void> {
    instance.rooms.delete(code);
    if (this.#placed.get(code) === instance) this.#placed.delete(code);
    for (const key of this.#muted) if (key.startsWith(`${code}/`)) this.#muted.delete(key);
    await this.#roomRequest(instance, code, 'destroy', {}, 'destroying the room');
    this.#logger.info({ meeting: code, room: this.roomOf(code) }, 'Janus room destroyed');
  }

  /** The meeting's instance as this process knows it: where it placed it last, else the first. */
  #instanceOf(code: string): JanusInstance {
    return this.#placed.get(code) ?? this.#instances[0]!;
  }

  /**
   * The live instance for the meeting: the stored one while it is up; else (new meeting, or its instance is down)
   * the live one with the fewest open meetings, stored in one step unless another node placed it meanwhile.
   */
  async #place(code: string): Promise<JanusInstance> {
    const byUrl = (url: string | undefined) => this.#instances.find((instance) => instance.url === url);
    const stored = await this.#store.mediaServerOf(code);
    const current = byUrl(stored);
    if (current?.admin.connected) return current;
    let live = this.#instances.filter((instance) => instance.admin.connected);
    if (live.length === 0) {
      // Nothing connected yet (just started) or everything down: try them all once, now.
      await Promise.allSettled(this.#instances.map((instance) => instance.admin.ready()));
      live = this.#instances.filter((instance) => instance.admin.connected);
    }
    if (current && live.includes(current)) return current;
    if (live.length === 0) throw new MediaServerError('The media server is unavailable: no Janus instance can be reached');
    const loads = await this.#store.mediaServerLoads(new Date());
    const chosen = live.reduce((best, instance) => ((loads.get(instance.url) ?? 0) < (loads.get(best.url) ?? 0) ? instance : best));
    const assigned = byUrl(await this.#store.assignMediaServer(code, chosen.url, stored));
    const instance = assigned?.admin.connected ? assigned : chosen;
    if (stored !== undefined) this.#logger.warn({ meeting: code, from: stored, to: instance.url }, 'meeting moved to another Janus instance');
    return instance;
  }

  async #create(instance: JanusInstance, code: string): Promise<void> {
    const room = this.roomOf(code);
    try {
      await instance.admin.request({
        request: 'create',
        room,
        admin_key: this.#config.adminKey,
        secret: this.#secretOf(code),
        is_private: true,
        signed_tokens: true,
        // Subscriptions belong to a publisher's private id: a kick then ends the kicked one's subscriptions too.
        require_pvtid: true,
        // The code, for the expiry sweep to find: only `list` with the admin key shows a private room.
        description: `${DESCRIPTION_PREFIX}${code}`,
        publishers: this.#config.maxPublishers,
        videocodec: 'vp8',
        audiocodec: 'opus',
        permanent: false,
      });
      this.#logger.info({ meeting: code, room }, 'Janus room created');
    } catch (error) {
      if (error instanceof JanusError && error.kind === 'plugin' && error.code === ROOM_EXISTS) return;
      this.#logger.error({ err: error, meeting: code, janus: instance.url }, 'cannot create the Janus room');
      throw new MediaServerError(`The media server is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A request on the meeting's room with its secret; a room or feed already gone is no failure. */
  async #roomRequest(instance: JanusInstance, code: string, request: string, fields: object, doing: string): Promise<void> {
    try {
      await instance.admin.request({ request, room: this.roomOf(code), secret: this.#secretOf(code), ...fields });
    } catch (error) {
      if (error instanceof JanusError && error.kind === 'plugin' && (error.code === NO_SUCH_ROOM || error.code === NO_SUCH_FEED)) return;
      this.#logger.error({ err: error, meeting: code }, `Janus: ${doing} failed`);
      throw error;
    }
  }

  #secretOf(code: string): string {
    return this.#derive('secret', code);
  }

  #derive(purpose: string, code: string): string {
    return createHmac('sha256', this.#config.tokenSecret).update(`${purpose}:${code}`).digest('hex');
  }
}
