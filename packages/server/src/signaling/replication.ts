import type { ParticipantLeftReason } from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { Member } from './presence.js';
import { participantRoom } from './rooms.js';
import type { MemberSnapshot, ParleyServer, ParleySocket } from './types.js';
import type { Waiter } from './waiting-room.js';

/** How often a node says it is alive to the others, and after how long without a word it counts as gone. */
export const NODE_HEARTBEAT_MS = 2000;
export const NODE_TIMEOUT_MS = 3 * NODE_HEARTBEAT_MS;
/** After this node's Redis link comes back: when (ms) it re-asserts its participants again, in case PUB/SUB lost it. */
const REJOIN_DELAYS_MS = [1000, 3000];
/** How long a relay waits for a participant another node announced to the room but not yet to this node. */
const ARRIVAL_WAIT_MS = 500;

/** How a waiter's case was settled: let in, turned away, or gone. */
export type Verdict = 'admitted' | 'denied' | 'withdrew';

/** A socket or a room: where a message is emitted. */
export type Emitter = { emit: ParleySocket['emit'] };

/**
 * What replication needs of the membership it keeps in step (implemented by `Signaling`): changes heard from other
 * nodes are applied through it.
 */
export interface ReplicatedMembership {
  /** Every participant this node knows of: its own and the other nodes'. */
  members(): Member[];
  /** Everyone waiting in any meeting's waiting room. */
  waiters(): Waiter[];
  /** Another node's participant joined, changed, went away or came back. Returns whether they are new here. */
  memberHeard(snapshot: MemberSnapshot): boolean;
  /** Another node dropped a participant. */
  memberDropped(code: string, id: string, reason: ParticipantLeftReason): void;
  /** A host on another node ended a meeting. */
  meetingEnded(code: string): void;
  /** Someone waits on another node. */
  waiterHeard(waiter: Waiter): void;
  /** A waiter's case was settled on another node. */
  waiterSettled(code: string, id: string, verdict: Verdict): Promise<void>;
  /** The node of this connected participant went silent: they count as away from `now`. */
  nodeGone(member: Member, now: number): void;
  /** This node's Redis link is back and presence re-converged: store the occupancy it could not store meanwhile. */
  storeOccupancy(): void;
}

/**
 * How membership reaches the other nodes, if any: the signaling core calls it the same way on one node and on
 * several (as mediasoup-client's `HandlerInterface` hides the browser). {@link SingleNode} sends nothing;
 * {@link RedisReplication} replicates through the Socket.IO adapter's server-side events (see docs/scaling.md).
 */
export interface Replication {
  /** This node's id among several; `undefined` on a single node. */
  readonly nodeId: string | undefined;
  /** Whether this node's Redis link is up (always on a single node): while it is down storage cannot be read. */
  readonly linked: boolean;
  /** Starts listening to the other nodes, and applies what they say to `membership`. */
  start(membership: ReplicatedMembership): void;
  /** Whether this node owns `member` (holds, or last held, their connection), and so hands them over and tells them things. */
  owns(member: Member): boolean;
  /** A participant this node owns joined, changed, went away or came back. */
  publish(member: Member): void;
  dropped(member: Member, reason: ParticipantLeftReason): void;
  /** A host here ended a meeting (after its room heard `meeting-ended`). */
  meetingEnded(code: string): void;
  waiterAdded(waiter: Waiter): void;
  waiterSettled(waiter: Waiter, verdict: Verdict): void;
  /**
   * For a relay to someone unknown here: resolves once another node announces them, or after a moment. `undefined`
   * when no other node can (a single node): they are unknown, at once.
   */
  arrival(code: string, id: string): Promise<void> | undefined;
  /** Where a relay to a connected participant is emitted. */
  relayTarget(member: Member, socketId: string): Emitter;
  /** Where the event that says why a connection is about to be closed goes: straight to it, before the close. */
  beforeClose(socket: ParleySocket): Emitter;
  /** A room as far as this node's connections are concerned (the other nodes tell their own). */
  ownConnections(room: string): Emitter;
  /** Whether the connection of `member`, not found on this node (`local`), is on another node. */
  connectedElsewhere(member: Member, local: ParleySocket | undefined): boolean;
  /** This node's Redis link dropped or came back (see {@link RedisReplication.linkChanged}). */
  linkChanged(up: boolean, now?: number): void;
  /** For shutdown: nothing more is sent (the Redis client is about to close), and every timer stops. */
  close(): void;
}

/** Replication for a node on its own: nobody to tell. */
export class SingleNode implements Replication {
  readonly nodeId = undefined;
  readonly linked = true;
  readonly #io: ParleyServer;

  constructor(io: ParleyServer) {
    this.#io = io;
  }

