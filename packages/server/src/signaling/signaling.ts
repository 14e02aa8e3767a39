import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import {
  ProtocolErrorCode,
  type ClientToServerEvents,
  type IceServerConfig,
  type JoinedMeeting,
  type MeetingSettings,
  type ParticipantLeftReason,
  type ProtocolError,
  type Result,
  type WaitingForHost,
} from '@parley/protocol';
import {
  iceCandidateSchema,
  iceRestartRequestSchema,
  joinMeetingSchema,
  mediaStateSchema,
  meetingSettingsUpdateSchema,
  participantTargetSchema,
  resumeMeetingSchema,
  sessionDescriptionSchema,
} from '@parley/protocol/schemas';
import type { TurnConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Meeting, SavedParticipant } from '../meetings/meeting.js';
import { hostSettings, removalMarks, rolesChangedAt, type MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import type { ParticipantClaims, ParticipantTokens } from '../participant-tokens.js';
import type { RateLimits } from '../rate-limits.js';
import { iceServersFor } from '../turn.js';
import { MAX_HELD_MESSAGES, Presence, type HeldMessage, type Member } from './presence.js';
import { quickIceCandidate } from './quick-validation.js';
import type { ResumeClaims, ResumeTokens } from './resume-tokens.js';
import type { MemberSnapshot, ParleyServer, ParleySocket, SocketData } from './types.js';
import { MAX_WAITING, WaitingRooms, type Waiter } from './waiting-room.js';

export interface SignalingOptions {
  io: ParleyServer;
  meetings: MeetingService;
  iceServers: IceServerConfig[];
  /** Mints TURN credentials for every participant on join and resume, when set. */
  turn: TurnConfig | undefined;
  /** How long a participant whose connection dropped is kept for a resume. */
  resumeWindowMs: number;
  /**
   * After a start without hand-over (a crash, see `MeetingStore.markStarted`): until when (ms since the epoch)
   * participants with a token from before the start are taken back. 0 or absent: nobody is.
   */
  recoverUntil?: number;
  /** Signs and checks resume tokens, with a key every process on the same storage shares. */
  resumeTokens: ResumeTokens;
  /** Most participants in one meeting, away ones included. */
  maxParticipants: number;
  rateLimits: RateLimits;
  /** When set, every join must carry a valid participant token. */
  participantTokens: ParticipantTokens | undefined;
  logger: Logger;
  metrics: Metrics;
  /**
   * Set when several nodes share meetings through Redis: presence is then replicated to every node through the
   * Socket.IO adapter's server-side events (see docs/scaling.md).
   */
  cluster?: { nodeId: string } | undefined;
}

/** How often a node says it is alive to the others, and after how long without a word it counts as gone. */
export const NODE_HEARTBEAT_MS = 2000;
export const NODE_TIMEOUT_MS = 3 * NODE_HEARTBEAT_MS;
/** After this node's Redis link comes back: when (ms) it re-asserts its participants again, in case PUB/SUB lost it. */
const REJOIN_DELAYS_MS = [1000, 3000];
/**
 * A renewed resume token may not reach its holder whose connection drops at that moment: the token before it is
 * still accepted if the renewal came less than this before the drop (or before now).
 */
const RENEWAL_SLACK_MS = 2000;
/** A node drops another node's away participant this much after their window, unless the owner did it first. */
const REMOTE_EXPIRY_SLACK_MS = 2000;

/** Host controls, as counted in `parley_host_actions_total{action}` and logged. */
type HostAction = 'end' | 'mute' | 'remove' | 'transfer-host' | 'update' | 'admit' | 'deny';

/** How long an ended meeting's code stays refused from memory, covering joins that looked it up just before. */
const ENDED_MEMORY_MS = 60_000;

const meetingRoom = (code: string) => `meeting:${code}`;
const participantRoom = (id: string) => `participant:${id}`;

function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

function refusal(code: ProtocolErrorCode, message: string, extra?: Pick<ProtocolError, 'retryAfter'>): Result<never> {
  return { ok: false, error: { code, message, ...extra } };
}

/** How one client event is validated and handled; relays also time themselves. */
interface RequestHandler {
  schema: z.ZodType | undefined;
  /** A hand check of the schema for the hottest event: its output, or `undefined` to ask zod. */
  quick?: (payload: unknown) => unknown;
  handle: (socket: ParleySocket, payload: unknown) => Result<unknown> | Promise<Result<unknown>>;
  timer?: { observe(seconds: number): void };
}

/** Someone about to become a participant: from a join, or admitted from the waiting room. */
interface Entrant {
  id: string;
  name: string;
  isHost: boolean;
  audio: boolean;
  video: boolean;
  removalMarks: string[];
}

/** Disconnect reasons that say the client meant to go: no resume is coming. */
const DELIBERATE_DISCONNECTS = new Set(['client namespace disconnect', 'server namespace disconnect']);

/**
 * Wires the signaling protocol onto a Socket.IO server: validation, membership, relays and presence.
 * A participant whose connection drops stays in the meeting for the resume window; relayed messages for it are
 * held and delivered when it comes back, through Socket.IO's connection state recovery or a resume token.
 */
export class Signaling {
  readonly presence = new Presence();
  readonly waitingRooms = new WaitingRooms();
  readonly #options: SignalingOptions;
  /**
   * Meetings a host ended in the last minute. A join or resume that found the meeting joinable just before the end
   * was stored is refused by this once it goes on.
   */
  readonly #ended = new Set<string>();
  /** Removal marks being stored, per meeting: already refused while the write is under way. */
  readonly #removing = new Map<string, Set<string | symbol>>();
  /** When this process started: tokens issued before it may name participants it never saw (it crashed). */
  readonly #startedAt = Date.now();
  /**
   * `code/id` of participants who left while their departure is being stored (and for good while recovering): their
   * tokens from before the start are dead.
   */
  readonly #departed = new Set<string>();

  /**
   * Each meeting as last read from storage by a join or resume here, while someone is in it: a participant the
   * cluster still holds can resume with it while storage (Redis) is unreachable.
   */
  readonly #lastRead = new Map<string, Meeting>();
  /**
   * Meetings whose occupancy (occupied on a join or resume, vacated by the last departure) could not be stored
   * (Redis unreachable): once Redis is back they are stored again as presence then says (see {@link #storeOccupancy}).
   */
  readonly #unstoredOccupancy = new Set<string>();
  /** Meetings being read because another node's participant was first heard of here (see {@link #readAhead}). */
  readonly #readingAhead = new Set<string>();
  /** Relays waiting for a participant another node announced to the room but not yet to this node. */
  readonly #arrivals = new Map<string, (() => void)[]>();
  /** Other nodes, by id, with when they last said they were alive. */
  readonly #nodes = new Map<string, number>();
  /** Nodes whose connected participants {@link #checkNodes} counted as away: a word from one brings them back. */
  readonly #presumedGone = new Set<string>();
  /**
   * Since when this node's Redis link is up (`undefined` while it is down). Silence heard while it was down proves
   * nothing about the other nodes: they count as heard from when it came back.
   */
  #redisUpSince: number | undefined = Date.now();
  /** Hellos repeated after the Redis link came back, until the adapter's own connections surely did too. */
  readonly #rejoins: ReturnType<typeof setTimeout>[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Set by {@link close}: nothing more is sent to other nodes (the Redis client is about to close). */
  #closed = false;
  readonly #handlers: Map<string, RequestHandler>;
  /** Shared by every socket: Socket.IO calls it with the socket as `this`, so there is no closure per connection. */
  readonly #onSocketDisconnect: (this: ParleySocket, reason: string) => void;

  constructor(options: SignalingOptions) {
    this.#options = options;
    this.#handlers = this.#requests();
    const signaling = this;
    this.#onSocketDisconnect = function (reason) {
      signaling.#options.metrics.sockets.dec();
      if (this.data.waiting) signaling.#withdraw(this, 'disconnected');
      signaling.#onDisconnect(this, reason);
    };
    this.#skipLostSessions();
    options.io.on('connection', (socket) => this.#onConnection(socket));
    if (options.cluster) this.#joinCluster(options.cluster.nodeId);
  }

  get #nodeId(): string | undefined {
    return this.#options.cluster?.nodeId;
  }

  /** Replication of presence between nodes: every node holds every participant, each owned by one node. */
  #joinCluster(nodeId: string): void {
    const { io, logger } = this.#options;
    io.on('presence:member', (snapshot) => this.#onRemoteMember(snapshot));
    io.on('presence:drop', (code, id, reason) => this.#forget(code, id, reason));
    io.on('meeting:ended', (code) => this.#onRemoteEnd(code));
    io.on('waiting:add', (waiter) => {
      if (this.#ended.has(waiter.meetingCode)) return;
      this.waitingRooms.add(waiter);
      this.#updateGauges();
    });
    io.on('waiting:done', (code, id, verdict) => {
      this.#onRemoteVerdict(code, id, verdict).catch((error: unknown) =>
        this.#options.logger.error({ err: error, meeting: code }, 'cluster: admitting a waiter failed'),
      );
    });
    io.on('node:alive', (node) => this.#heardFrom(node));
    io.on('presence:hello', (node) => {
      this.#heardFrom(node);
      for (const member of this.presence.members()) if (member.node === nodeId) this.#publish(member);
      for (const code of this.waitingRooms.codes()) {
        for (const waiter of this.waitingRooms.waiters(code)) {
          if (this.#options.io.sockets.sockets.has(waiter.socketId)) this.#broadcast(() => io.serverSideEmit('waiting:add', waiter));
        }
      }
    });
    this.#hello();
    // The adapter may not read the stream yet when the first hello's answers come: ask again once it surely does.
    const again = setTimeout(() => this.#hello(), 1000);
    again.unref();
    this.#rejoins.push(again);
    this.#heartbeat = setInterval(() => {
      this.#broadcast(() => io.serverSideEmit('node:alive', nodeId));
      this.#checkNodes();
    }, NODE_HEARTBEAT_MS);
    this.#heartbeat.unref();
    logger.info({ node: nodeId }, 'cluster: presence replicated through Redis');
  }

  /** Asks every node for its participants (and so tells them this node is here). */
  #hello(): void {
    this.#broadcast(() => this.#options.io.serverSideEmit('presence:hello', this.#nodeId!));
  }

  /**
   * A node spoke: alive. If its participants were counted as away for its silence, or it was forgotten as dead
   * ({@link #checkNodes}), it is asked for them again.
   */
  #heardFrom(node: string): void {
    const known = this.#nodes.has(node);
    this.#nodes.set(node, Date.now());
    if (this.#presumedGone.delete(node) || !known) this.#hello();
  }

  /**
   * With several nodes, server.ts tells when this node's Redis connection drops and comes back. While it is down
   * no node is judged by its silence; once back, this node re-asserts its own participants and asks the others for
   * theirs, a few times, since Redis PUB/SUB lost what was said meanwhile and the adapter's own connections (its
   * subscriber) come back on their own schedule.
   */
  redisLinkChanged(up: boolean, now = Date.now()): void {
    if (!this.#options.cluster || this.#closed) return;
    if (!up) {
      this.#redisUpSince = undefined;
      return;
    }
    if (this.#redisUpSince !== undefined) return;
    this.#redisUpSince = now;
    this.#options.logger.info({ node: this.#nodeId }, 'cluster: Redis is back; re-asserting presence');
    const reassert = () => {
      for (const member of this.presence.members()) if (member.node === this.#nodeId) this.#publish(member);
      this.#hello();
    };
    reassert();
    for (const timer of this.#rejoins) clearTimeout(timer);
    this.#rejoins.length = 0;
    for (const delayMs of REJOIN_DELAYS_MS) {
      const timer = setTimeout(reassert, delayMs);
      timer.unref();
      this.#rejoins.push(timer);
    }
    // Once presence has re-converged (after the last re-assertion), it says which meetings are in use.
    const storing = setTimeout(() => this.#storeOccupancy(), REJOIN_DELAYS_MS.at(-1)! + 1000);
    storing.unref();
    this.#rejoins.push(storing);
  }

  #occupancyLost(code: string, error: unknown, what: string): void {
    this.#options.logger.error({ err: error, meeting: code }, what);
    this.#unstoredOccupancy.add(code);
  }

  /**
   * Stores the occupancy this node failed to store while Redis was away, as the cluster's presence says now (not
   * as it was: whoever joined or left meanwhile, on any node, counts): occupied if anyone is in the meeting, else
   * vacated (its code dies after the grace period, as it would have).
   */
  #storeOccupancy(): void {
    for (const code of this.#unstoredOccupancy) {
      this.#unstoredOccupancy.delete(code);
      const meeting = this.#lastRead.get(code);
      if (this.presence.members(code).length === 0) {
        this.#options.meetings.vacate(code).catch((error: unknown) => this.#occupancyLost(code, error, 'storing a departure failed'));
      } else if (meeting) {
        this.#options.meetings.occupy(meeting).written.catch((error: unknown) => this.#occupancyLost(code, error, 'storing a join failed'));
      }
    }
  }

  /** Sends a server-side event; Redis being away must not break the request that caused it. */
  #broadcast(send: () => unknown): void {
    if (this.#closed) return;
    try {
      const sent = send();
      if (sent instanceof Promise) sent.catch((error: unknown) => this.#options.logger.warn({ err: error }, 'cluster: broadcast failed'));
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'cluster: broadcast failed');
    }
  }

  /** Tells the other nodes about a participant this node owns (joined, changed, away, back). */
  #publish(member: Member): void {
    if (!this.#options.cluster) return;
    const snapshot: MemberSnapshot = {
      info: { ...member.info },
      meetingCode: member.meetingCode,
      removalMarks: member.removalMarks,
      socketId: member.socketId,
      node: member.node ?? this.#nodeId!,
      joinedAt: member.joinedAt,
      knew: member.knew,
      tokenIssuedAt: member.tokenIssuedAt,
      previousTokenIssuedAt: member.previousTokenIssuedAt,
    };
    this.#broadcast(() => this.#options.io.serverSideEmit('presence:member', snapshot));
  }

  #onRemoteMember(snapshot: MemberSnapshot): void {
    if (this.#ended.has(snapshot.meetingCode)) return;
    this.#nodes.set(snapshot.node, Math.max(this.#nodes.get(snapshot.node) ?? 0, Date.now()));
    let member = this.presence.get(snapshot.meetingCode, snapshot.info.id);
    if (!member) {
      member = { ...snapshot, held: [] };
      this.presence.add(member);
      this.#announce(member);
      this.#readAhead(snapshot.meetingCode);
      const key = `${snapshot.meetingCode}/${snapshot.info.id}`;
      for (const arrived of this.#arrivals.get(key) ?? []) arrived();
      this.#arrivals.delete(key);
    } else {
      const local = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
      if (local?.connected && snapshot.socketId === null) {
        // Counted away by its old node (it dropped there during a Redis outage and came back here): the connection
        // here is the newer word. Said again, so that the old node learns it too.
        this.#publish(member);
        return;
      }
      // Resumed on another node while its old connection still looks open here: retire that connection quietly.
      if (local && local.id !== snapshot.socketId) {
        this.#detach(local);
        local.disconnect(true);
      }
      member.info = snapshot.info;
      member.socketId = snapshot.socketId;
      member.node = snapshot.node;
      member.holding = false;
      member.tokenIssuedAt = snapshot.tokenIssuedAt;
      member.previousTokenIssuedAt = snapshot.previousTokenIssuedAt;
    }
    if (snapshot.socketId === null) member.awaySince ??= Date.now();
    else member.awaySince = undefined;
    clearTimeout(member.expiry);
    member.expiry = undefined;
    if (member.socketId === null) {
      this.#expireLater(member, this.#options.resumeWindowMs);
    } else if (member.held.length > 0) {
      // Messages held here while it was away go to it wherever it is now.
      const held = member.held;
      member.held = [];
      for (const message of held) this.#emit(this.#options.io.to(participantRoom(member.info.id)), message);
    }
    this.#updateGauges();
  }

  /**
   * Server-side events travel by Redis PUB/SUB, room broadcasts by the stream: a client may hear of a participant
   * on another node (and relay to it) a moment before this node does. Waits that moment, in arrival order.
   */
  async #arrival(code: string, id: string, timeoutMs = 500): Promise<Member | undefined> {
    const known = this.presence.get(code, id);
    if (known || !this.#options.cluster) return known;
    const key = `${code}/${id}`;
    await new Promise<void>((resolve) => {
      const waiting = this.#arrivals.get(key) ?? [];
      this.#arrivals.set(key, waiting);
      const timer = setTimeout(() => {
        const rest = (this.#arrivals.get(key) ?? []).filter((entry) => entry !== done);
        if (rest.length > 0) this.#arrivals.set(key, rest);
        else this.#arrivals.delete(key);
        resolve();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiting.push(done);
    });
    return this.presence.get(code, id);
  }

  /** Another node's away participant is dropped here too if its window closes and its owner said nothing. */
  #expireLater(member: Member, windowMs: number): void {
    const jitter = Math.floor(Math.random() * 1000);
    member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), windowMs + REMOTE_EXPIRY_SLACK_MS + jitter);
  }

  /**
   * Nodes gone silent (crashed, killed, cut off): their connected participants count as away from now. Only
   * silence while this node's Redis link was up counts: while Redis is away nobody can be heard.
   */
  #checkNodes(now = Date.now()): void {
    if (this.#redisUpSince === undefined) return;
    for (const member of this.presence.members()) {
      if (member.node === undefined || member.node === this.#nodeId || member.socketId === null) continue;
      const seen = Math.max(this.#nodes.get(member.node) ?? 0, this.#redisUpSince);
      if (now - seen < NODE_TIMEOUT_MS) continue;
      this.#presumedGone.add(member.node);
      member.socketId = null;
      member.awaySince = now;
      clearTimeout(member.expiry);
      this.#expireLater(member, this.#options.resumeWindowMs);
      this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, node: member.node }, 'away: its node is gone');
    }
    // A node silent this long with none of its participants left here died for good: forget it.
    const withParticipants = new Set(this.presence.members().map((member) => member.node));
    for (const [node, seen] of this.#nodes) {
      if (now - seen < NODE_TIMEOUT_MS || withParticipants.has(node)) continue;
      this.#nodes.delete(node);
      this.#presumedGone.delete(node);
    }
  }

  /** Another node dropped a participant: forget them here, and let go of their connection if it is here. */
  #forget(code: string, id: string, reason: ParticipantLeftReason): void {
    const member = this.presence.remove(code, id);
    if (!member) return;
    // The dropping node stores the departure (a removal is stored as such); here it counts at once.
    if (reason !== 'removed' && this.#recovering()) this.#departed.add(`${code}/${id}`);
    const socket = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
    if (socket) {
      this.#detach(socket);
      if (reason === 'removed') {
        // The removing node leaves telling a connection on another node to that node (PUB/SUB and the stream are
        // not ordered with each other, so a room broadcast could arrive after the disconnect).
        this.#lastWord(socket, 'removed');
      }
    }
    this.#updateGauges();
  }

  /** A host on another node ended a meeting (stored as ended already; the room heard `meeting-ended`). */
  #onRemoteEnd(code: string): void {
    this.#ended.add(code);
    setTimeout(() => this.#ended.delete(code), ENDED_MEMORY_MS).unref();
    for (const member of this.presence.members(code)) {
      this.presence.remove(code, member.info.id);
      const socket = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
      if (!socket) continue;
      this.#detach(socket);
      this.#lastWord(socket, 'meeting-ended');
    }
    for (const waiter of this.waitingRooms.waiters(code)) this.#turnAway(waiter, false);
    this.#updateGauges();
  }

  /**
   * A waiter's case was settled on another node (a host there admitted or denied them, or they went): off the list
   * here, and if their connection is here, in they come or out they go.
   */
  async #onRemoteVerdict(code: string, id: string, verdict: 'admitted' | 'denied' | 'withdrew'): Promise<void> {
    const waiter = this.waitingRooms.remove(code, id);
    this.#updateGauges();
    if (!waiter) return;
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket || socket.disconnected || socket.data.waiting?.participantId !== id) return;
    if (verdict === 'denied') {
      socket.data.waiting = undefined;
      this.#lastWord(socket, 'denied');
      return;
    }
    if (verdict !== 'admitted') return;
    const meeting = await this.#options.meetings.findJoinable(code);
    if (socket.disconnected || socket.data.waiting?.participantId !== id) return;
    socket.data.waiting = undefined;
    if (!meeting || this.#ended.has(code)) {
      this.#lastWord(socket, 'denied');
      return;
    }
    socket.emit('admitted', this.#enter(socket, meeting, { ...waiter, isHost: false }));
  }

  /** With several nodes: tells the others a waiter is off the list, and why. */
  #announceVerdict(waiter: Waiter, verdict: 'admitted' | 'denied' | 'withdrew'): void {
    if (!this.#options.cluster) return;
    this.#broadcast(() => this.#options.io.serverSideEmit('waiting:done', waiter.meetingCode, waiter.id, verdict));
  }

  /**
   * For shutdown, once the sockets are closed (everyone is away): stops every timer and returns everyone, for the
   * next process to take back ({@link restore}).
   */
  close(now = Date.now()): SavedParticipant[] {
    clearInterval(this.#heartbeat);
    for (const timer of this.#rejoins) clearTimeout(timer);
    this.#closed = true;
    const awayUntil = new Date(now + this.#options.resumeWindowMs);
    // With several nodes, each hands over only its own participants: the others' are theirs to hand over.
    const own = this.presence.members().filter((member) => member.node === undefined || member.node === this.#nodeId);
    const saved = own.map((member) => ({
      meetingCode: member.meetingCode,
      id: member.info.id,
      name: member.info.name,
      isHost: member.info.isHost,
      audioEnabled: member.info.audioEnabled,
      videoEnabled: member.info.videoEnabled,
      screenSharing: member.info.screenSharing,
      awayUntil,
      removalMarks: member.removalMarks,
      tokenIssuedAt: member.tokenIssuedAt ?? 0,
    }));
    this.presence.clear();
    // Waiting sockets were closed with the others; a waiting room is not handed over.
    this.waitingRooms.clear();
    this.#updateGauges();
    return saved;
  }

  /**
   * At start: takes back the participants a previous process saved at shutdown, as away, so that they can resume
   * until their window closes. Returns the codes of their meetings.
   */
  restore(saved: SavedParticipant[], now = Date.now()): Set<string> {
    const codes = new Set<string>();
    for (const { meetingCode, awayUntil, removalMarks: marks, tokenIssuedAt, ...info } of saved) {
      const remainingMs = awayUntil.getTime() - now;
      if (remainingMs <= 0) continue;
      // Everyone restored knows everyone restored: their clients reconcile with the resume answer.
      const member: Member = {
        info,
        meetingCode,
        removalMarks: marks,
        socketId: null,
        held: [],
        node: this.#nodeId,
        joinedAt: 0,
        knew: [],
        tokenIssuedAt: tokenIssuedAt || undefined,
        awaySince: now,
      };
      member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), remainingMs);
      this.presence.add(member);
      this.#publish(member);
      codes.add(meetingCode);
    }
    this.#updateGauges();
    if (codes.size > 0) this.#options.logger.info({ participants: this.presence.participantCount }, 'participants restored');
    return codes;
  }

  /** Each client event's payload schema and handler; one table for every socket (see {@link #dispatch}). */
  #requests(): Map<string, RequestHandler> {
    const request = <S extends z.ZodType>(
      schema: S | undefined,
      handle: (socket: ParleySocket, payload: z.output<S>) => Result<unknown> | Promise<Result<unknown>>,
    ): RequestHandler => ({ schema, handle: handle as RequestHandler['handle'] });
    const relay = <P extends { to: string }>(
      event: HeldMessage['event'],
      schema: z.ZodType<P>,
      message: (from: string, payload: P) => HeldMessage,
      quick?: (payload: unknown) => P | undefined,
    ): RequestHandler => ({
      schema,
      quick,
      handle: (socket, payload) => this.#relay(socket, payload as P, message),
      // Bound once: observing through a labelled child skips hashing the labels on every relay.
      timer: this.#options.metrics.relayDuration.labels({ event }),
    });
    const target = (handle: (socket: ParleySocket, participantId: string) => Result<unknown> | Promise<Result<unknown>>) =>
      request(participantTargetSchema, (socket, { participantId }) => handle(socket, participantId));
    // A record of every client event: the compiler sees to it that none is left without a handler.
    const handlers: Record<keyof ClientToServerEvents, RequestHandler> = {
      'join-meeting': request(joinMeetingSchema, (socket, payload) => this.#join(socket, payload)),
      'resume-meeting': request(resumeMeetingSchema, (socket, resume) => this.#resume(socket, resume)),
      offer: relay('offer', sessionDescriptionSchema, (from, { sdp }) => ({ event: 'offer', payload: { from, sdp } })),
      answer: relay('answer', sessionDescriptionSchema, (from, { sdp }) => ({ event: 'answer', payload: { from, sdp } })),
      'ice-candidate': relay(
        'ice-candidate',
        iceCandidateSchema,
        (from, { candidate }) => ({ event: 'ice-candidate', payload: { from, candidate } }),
        quickIceCandidate,
      ),
      'ice-restart-request': relay('ice-restart-request', iceRestartRequestSchema, (from) => ({
        event: 'ice-restart-request',
        payload: { from },
      })),
      'media-state': request(mediaStateSchema, (socket, state) => this.#setMediaState(socket, state)),
      'leave-meeting': request(undefined, (socket) => this.#leave(socket)),
      'end-meeting': request(undefined, (socket) => this.#endMeeting(socket)),
      'mute-participant': target((socket, id) => this.#mute(socket, id)),
      'remove-participant': target((socket, id) => this.#remove(socket, id)),
      'transfer-host': target((socket, id) => this.#transferHost(socket, id)),
      'update-meeting': request(meetingSettingsUpdateSchema, (socket, update) => this.#updateMeeting(socket, update)),
      'admit-participant': target((socket, id) => this.#admit(socket, id)),
      'deny-participant': target((socket, id) => this.#deny(socket, id)),
    };
    // A Map, not the record: an event named like an Object property (`constructor`, `__proto__`) finds nothing.
    return new Map(Object.entries(handlers));
  }

  #onConnection(socket: ParleySocket): void {
    this.#options.metrics.sockets.inc();
    socket.data.idleSince = Date.now();
    this.#limitAndDispatch(socket);
    socket.on('disconnect', this.#onSocketDisconnect);
    if (socket.recovered) this.#onRecovered(socket);
  }

  /**
   * Every event counts against the socket's budget (a fixed window, as rate-limiter-flexible's memory limiter
   * counted it); past it the event is dropped and the socket disconnected. Counted synchronously in the socket's
   * one middleware, which also dispatches the event: no promise, no timer and no listener per event and socket.
   */
  #limitAndDispatch(socket: ParleySocket): void {
    const { points, durationS } = this.#options.rateLimits.socketEvents;
    let used = 0;
    let windowEndsAt = 0;
    socket.use((event) => {
      // Socket.IO hands over packets a tick after reading them, so some may come after a disconnect: dropped, as
      // Socket.IO itself drops named events then.
      if (socket.disconnected) return;
      const now = Date.now();
      if (now >= windowEndsAt) {
        windowEndsAt = now + durationS * 1000;
        used = 0;
      }
      if (++used > points) {
        this.#options.metrics.floodDisconnects.inc();
        this.#options.logger.warn({ socket: socket.id, ip: this.#options.rateLimits.clientIp(socket.request) }, 'event flood: socket disconnected');
        socket.disconnect(true);
        return;
      }
      // `next` is never called: the event is handled here, so Socket.IO has no named event to emit afterwards.
      this.#dispatch(socket, event);
    });
  }

  /**
   * Handles a client event: the payload is validated against its schema, the ack is always the last argument, and
   * no input — an unknown event, a missing ack, a wrong type, a throwing handler — can take the server down.
   */
  #dispatch(socket: ParleySocket, args: unknown[]): void {
    const event = args[0] as string;
    const handler = this.#handlers.get(event);
    if (!handler) return;
    const started = handler.timer ? performance.now() : 0;
    const last = args.at(-1);
    const ack = args.length > 1 && typeof last === 'function' ? (last as (result: Result<unknown>) => void) : undefined;
    let outcome: Result<unknown> | Promise<Result<unknown>>;
    try {
      const quick = handler.quick?.(args[1]);
      const parsed = quick !== undefined || !handler.schema ? { success: true as const, data: quick } : handler.schema.safeParse(args[1]);
      outcome = parsed.success ? handler.handle(socket, parsed.data) : refusal(ProtocolErrorCode.InvalidPayload, describeIssues(event, parsed.error));
    } catch (error) {
      outcome = this.#failed(socket, event, error);
    }
    // Relays to a known participant answer synchronously: no promise, no microtask, no closure on the hot path.
    if (outcome instanceof Promise) {
      outcome.then(
        (result) => this.#answer(socket, event, handler, started, ack, result),
        (error: unknown) => this.#answer(socket, event, handler, started, ack, this.#failed(socket, event, error)),
      );
    } else {
      this.#answer(socket, event, handler, started, ack, outcome);
    }
  }

  #failed(socket: ParleySocket, event: string, error: unknown): Result<never> {
    this.#options.logger.error({ err: error, event, socket: socket.id }, 'request handler failed');
    return refusal(ProtocolErrorCode.Internal, 'Internal server error');
  }

  #answer(
    socket: ParleySocket,
    event: string,
    handler: RequestHandler,
    started: number,
    ack: ((result: Result<unknown>) => void) | undefined,
    result: Result<unknown>,
  ): void {
    if (!result.ok) {
      this.#options.metrics.refusals.inc({ event, code: result.error.code });
      this.#options.logger.info({ event, socket: socket.id, code: result.error.code }, 'request refused');
    } else {
      handler.timer?.observe((performance.now() - started) / 1000);
    }
    ack?.(result);
  }

  #setMediaState(socket: ParleySocket, state: z.output<typeof mediaStateSchema>): Result<unknown> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    this.presence.setMediaState(member.meetingCode, member.info.id, state);
    this.#publish(member);
    socket.to(meetingRoom(member.meetingCode)).emit('media-state', { participantId: member.info.id, ...state, screen: state.screen ?? false });
    return ok(undefined);
  }

  #leave(socket: ParleySocket): Result<unknown> {
    if (socket.data.waiting) {
      this.#withdraw(socket, 'withdrew');
      return ok(undefined);
    }
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Not in a meeting');
    this.#detach(socket);
    this.#drop(member, 'left');
    return ok(undefined);
  }

  async #join(socket: ParleySocket, request: z.output<typeof joinMeetingSchema>): Promise<Result<unknown>> {
    if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    // A join under way is no idle connection: the idle sweep must not close it while the join awaits (the rate limit,
    // the token, the lookup: each may be slow on a loaded Redis).
    socket.data.idleSince = Date.now();
    const ip = this.#options.rateLimits.clientIp(socket.request);
    const { rateLimits, logger } = this.#options;
    const retryAfter = await rateLimits.joinBlocked(ip);
    if (retryAfter !== undefined) {
      logger.warn({ ip, retryAfter }, 'join refused: too many failed joins from this address');
      return refusal(ProtocolErrorCode.RateLimited, 'Too many failed joins from your address', { retryAfter });
    }
    let claims: ParticipantClaims | undefined;
    if (this.#options.participantTokens) {
      const verdict = await this.#options.participantTokens.verify(request.token, request.code);
      if (!verdict.ok && verdict.retryable) {
        logger.error({ ip, reason: verdict.reason }, 'join refused: participant tokens cannot be checked');
        return refusal(ProtocolErrorCode.Internal, 'Participant tokens cannot be checked now');
      }
      if (!verdict.ok) {
        await rateLimits.joinFailed(ip);
        logger.info({ ip, reason: verdict.reason }, 'join refused: no valid participant token');
        return refusal(ProtocolErrorCode.Unauthorized, 'A valid participant token for this meeting is required');
      }
      claims = verdict.claims;
    }
    const meeting = await this.#options.meetings.findJoinable(request.code);
    if (meeting) this.#lastRead.set(meeting.code, meeting);
    if (!meeting || this.#ended.has(meeting.code)) {
      await rateLimits.joinFailed(ip);
      // The code as typed is not logged: it may be a near miss of a real one.
      logger.info({ ip }, 'join refused: no joinable meeting with that code');
      return refusal(ProtocolErrorCode.MeetingNotFound, 'No meeting with that code is open');
    }
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while joining');
    if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');

    const id = randomUUID();
    const entrant: Entrant = {
      id,
      name: claims?.name ?? request.name,
      isHost: this.#options.meetings.isHostKey(meeting, request.hostKey) || claims?.host === true,
      audio: request.audio,
      video: request.video,
      removalMarks: removalMarks({ sessionId: request.sessionId, subject: claims?.subject, participantId: id }),
    };
    if (this.#isRemoved(meeting, entrant.removalMarks)) {
      logger.info({ meeting: meeting.code, ip }, 'join refused: removed from this meeting');
      return refusal(ProtocolErrorCode.Removed, 'A host removed you from this meeting');
    }
    // Hosts get in whatever the settings: a host who lost their place must be able to come back.
    if (meeting.locked && !entrant.isHost) {
      logger.info({ meeting: meeting.code, ip }, 'join refused: meeting locked');
      return refusal(ProtocolErrorCode.MeetingLocked, 'The meeting is locked');
    }
    if (this.presence.list(meeting.code).length >= this.#options.maxParticipants) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    // While a removal is being stored its waiting room may not be yet: newcomers wait meanwhile.
    const removing = (this.#removing.get(meeting.code)?.size ?? 0) > 0;
    if ((hostSettings(meeting).waitingRoom || removing) && !entrant.isHost) {
      if (this.waitingRooms.size(meeting.code) >= MAX_WAITING) {
        return refusal(ProtocolErrorCode.MeetingFull, 'The waiting room is full');
      }
      return ok(this.#wait(socket, meeting.code, entrant));
    }
    return ok(this.#enter(socket, meeting, entrant));
  }

  /** Makes `entrant` a participant spoken for by `socket`, tells the others, and returns the join answer. */
  #enter(socket: ParleySocket, meeting: Meeting, entrant: Entrant): JoinedMeeting {
    const member: Member = {
      info: {
        id: entrant.id,
        name: entrant.name,
        isHost: entrant.isHost,
        audioEnabled: entrant.audio,
        videoEnabled: entrant.video,
        screenSharing: false,
      },
      meetingCode: meeting.code,
      removalMarks: entrant.removalMarks,
      socketId: socket.id,
      held: [],
      node: this.#nodeId,
      joinedAt: Date.now(),
      knew: [],
    };
    const others = this.presence.list(meeting.code);
    member.knew = others.map((info) => info.id);
    const occupied = this.#options.meetings.occupy(meeting);
    occupied.written.catch((error: unknown) => this.#occupancyLost(meeting.code, error, 'storing a join failed'));
    this.presence.add(member);
    this.#attach(socket, member);
    // Issues the token first, so that other nodes hear when.
    const joined = this.#joinedMeeting(member, others, { ...meeting, expiresAt: occupied.expiresAt });
    this.#publish(member);
    this.#updateGauges();
    this.#options.metrics.joins.inc();
    this.#options.logger.info({ meeting: meeting.code, participant: member.info.id, host: member.info.isHost }, 'joined');

    // The others offer as soon as they hear of the newcomer; the answer to the newcomer is written in this same
    // tick, so it always reaches the newcomer before any of those offers can.
    this.#announce(member);
    return joined;
  }

  /** Puts `entrant` in the meeting's waiting room; hosts hear of it. */
  #wait(socket: ParleySocket, code: string, entrant: Entrant): WaitingForHost {
    const waiter: Waiter = {
      id: entrant.id,
      name: entrant.name,
      meetingCode: code,
      socketId: socket.id,
      audio: entrant.audio,
      video: entrant.video,
      removalMarks: entrant.removalMarks,
    };
    this.waitingRooms.add(waiter);
    if (this.#options.cluster) this.#broadcast(() => this.#options.io.serverSideEmit('waiting:add', waiter));
    socket.data.waiting = { meetingCode: code, participantId: waiter.id };
    this.#updateGauges();
    this.#options.logger.info({ meeting: code, participant: waiter.id }, 'waiting');
    this.#sendWaitingList(code);
    return { waiting: true, participantId: waiter.id };
  }

  /** A waiting socket gave up (left or disconnected): off the list. */
  #withdraw(socket: ParleySocket, reason: string): void {
    const waiting = socket.data.waiting;
    socket.data.waiting = undefined;
    socket.data.idleSince = Date.now();
    const waiter = waiting && this.waitingRooms.remove(waiting.meetingCode, waiting.participantId);
    if (!waiting || !waiter) return;
    this.#announceVerdict(waiter, 'withdrew');
    this.#updateGauges();
    this.#options.logger.info({ meeting: waiting.meetingCode, participant: waiting.participantId, reason }, 'stopped waiting');
    this.#sendWaitingList(waiting.meetingCode);
  }

  /** Tells every host of the meeting who waits now (away hosts get it on recovery, or in their resume answer). */
  #sendWaitingList(code: string): void {
    const waiting = this.waitingRooms.list(code);
    for (const member of this.presence.members(code)) {
      if (member.info.isHost) this.#options.io.to(participantRoom(member.info.id)).emit('waiting-list', { waiting });
    }
  }

  /**
   * Takes a participant back on a new connection. A token from before this process started may name someone it
   * never saw (the previous process crashed): while recovering, they are taken back as the token says.
   */
  async #resume(socket: ParleySocket, request: z.output<typeof resumeMeetingSchema>): Promise<Result<unknown>> {
    if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    // As for a join: the idle sweep must not close a socket while its resume awaits the lookup.
    socket.data.idleSince = Date.now();
    const verdict = this.#options.resumeTokens.verify(request.resumeToken);
    if (!verdict.ok) {
      this.#options.logger.info({ reason: verdict.reason }, 'resume refused: the token is not valid');
      return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
    }
    const { claims } = verdict;
    // The token proves its holder was in the meeting: they may learn how it ended.
    const meeting = await this.#meetingToResume(claims.meeting, claims.participant);
    if (meeting === 'ended' || this.#ended.has(claims.meeting)) return refusal(ProtocolErrorCode.MeetingEnded, 'A host ended the meeting');
    if (meeting === 'expired') return refusal(ProtocolErrorCode.MeetingExpired, 'The meeting has expired');
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while resuming');
    if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');

    let member = this.presence.get(meeting.code, claims.participant);
    let expiresAt = meeting.expiresAt;
    if (member) {
      if (this.#superseded(member, claims.issuedAt)) {
        this.#options.logger.info({ meeting: meeting.code, participant: member.info.id }, 'resume refused: a newer token was issued');
        return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
      }
      // The old connection may still look open to us (it died without a close): retire it quietly.
      const previous = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
      if (previous && previous !== socket) {
        this.#detach(previous);
        previous.disconnect(true);
      }
    } else {
      const refused = this.#refuseTakeBack(meeting, claims);
      if (refused) return refused;
      member = this.#takeBack(meeting, claims, request);
      const occupied = this.#options.meetings.occupy(meeting);
      occupied.written.catch((error: unknown) => this.#occupancyLost(meeting.code, error, 'storing a resume failed'));
      expiresAt = occupied.expiresAt;
    }
    this.#attach(socket, member);
    member.node = this.#nodeId;
    member.holding = true;
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id }, 'resumed');
    const others = this.presence.list(member.meetingCode).filter((info) => info.id !== member.info.id);
    const joined = this.#joinedMeeting(member, others, { ...meeting, expiresAt });
    this.#publish(member);
    // Held messages go after the ack, once the client knows who is in the room again.
    setImmediate(() => this.#deliverHeld(socket, member));
    return ok({ ...joined, ...(this.#recovering() ? { recovering: true } : {}) });
  }

  /**
   * Reads a meeting this node first hears of from another node, while Redis is up: its participants may reconnect
   * here (nginx is not sticky), and during an outage {@link #meetingToResume} can then take them back at once.
   */
  #readAhead(code: string): void {
    if (this.#lastRead.has(code) || this.#readingAhead.has(code) || this.#redisUpSince === undefined) return;
    this.#readingAhead.add(code);
    this.#options.meetings
      .findResumable(code)
      .then((found) => {
        if (typeof found === 'object' && this.presence.members(code).length > 0) this.#lastRead.set(code, found);
      })
      .catch((error: unknown) => this.#options.logger.warn({ err: error, meeting: code }, 'reading a meeting ahead failed'))
      .finally(() => this.#readingAhead.delete(code));
  }

  /**
   * The meeting a resume is for, from storage. For someone the cluster still holds, while Redis is unreachable: the
   * meeting as last read here, at once (storage would only fail after its wait), so that they are not refused.
   */
  async #meetingToResume(code: string, participantId: string): Promise<Meeting | 'ended' | 'expired'> {
    const lastRead = this.presence.get(code, participantId) ? this.#lastRead.get(code) : undefined;
    if (lastRead && this.#redisUpSince === undefined) return lastRead;
    try {
      const found = await this.#options.meetings.findResumable(code);
      if (typeof found === 'object') this.#lastRead.set(found.code, found);
      return found;
    } catch (error) {
      if (!lastRead) throw error;
      this.#options.logger.warn({ err: error, meeting: code }, 'storage unreachable: resuming on the meeting as last read');
      return lastRead;
    }
  }

  /**
   * Whether a token issued at `issuedAt` is older than the latest one `member` got (and so cannot take them over):
   * the one before the latest still counts if the renewal came just before their connection dropped, or just now.
   */
  #superseded(member: Member, issuedAt: number, now = Date.now()): boolean {
    const latest = member.tokenIssuedAt;
    if (latest === undefined || issuedAt >= latest - RENEWAL_SLACK_MS) return false;
    const previous = member.previousTokenIssuedAt;
    const renewalMayBeLost = (member.awaySince ?? now) - latest < RENEWAL_SLACK_MS;
    return !(renewalMayBeLost && previous !== undefined && issuedAt >= previous - RENEWAL_SLACK_MS);
  }

  /** Started after a crash less than a resume window ago: participants of the crashed process may come back. */
  #recovering(now = Date.now()): boolean {
    return now < (this.#options.recoverUntil ?? 0);
  }

  /** Why a participant this process does not know cannot be taken back from their token, if they cannot. */
  #refuseTakeBack(meeting: Meeting, claims: ResumeClaims): Result<never> | undefined {
    // A token this process issued names someone it saw leave; so does one whose holder left while recovering.
    const departed =
      this.#departed.has(`${meeting.code}/${claims.participant}`) || this.#options.meetings.hasDeparted(meeting, claims.participant);
    const known = claims.issuedAt >= this.#startedAt || departed;
    if (known || !this.#recovering()) return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
    if (this.#isRemoved(meeting, claims.removalMarks)) return refusal(ProtocolErrorCode.Removed, 'A host removed you from this meeting');
    if (this.presence.list(meeting.code).length >= this.#options.maxParticipants) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    return undefined;
  }

  /**
   * Makes the participant a token names a member again, as it says (name, role) with the media state the client
   * sends, and tells the others. Those who joined since the restart never heard of them: the returning participant
   * offers to them (`participant-present`), as their resume answer lists them as unknown.
   */
  #takeBack(meeting: Meeting, claims: ResumeClaims, request: z.output<typeof resumeMeetingSchema>): Member {
    const member: Member = {
      info: {
        id: claims.participant,
        name: claims.name,
        isHost: claims.host && claims.issuedAt >= rolesChangedAt(meeting),
        audioEnabled: request.audio ?? false,
        videoEnabled: request.video ?? false,
        screenSharing: request.screen ?? false,
      },
      meetingCode: meeting.code,
      removalMarks: claims.removalMarks,
      socketId: null,
      held: [],
      node: this.#nodeId,
      joinedAt: 0,
      knew: [],
    };
    this.presence.add(member);
    this.#updateGauges();
    this.#options.logger.info({ meeting: meeting.code, participant: member.info.id, host: member.info.isHost }, 'taken back after a restart');
    this.#announce(member);
    return member;
  }

  /** A new resume token for `member`, due for renewal when half its life is gone. */
  #issueResumeToken(member: Member, now = Date.now()): string {
    const tokens = this.#options.resumeTokens;
    member.resumeTokenRenewAt = now + tokens.lifetimeMs / 2;
    member.previousTokenIssuedAt = member.tokenIssuedAt;
    member.tokenIssuedAt = now;
    const { meetingCode: meeting, info, removalMarks } = member;
    return tokens.issue({ meeting, participant: info.id, name: info.name, host: info.isHost, removalMarks }, now);
  }

  /** Sends `member` a new resume token (their role changed, or the old one is getting old). */
  #renewResumeToken(member: Member, now = Date.now()): void {
    this.#options.io.to(participantRoom(member.info.id)).emit('resume-token', { resumeToken: this.#issueResumeToken(member, now) });
    this.#publish(member);
  }

  /** At intervals: meetings nobody is in any more are no longer remembered as last read. */
  forgetEmptyMeetings(): void {
    for (const code of this.#lastRead.keys()) if (this.presence.members(code).length === 0) this.#lastRead.delete(code);
  }

  /** At intervals: connected participants of this node whose token is half way to expiry get a new one. */
  renewResumeTokens(now = Date.now()): void {
    for (const member of this.presence.members()) {
      const owned = member.node === undefined || member.node === this.#nodeId;
      if (owned && member.socketId !== null && (member.resumeTokenRenewAt ?? 0) <= now) this.#renewResumeToken(member, now);
    }
  }

  /**
   * After a crash of every node, Socket.IO may find in Redis the session of a participant nobody knows any more:
   * restored, it would be closed at once (see {@link #onRecovered}) and its client would end the call while its peers
   * are still connected. While recovering, such a session is not restored: the client gets a plain new connection
   * and resumes with its token, which takes the participant back. While this node's Redis link is down no session
   * can be read (the lookup would wait for Redis, and the connection with it): the client gets a new connection at once.
   */
  #skipLostSessions(): void {
    const adapter = this.#options.io.of('/').adapter;
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = async (pid, offset) => {
      if (this.#redisUpSince === undefined) return null as unknown as Awaited<ReturnType<typeof restore>>;
      const session = await restore(pid, offset);
      const { meetingCode, participantId } = (session?.data ?? {}) as SocketData;
      if (!session || !meetingCode || !participantId || !this.#recovering()) return session;
      // Null is what the adapters answer for a session they do not have.
      return this.presence.get(meetingCode, participantId) ? session : (null as unknown as typeof session);
    };
  }

  /** Socket.IO restored a dropped connection with its rooms and data: take the participant back. */
  #onRecovered(socket: ParleySocket): void {
    if (socket.data.waiting) {
      // It left the waiting room when it dropped: there is nothing to come back to.
      socket.data.waiting = undefined;
      socket.disconnect(true);
      return;
    }
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return;
    const member = this.presence.get(meetingCode, participantId);
    if (!member || (member.socketId !== null && member.socketId !== socket.id)) {
      // Dropped from the meeting, or resumed elsewhere meanwhile: this connection speaks for nobody.
      this.#detach(socket);
      socket.disconnect(true);
      return;
    }
    this.#attach(socket, member);
    member.node = this.#nodeId;
    this.#publish(member);
    this.#deliverHeld(socket, member);
    this.#options.logger.info({ meeting: meetingCode, participant: participantId }, 'recovered');
  }

  #onDisconnect(socket: ParleySocket, reason: string): void {
    const member = this.#memberOf(socket);
    if (!member) return;
    if (DELIBERATE_DISCONNECTS.has(reason)) {
      this.#drop(member, 'disconnected');
      return;
    }
    member.socketId = null;
    member.awaySince = Date.now();
    member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), this.#options.resumeWindowMs);
    this.#publish(member);
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'away');
  }

  /**
   * At intervals: people waiting for a meeting that has meanwhile expired (its host never came, say) are turned
   * away, as if denied.
   */
  async sweepWaitingRooms(now = new Date()): Promise<void> {
    for (const code of this.waitingRooms.codes()) {
      const meeting = await this.#options.meetings.findJoinable(code, now);
      if (meeting && !this.#ended.has(code)) continue;
      for (const waiter of this.waitingRooms.waiters(code)) this.#turnAway(waiter);
      this.#updateGauges();
    }
  }

  /** The sender, if it is a host; else the refusal to answer with. */
  #hostOf(socket: ParleySocket): Member | Result<never> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    if (!member.info.isHost) return refusal(ProtocolErrorCode.NotHost, 'Only a host can do this');
    return member;
  }

  /** Another participant of the host's meeting (away ones included). */
  #targetOf(host: Member, participantId: string): Member | undefined {
    return participantId === host.info.id ? undefined : this.presence.get(host.meetingCode, participantId);
  }

  #hostAction(action: HostAction, host: Member, target?: string): void {
    this.#options.metrics.hostActions.inc({ action });
    this.#options.logger.info({ meeting: host.meetingCode, participant: host.info.id, action, target }, 'host action');
  }

  /**
   * Ends the meeting for everyone: stored as ended first (its code is dead from then on), then everyone is taken
   * out of it at once. They are told, and their connections closed, right after the host's acknowledgement.
   */
  async #endMeeting(socket: ParleySocket): Promise<Result<unknown>> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const code = host.meetingCode;
    if (this.#ended.has(code)) return ok(undefined);
    this.#ended.add(code);
    setTimeout(() => this.#ended.delete(code), ENDED_MEMORY_MS).unref();
    try {
      await this.#options.meetings.end(code);
    } catch (error) {
      this.#ended.delete(code);
      throw error;
    }
    this.#hostAction('end', host);

    const closing: { socket: ParleySocket; event: 'meeting-ended' | 'denied' }[] = [];
    for (const member of this.presence.members(code)) {
      this.presence.remove(code, member.info.id);
      this.#options.metrics.leaves.inc({ reason: 'ended' });
      const memberSocket = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
      if (!memberSocket) continue;
      this.#detach(memberSocket);
      closing.push({ socket: memberSocket, event: 'meeting-ended' });
    }
    for (const waiter of this.waitingRooms.waiters(code)) {
      this.waitingRooms.remove(code, waiter.id);
      const waiterSocket = this.#options.io.sockets.sockets.get(waiter.socketId);
      if (!waiterSocket) continue;
      waiterSocket.data.waiting = undefined;
      closing.push({ socket: waiterSocket, event: 'denied' });
    }
    this.#updateGauges();
    this.#options.logger.info({ meeting: code, participants: closing.length }, 'meeting ended');
    setImmediate(() => {
      // Away participants whose connection Socket.IO recovers get it replayed, then are disconnected. With several
      // nodes, each other node tells its own connections (below).
      (this.#options.cluster ? this.#options.io.local : this.#options.io).to(meetingRoom(code)).emit('meeting-ended');
      for (const { socket: closed, event } of closing) {
        this.#lastWord(closed, event);
      }
      // Other nodes let go of their participants and waiters of this meeting (after the room heard the end).
      if (this.#options.cluster) this.#broadcast(() => this.#options.io.serverSideEmit('meeting:ended', code));
    });
    return ok(undefined);
  }

  #mute(socket: ParleySocket, participantId: string): Result<unknown> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const target = this.#targetOf(host, participantId);
    if (!target) return refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    this.#options.io.to(participantRoom(target.info.id)).emit('mute-requested', { by: host.info.id });
    this.#hostAction('mute', host, target.info.id);
    return ok(undefined);
  }

  /**
   * Takes a participant out of the meeting and keeps their session (and token subject) out for good; the meeting's
   * waiting room turns on, for whoever comes back under another session. The removal counts from this tick on;
   * storing it may take a moment, so meanwhile it is also remembered here (and joins go to the waiting room).
   */
  async #remove(socket: ParleySocket, participantId: string): Promise<Result<unknown>> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const target = this.#targetOf(host, participantId);
    if (!target) return refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    const code = host.meetingCode;
    let removing = this.#removing.get(code);
    if (!removing) {
      removing = new Set();
      this.#removing.set(code, removing);
    }
    for (const mark of target.removalMarks) removing.add(mark);

    const targetSocket = target.socketId === null ? undefined : this.#options.io.sockets.sockets.get(target.socketId);
    // To the participant's room, so that an away participant whose connection is recovered hears it too. A
    // participant connected to another node is told by that node when it hears of the removal.
    const elsewhere = this.#options.cluster && target.socketId !== null && !targetSocket;
    if (!targetSocket && !elsewhere) this.#options.io.to(participantRoom(target.info.id)).emit('removed');
    this.#drop(target, 'removed');
    if (targetSocket) this.#lastWord(targetSocket, 'removed');
    this.#hostAction('remove', host, target.info.id);
    // A participant without marks still makes the removal under way, for the waiting room's sake.
    const pending = Symbol('removal');
    removing.add(pending);
    try {
      const opened = await this.#options.meetings.recordRemoval(code, target.removalMarks);
      if (opened) {
        this.#options.logger.info({ meeting: code, ...opened }, 'waiting room turned on after a removal');
        this.#options.io.to(meetingRoom(code)).emit('meeting-updated', opened);
      }
    } finally {
      for (const mark of target.removalMarks) removing.delete(mark);
      removing.delete(pending);
      if (removing.size === 0 && this.#removing.get(code) === removing) this.#removing.delete(code);
    }
    return ok(undefined);
  }

  #isRemoved(meeting: Meeting, marks: readonly string[]): boolean {
    const removing = this.#removing.get(meeting.code);
    return this.#options.meetings.isRemoved(meeting, marks) || marks.some((mark) => removing?.has(mark));
  }

  #transferHost(socket: ParleySocket, participantId: string): Result<unknown> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const target = this.#targetOf(host, participantId);
    if (!target) return refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    const room = this.#options.io.to(meetingRoom(host.meetingCode));
    // The new host first, so that the meeting never looks hostless.
    if (!target.info.isHost) {
      target.info.isHost = true;
      room.emit('host-changed', { participantId: target.info.id, isHost: true });
    }
    host.info.isHost = false;
    room.emit('host-changed', { participantId: host.info.id, isHost: false });
    this.#publish(target);
    this.#publish(host);
    // A token says whether its holder is host. From now on, a token from before says nothing about the role (a
    // server taking its holder back after a crash makes them a guest): every host and the old one get new ones.
    const changedAt = Date.now();
    this.#options.meetings
      .recordRoleChange(host.meetingCode, changedAt)
      .catch((error: unknown) => this.#options.logger.error({ err: error, meeting: host.meetingCode }, 'storing a host change failed'));
    for (const member of this.presence.members(host.meetingCode)) {
      if (member.info.isHost || member === host) this.#renewResumeToken(member, changedAt);
    }
    this.#options.io.to(participantRoom(target.info.id)).emit('waiting-list', { waiting: this.waitingRooms.list(host.meetingCode) });
    this.#options.io.to(participantRoom(host.info.id)).emit('waiting-list', { waiting: [] });
    this.#hostAction('transfer-host', host, target.info.id);
    return ok(undefined);
  }

  async #updateMeeting(socket: ParleySocket, update: Partial<MeetingSettings>): Promise<Result<unknown>> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const code = host.meetingCode;
    const changed = await this.#options.meetings.configure(code, update);
    if (!changed) return refusal(ProtocolErrorCode.Internal, 'The meeting is not stored');
    const { previous, current } = changed;
    const unchanged =
      previous.locked === current.locked &&
      previous.waitingRoom === current.waitingRoom &&
      previous.waitingRoomAfterRemoval === current.waitingRoomAfterRemoval;
    if (unchanged) return ok(current);
    this.#hostAction('update', host);
    this.#options.logger.info({ meeting: code, ...current }, 'meeting settings changed');
    this.#options.io.to(meetingRoom(code)).emit('meeting-updated', current);
    // No waiting room any more: everyone waiting comes in, first come first, as far as there is room.
    if (previous.waitingRoom && !current.waitingRoom && this.waitingRooms.size(code) > 0) {
      const meeting = await this.#options.meetings.findJoinable(code);
      if (meeting && !this.#ended.has(code)) {
        for (const waiter of this.waitingRooms.waiters(code)) {
          if (this.presence.list(code).length >= this.#options.maxParticipants) break;
          this.#letIn(waiter, meeting);
        }
        this.#sendWaitingList(code);
      }
    }
    return ok(current);
  }

  async #admit(socket: ParleySocket, participantId: string): Promise<Result<unknown>> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const code = host.meetingCode;
    if (!this.waitingRooms.get(code, participantId)) {
      return refusal(ProtocolErrorCode.ParticipantNotFound, 'Nobody with that id is waiting for this meeting');
    }
    const meeting = await this.#options.meetings.findJoinable(code);
    if (!meeting || this.#ended.has(code)) return refusal(ProtocolErrorCode.MeetingNotFound, 'The meeting is no longer open');
    // The lookup awaited: check again.
    const waiter = this.waitingRooms.get(code, participantId);
    if (!waiter) return refusal(ProtocolErrorCode.ParticipantNotFound, 'Nobody with that id is waiting for this meeting');
    if (this.presence.list(code).length >= this.#options.maxParticipants) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    this.#letIn(waiter, meeting);
    this.#sendWaitingList(code);
    this.#hostAction('admit', host, waiter.id);
    return ok(undefined);
  }

  /** Takes a waiter off the list and into the meeting; the caller sends hosts the new list. */
  #letIn(waiter: Waiter, meeting: Meeting): void {
    this.waitingRooms.remove(waiter.meetingCode, waiter.id);
    // A waiter connected to another node is let in by that node.
    this.#announceVerdict(waiter, 'admitted');
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket || socket.disconnected) {
      this.#updateGauges();
      return;
    }
    socket.data.waiting = undefined;
    const joined = this.#enter(socket, meeting, { ...waiter, isHost: false });
    socket.emit('admitted', joined);
  }

  #deny(socket: ParleySocket, participantId: string): Result<unknown> {
    const host = this.#hostOf(socket);
    if (!('info' in host)) return host;
    const waiter = this.waitingRooms.get(host.meetingCode, participantId);
    if (!waiter) return refusal(ProtocolErrorCode.ParticipantNotFound, 'Nobody with that id is waiting for this meeting');
    this.#turnAway(waiter);
    this.#updateGauges();
    this.#sendWaitingList(host.meetingCode);
    this.#hostAction('deny', host, waiter.id);
    return ok(undefined);
  }

  /** Takes a waiter off the list, tells them `denied` and closes their connection. */
  #turnAway(waiter: Waiter, announce = true): void {
    this.waitingRooms.remove(waiter.meetingCode, waiter.id);
    if (announce) this.#announceVerdict(waiter, 'denied');
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket) return;
    socket.data.waiting = undefined;
    this.#lastWord(socket, 'denied');
  }

  /**
   * Tells a connection why it is closed, then closes it. With the Redis adapter and connection state recovery, a
   * plain emit is stored in Redis before it is sent, so it would lose the race with the close: send it locally.
   */
  #lastWord(socket: ParleySocket, event: 'removed' | 'meeting-ended' | 'denied'): void {
    (this.#options.cluster ? this.#options.io.local.to(socket.id) : socket).emit(event);
    socket.disconnect(true);
  }

  /**
   * Forwards a message to one other member of the sender's meeting; the sender id comes from server state.
   * Synchronous when the target is known here, which is every relay on one node.
   */
  #relay<P extends { to: string }>(
    socket: ParleySocket,
    payload: P,
    message: (from: string, payload: P) => HeldMessage,
  ): Result<unknown> | Promise<Result<unknown>> {
    const sender = this.#memberOf(socket);
    if (!sender) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    const notFound = () => refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    if (payload.to === sender.info.id) return notFound();
    const target = this.presence.get(sender.meetingCode, payload.to);
    if (target) return this.#relayTo(target, message(sender.info.id, payload));
    if (!this.#options.cluster) return notFound();
    return this.#arrival(sender.meetingCode, payload.to).then((arrived) =>
      arrived ? this.#relayTo(arrived, message(sender.info.id, payload)) : notFound(),
    );
  }

  #relayTo(target: Member, held: HeldMessage): Result<unknown> {
    const from = held.payload.from;
    if (target.socketId === null || target.holding) {
      // A new offer supersedes the sender's earlier offers and their candidates: replaying those would only
      // confuse the negotiation the new one starts.
      if (held.event === 'offer') {
        target.held = target.held.filter((earlier) => earlier.payload.from !== from || earlier.event === 'answer');
      }
      // One restart on return answers any number of requests.
      if (held.event === 'ice-restart-request') {
        target.held = target.held.filter((earlier) => earlier.payload.from !== from || earlier.event !== held.event);
      }
      if (target.held.filter((earlier) => earlier.payload.from === from).length >= MAX_HELD_MESSAGES) {
        return refusal(ProtocolErrorCode.RateLimited, 'Too many messages waiting for that participant');
      }
      target.held.push(held);
      return ok(undefined);
    }
    // On one node the target's socket is here: emitting on it skips building a room broadcast per message (with
    // connection state recovery it is stored for a replay all the same). Several nodes: through the room.
    const local = this.#options.cluster ? undefined : this.#options.io.sockets.sockets.get(target.socketId);
    this.#emit(local ?? this.#options.io.to(participantRoom(target.info.id)), held);
    return ok(undefined);
  }

  #emit(target: { emit: ParleySocket['emit'] }, { event, payload }: HeldMessage): void {
    // The union of events and payloads is matched pairwise by HeldMessage; emit's overloads cannot see that.
    target.emit(event as 'offer', payload as never);
  }

  #deliverHeld(socket: ParleySocket, member: Member): void {
    if (member.socketId !== socket.id || socket.disconnected) return;
    const held = member.held;
    member.held = [];
    member.holding = false;
    for (const message of held) this.#emit(socket, message);
  }

  /**
   * Tells this node's participants of the meeting about `newcomer`, who just joined here or was just heard of from
   * another node (each node tells its own, so a join crossing another on another node is still told to both).
   * Exactly one side of each pair sends the first offer: whoever the other's join answer listed, or else whoever
   * joined first.
   */
  #announce(newcomer: Member): void {
    const { io } = this.#options;
    for (const member of this.presence.members(newcomer.meetingCode)) {
      const owned = !this.#options.cluster || member.node === this.#nodeId;
      if (member === newcomer || !owned || member.knew.includes(newcomer.info.id)) continue;
      const offersFirst =
        newcomer.knew.includes(member.info.id) ||
        member.joinedAt < newcomer.joinedAt ||
        (member.joinedAt === newcomer.joinedAt && member.info.id < newcomer.info.id);
      io.to(participantRoom(member.info.id)).emit(offersFirst ? 'participant-joined' : 'participant-present', newcomer.info);
    }
  }

  /** Makes `socket` speak for `member`. */
  #attach(socket: ParleySocket, member: Member): void {
    clearTimeout(member.expiry);
    member.expiry = undefined;
    member.awaySince = undefined;
    member.socketId = socket.id;
    socket.data.meetingCode = member.meetingCode;
    socket.data.participantId = member.info.id;
    socket.join([meetingRoom(member.meetingCode), participantRoom(member.info.id)]);
  }

  /** Makes `socket` speak for nobody. */
  #detach(socket: ParleySocket): void {
    const { meetingCode, participantId } = socket.data;
    socket.data.meetingCode = undefined;
    socket.data.participantId = undefined;
    socket.data.idleSince = Date.now();
    if (meetingCode) socket.leave(meetingRoom(meetingCode));
    if (participantId) socket.leave(participantRoom(participantId));
  }

  /** Removes a participant from its meeting and tells the others. */
  #drop(member: Member, reason: ParticipantLeftReason): void {
    if (!this.presence.remove(member.meetingCode, member.info.id)) return;
    if (reason !== 'removed') this.#rememberDeparture(member.meetingCode, member.info.id);
    if (this.#options.cluster) {
      this.#broadcast(() => this.#options.io.serverSideEmit('presence:drop', member.meetingCode, member.info.id, reason));
    }
    const socket = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
    if (socket) this.#detach(socket);
    this.#options.io.to(meetingRoom(member.meetingCode)).emit('participant-left', { participantId: member.info.id, reason });
    this.#updateGauges();
    this.#options.metrics.leaves.inc({ reason });
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'left');
    if (this.presence.list(member.meetingCode).length === 0) {
      this.#options.meetings
        .vacate(member.meetingCode)
        .catch((error: unknown) => this.#occupancyLost(member.meetingCode, error, 'storing a departure failed'));
    }
  }

  /** A participant who left cannot be taken back after a crash with a token from before: stored with the meeting. */
  #rememberDeparture(code: string, id: string): void {
    const key = `${code}/${id}`;
    this.#departed.add(key);
    this.#options.meetings
      .recordDeparture(code, id)
      .catch((error: unknown) => this.#options.logger.error({ err: error, meeting: code }, 'storing a departure failed'))
      .finally(() => {
        if (!this.#recovering()) this.#departed.delete(key);
      });
  }

  #memberOf(socket: ParleySocket): Member | undefined {
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return undefined;
    const member = this.presence.get(meetingCode, participantId);
    return member && member.socketId === socket.id ? member : undefined;
  }

  #joinedMeeting(member: Member, others: JoinedMeeting['participants'], meeting: Meeting): JoinedMeeting {
    return {
      meeting: { code: member.meetingCode, expiresAt: meeting.expiresAt.toISOString() },
      self: { ...member.info },
      participants: others,
      iceServers: iceServersFor(member.info.id, this.#options.iceServers, this.#options.turn),
      resumeToken: this.#issueResumeToken(member),
      resumeWindowMs: this.#options.resumeWindowMs,
      settings: hostSettings(meeting),
      waiting: member.info.isHost ? this.waitingRooms.list(member.meetingCode) : [],
    };
  }

  #updateGauges(): void {
    this.#options.metrics.activeMeetings.set(this.presence.meetingCount);
    this.#options.metrics.participants.set(this.presence.participantCount);
    this.#options.metrics.waiting.set(this.waitingRooms.count);
  }
}

function describeIssues(event: string, error: z.ZodError): string {
  const details = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
    .join('; ');
  return `Invalid "${event}" payload: ${details}`;
}
