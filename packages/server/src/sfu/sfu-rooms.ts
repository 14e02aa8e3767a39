import { createHmac, randomUUID } from 'node:crypto';
import type { SfuMediaPath } from '@parley/protocol';
import { JanusError } from '@parley/protocol/janus';
import type { Logger } from '../logger.js';
import { JanusAdmin } from './janus-admin.js';
import { signCoreToken, signRoomToken } from './janus-tokens.js';

/** The VideoRoom's "room exists" and "no such room" / "no such feed" error codes. */
const ROOM_EXISTS = 427;
const NO_SUCH_ROOM = 426;
const NO_SUCH_FEED = 428;

/** Marks Parley's rooms in Janus's list; the meeting code follows. */
const DESCRIPTION_PREFIX = 'parley:';

export interface SfuConfig {
  /** Janus's WebSocket API as this server reaches it. */
  janusUrl: string;
  /** Janus's WebSocket API as browsers reach it. */
  janusPublicUrl: string;
  /** Janus's `token_auth_secret`. */
  tokenSecret: string;
  /** The VideoRoom's `admin_key`. */
  adminKey: string;
  /** How long a participant's Janus tokens last; they are renewed half way (`media-path`). */
  tokenLifetimeMs: number;
  /** Most publishers in a room: the meeting's participant limit. */
  maxPublishers: number;
}

/** Thrown when the meeting's media cannot be set up: Janus is unreachable, or refused. */
export class MediaServerError extends Error {
  override readonly name = 'MediaServerError';
}

/**
 * SFU mode's controller: one private Janus VideoRoom per meeting, created at its first join and destroyed when it
 * ends or expires; participant-scoped, short-lived tokens for it; host controls mapped onto VideoRoom requests.
 *
 * Rooms are named and keyed from the meeting code with the token secret (an HMAC), so every node (and a server
 * restarted after a crash) agrees on them without storing anything, and the name tells nothing of the code.
 */
export class SfuRooms {
  readonly #config: SfuConfig;
  readonly #logger: Logger;
  readonly #admin: JanusAdmin;
  /** `code/id` of participants whose audio this server muted in Janus (a host's forced mute). */
  readonly #muted = new Set<string>();
  /** Rooms this process created or found, per meeting code: the creation, while it is under way. */
  readonly #rooms = new Map<string, Promise<void>>();

  constructor(config: SfuConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    // Janus keeps rooms in memory only: after a restart, each is created again by its meeting's next join or resume.
    this.#admin = new JanusAdmin({ url: config.janusUrl, tokenSecret: config.tokenSecret, logger, onLost: () => this.#rooms.clear() });
  }

  /** The meeting's VideoRoom id. */
  roomOf(code: string): string {
    return `parley-${this.#derive('room', code).slice(0, 32)}`;
  }

  /**
   * Makes sure the meeting's room exists (creating it, or finding that another node did). Rejects with a
   * {@link MediaServerError} when Janus cannot be reached or refuses.
   */
  async openRoom(code: string): Promise<void> {
    let opening = this.#rooms.get(code);
    if (!opening) {
      opening = this.#create(code);
      this.#rooms.set(code, opening);
      // A failed creation is tried again by the next join.
      opening.catch(() => this.#rooms.get(code) === opening && this.#rooms.delete(code));
    }
    await opening;
  }

  /** Where `participantId` sends and gets media, with tokens for the meeting's room only, from `now`. */
  mediaPath(code: string, participantId: string, now = Date.now()): SfuMediaPath {
    const expiresAt = now + this.#config.tokenLifetimeMs;
    const room = this.roomOf(code);
    return {
      mode: 'sfu',
      janusUrl: this.#config.janusPublicUrl,
      room,
      token: signCoreToken(this.#config.tokenSecret, expiresAt, participantId),
      roomToken: signRoomToken(this.#config.tokenSecret, expiresAt, room, participantId),
      tokenExpiresAt: Math.floor(expiresAt / 1000) * 1000,
    };
  }

  /** The meeting ended or expired: its room goes, and everyone still in it with it. */
  async closeRoom(code: string): Promise<void> {
    this.#rooms.delete(code);
    for (const key of this.#muted) if (key.startsWith(`${code}/`)) this.#muted.delete(key);
    await this.#roomRequest(code, 'destroy', {}, 'destroying the room');
    this.#logger.info({ meeting: code, room: this.roomOf(code) }, 'Janus room destroyed');
  }

  /** A host removed the participant: Janus stops forwarding their media and to them (the room has `require_pvtid`). */
  async kick(code: string, participantId: string): Promise<void> {
    await this.#roomRequest(code, 'kick', { id: participantId }, 'kicking a participant');
  }

  /**
   * A host's forced mute: Janus stops forwarding the participant's audio (VideoRoom `moderate`) until they turn their
   * microphone on again themselves ({@link unmuteAudio}). Returns how many audio streams were muted: none if they
   * publish no audio.
   */
  async muteAudio(code: string, participantId: string): Promise<number> {
    const mids = await this.#audioMids(code, participantId);
    for (const mid of mids) await this.#roomRequest(code, 'moderate', { id: participantId, mid, mute: true }, 'muting a participant');
    if (mids.length > 0) this.#muted.add(`${code}/${participantId}`);
    return mids.length;
  }

  /** The participant turned their microphone on again: a forced mute of theirs is lifted. */
  async unmuteAudio(code: string, participantId: string): Promise<void> {
    if (!this.#muted.delete(`${code}/${participantId}`)) return;
    for (const mid of await this.#audioMids(code, participantId)) {
      await this.#roomRequest(code, 'moderate', { id: participantId, mid, mute: false }, 'unmuting a participant');
    }
  }

  /**
   * The mids of a participant's published audio. `moderate` names a stream by mid, and only a publisher in the room
   * sees the others' streams: the server looks through a short-lived publisher of its own, which publishes nothing
   * (so nobody is told of it) and leaves at once.
   */
  async #audioMids(code: string, participantId: string): Promise<string[]> {
    const room = this.roomOf(code);
    const publishers = await this.#admin
      .withHandle(async (handle) => {
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
    const { list } = (await this.#admin.request({ request: 'list', admin_key: this.#config.adminKey })) as {
      list?: { room: string; description?: string }[];
    };
    let closed = 0;
    for (const { room, description } of list ?? []) {
      const code = description?.startsWith(DESCRIPTION_PREFIX) ? description.slice(DESCRIPTION_PREFIX.length) : undefined;
      if (code === undefined || room !== this.roomOf(code) || !(await isOver(code))) continue;
      await this.closeRoom(code);
      closed++;
    }
    if (closed > 0) this.#logger.info({ rooms: closed }, 'Janus rooms of meetings that are over destroyed');
    return closed;
  }

  /** Whether the server's connection to Janus is up now. */
  get connected(): boolean {
    return this.#admin.connected;
  }

  close(): Promise<void> {
    return this.#admin.close();
  }

  async #create(code: string): Promise<void> {
    const room = this.roomOf(code);
    try {
      await this.#admin.request({
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
      this.#logger.error({ err: error, meeting: code, janus: this.#config.janusUrl }, 'cannot create the Janus room');
      throw new MediaServerError(`The media server is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A request on the meeting's room with its secret; a room or feed already gone is no failure. */
  async #roomRequest(code: string, request: string, fields: object, doing: string): Promise<void> {
    try {
      await this.#admin.request({ request, room: this.roomOf(code), secret: this.#secretOf(code), ...fields });
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