  start(): void {}
  owns(): boolean {
    return true;
  }
  publish(): void {}
  dropped(): void {}
  meetingEnded(): void {}
  waiterAdded(): void {}
  waiterSettled(): void {}
  arrival(): undefined {
    return undefined;
  }
  /** The target's socket is here: emitting on it skips building a room broadcast per message. */
  relayTarget(member: Member, socketId: string): Emitter {
    return this.#io.sockets.sockets.get(socketId) ?? this.#io.to(participantRoom(member.info.id));
  }
  beforeClose(socket: ParleySocket): Emitter {
    return socket;
  }
  ownConnections(room: string): Emitter {
    return this.#io.to(room);
  }
  connectedElsewhere(): boolean {
    return false;
  }
  linkChanged(): void {}
  close(): void {}
}

/** Replication of presence between nodes through Redis: every node holds every participant, each owned by one node. */
export class RedisReplication implements Replication {
  readonly nodeId: string;
  readonly #io: ParleyServer;
  readonly #logger: Logger;
  #membership: ReplicatedMembership | undefined;
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
  /** Set by {@link close}: nothing more is sent to other nodes. */
  #closed = false;

  constructor(io: ParleyServer, nodeId: string, logger: Logger) {
    this.#io = io;
    this.nodeId = nodeId;
    this.#logger = logger;
  }

  get linked(): boolean {
    return this.#redisUpSince !== undefined;
  }

  start(membership: ReplicatedMembership): void {
    this.#membership = membership;
    const io = this.#io;
    io.on('presence:member', (snapshot) => {
      this.#nodes.set(snapshot.node, Math.max(this.#nodes.get(snapshot.node) ?? 0, Date.now()));
      if (membership.memberHeard(snapshot)) this.#arrived(snapshot.meetingCode, snapshot.info.id);
    });
    io.on('presence:drop', (code, id, reason) => membership.memberDropped(code, id, reason));
    io.on('meeting:ended', (code) => membership.meetingEnded(code));
    io.on('waiting:add', (waiter) => membership.waiterHeard(waiter));
    io.on('waiting:done', (code, id, verdict) => {
      membership.waiterSettled(code, id, verdict).catch((error: unknown) =>
        this.#logger.error({ err: error, meeting: code }, 'cluster: admitting a waiter failed'),
      );
    });
    io.on('node:alive', (node) => this.#heardFrom(node));
    io.on('presence:hello', (node) => {
      this.#heardFrom(node);
      this.#publishOwn();
      for (const waiter of membership.waiters()) {
        if (io.sockets.sockets.has(waiter.socketId)) this.waiterAdded(waiter);
      }
    });
    this.#hello();
    // The adapter may not read the stream yet when the first hello's answers come: ask again once it surely does.
    this.#later(() => this.#hello(), 1000);
    this.#heartbeat = setInterval(() => {
      this.#broadcast(() => io.serverSideEmit('node:alive', this.nodeId));
      this.#checkNodes();
    }, NODE_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#logger.info({ node: this.nodeId }, 'cluster: presence replicated through Redis');
  }

  owns(member: Member): boolean {
    return member.node === undefined || member.node === this.nodeId;
  }

  publish(member: Member): void {
    const snapshot: MemberSnapshot = {
      info: { ...member.info },
      meetingCode: member.meetingCode,
      removalMarks: member.removalMarks,
      socketId: member.socketId,
      node: member.node ?? this.nodeId,
      joinedAt: member.joinedAt,
      listedInJoinAnswer: member.listedInJoinAnswer,
      tokenIssuedAt: member.tokenIssuedAt,
      previousTokenIssuedAt: member.previousTokenIssuedAt,
      handRaisedAt: member.handRaisedAt,
      recordingSince: member.recordingSince,
      recordingAllowed: member.recordingAllowed,
    };
    this.#broadcast(() => this.#io.serverSideEmit('presence:member', snapshot));
  }

  dropped(member: Member, reason: ParticipantLeftReason): void {
    this.#broadcast(() => this.#io.serverSideEmit('presence:drop', member.meetingCode, member.info.id, reason));
  }

  meetingEnded(code: string): void {
    this.#broadcast(() => this.#io.serverSideEmit('meeting:ended', code));
  }

  waiterAdded(waiter: Waiter): void {
    this.#broadcast(() => this.#io.serverSideEmit('waiting:add', waiter));
  }

  waiterSettled(waiter: Waiter, verdict: Verdict): void {
    this.#broadcast(() => this.#io.serverSideEmit('waiting:done', waiter.meetingCode, waiter.id, verdict));
  }

  /**
   * Server-side events travel by Redis PUB/SUB, room broadcasts by the stream: a client may hear of a participant
   * on another node (and relay to it) a moment before this node does. Waits that moment, in arrival order.
   */
  arrival(code: string, id: string): Promise<void> {
    const key = `${code}/${id}`;
    return new Promise<void>((resolve) => {
      const waiting = this.#arrivals.get(key) ?? [];
      this.#arrivals.set(key, waiting);
      const timer = setTimeout(() => {
        const rest = (this.#arrivals.get(key) ?? []).filter((entry) => entry !== done);
        if (rest.length > 0) this.#arrivals.set(key, rest);
        else this.#arrivals.delete(key);
        resolve();
      }, ARRIVAL_WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiting.push(done);
    });
  }

  #arrived(code: string, id: string): void {
    const key = `${code}/${id}`;
    for (const arrived of this.#arrivals.get(key) ?? []) arrived();
    this.#arrivals.delete(key);
  }

  /** Through the participant's room: their connection may be on any node. */
  relayTarget(member: Member): Emitter {
    return this.#io.to(participantRoom(member.info.id));
  }

  /**
   * With the Redis adapter and connection state recovery, a plain emit is stored in Redis before it is sent, so it
   * would lose the race with the close: sent locally.
   */
  beforeClose(socket: ParleySocket): Emitter {
    return this.#io.local.to(socket.id);
  }

  ownConnections(room: string): Emitter {
    return this.#io.local.to(room);
  }

  connectedElsewhere(member: Member, local: ParleySocket | undefined): boolean {
    return member.socketId !== null && !local;
  }

  /**
   * server.ts tells when this node's Redis connection drops and comes back. While it is down no node is judged by
   * its silence; once back, this node re-asserts its own participants and asks the others for theirs, a few times,
   * since Redis PUB/SUB lost what was said meanwhile and the adapter's own connections (its subscriber) come back on
   * their own schedule.
   */
  linkChanged(up: boolean, now = Date.now()): void {
    if (this.#closed) return;
    if (!up) {
      this.#redisUpSince = undefined;
      return;
    }
    if (this.#redisUpSince !== undefined) return;
    this.#redisUpSince = now;
    this.#logger.info({ node: this.nodeId }, 'cluster: Redis is back; re-asserting presence');
    const reassert = () => {
      this.#publishOwn();
      this.#hello();
    };
    reassert();
    for (const timer of this.#rejoins) clearTimeout(timer);
    this.#rejoins.length = 0;
    for (const delayMs of REJOIN_DELAYS_MS) this.#later(reassert, delayMs);
    // Once presence has re-converged (after the last re-assertion), it says which meetings are in use.
    this.#later(() => this.#membership?.storeOccupancy(), REJOIN_DELAYS_MS.at(-1)! + 1000);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const timer of this.#rejoins) clearTimeout(timer);
    this.#closed = true;
  }

  #later(run: () => void, delayMs: number): void {
    const timer = setTimeout(run, delayMs);
    timer.unref();
    this.#rejoins.push(timer);
  }

  #publishOwn(): void {
    for (const member of this.#membership?.members() ?? []) if (member.node === this.nodeId) this.publish(member);
  }

  /** Asks every node for its participants (and so tells them this node is here). */
  #hello(): void {
    this.#broadcast(() => this.#io.serverSideEmit('presence:hello', this.nodeId));
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
   * Nodes gone silent (crashed, killed, cut off): their connected participants count as away from now. Only
   * silence while this node's Redis link was up counts: while Redis is away nobody can be heard.
   */
  #checkNodes(now = Date.now()): void {
    if (this.#redisUpSince === undefined || !this.#membership) return;
    for (const member of this.#membership.members()) {
      if (member.node === undefined || member.node === this.nodeId || member.socketId === null) continue;
      const seen = Math.max(this.#nodes.get(member.node) ?? 0, this.#redisUpSince);
      if (now - seen < NODE_TIMEOUT_MS) continue;
      this.#presumedGone.add(member.node);
      this.#membership.nodeGone(member, now);
    }
    // A node silent this long with none of its participants left here died for good: forget it.
    const withParticipants = new Set(this.#membership.members().map((member) => member.node));
    for (const [node, seen] of this.#nodes) {
      if (now - seen < NODE_TIMEOUT_MS || withParticipants.has(node)) continue;
      this.#nodes.delete(node);
      this.#presumedGone.delete(node);
    }
  }

  /** Sends a server-side event; Redis being away must not break the request that caused it. */
  #broadcast(send: () => unknown): void {
    if (this.#closed) return;
    try {
      const sent = send();
      if (sent instanceof Promise) sent.catch((error: unknown) => this.#logger.warn({ err: error }, 'cluster: broadcast failed'));
    } catch (error) {
      this.#logger.warn({ err: error }, 'cluster: broadcast failed');
    }
  }
}

/** The replication for a server alone (`cluster` unset) or one of several sharing a Redis. */
export function createReplication(io: ParleyServer, cluster: { nodeId: string } | undefined, logger: Logger): Replication {
  return cluster ? new RedisReplication(io, cluster.nodeId, logger) : new SingleNode(io);
}
