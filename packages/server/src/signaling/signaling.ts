import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { z } from 'zod';
import {
  ProtocolErrorCode,
  type ClientToServerEvents,
  type IceServerConfig,
  type JoinedMeeting,
  type ParticipantLeftReason,
  type ProtocolError,
  type Result,
} from '@parley/protocol';
import {
  iceCandidateSchema,
  joinMeetingSchema,
  mediaStateSchema,
  resumeMeetingSchema,
  sessionDescriptionSchema,
} from '@parley/protocol/schemas';
import type { TurnConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { SavedParticipant } from '../meetings/meeting.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import type { RateLimits } from '../rate-limits.js';
import { iceServersFor } from '../turn.js';
import { MAX_HELD_MESSAGES, Presence, type HeldMessage, type Member } from './presence.js';
import type { ParleyServer, ParleySocket } from './types.js';

export interface SignalingOptions {
  io: ParleyServer;
  meetings: MeetingService;
  iceServers: IceServerConfig[];
  /** Mints TURN credentials for every participant on join and resume, when set. */
  turn: TurnConfig | undefined;
  /** How long a participant whose connection dropped is kept for a resume. */
  resumeWindowMs: number;
  /** Most participants in one meeting, away ones included. */
  maxParticipants: number;
  rateLimits: RateLimits;
  logger: Logger;
  metrics: Metrics;
}

const meetingRoom = (code: string) => `meeting:${code}`;
const participantRoom = (id: string) => `participant:${id}`;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

function refusal(code: ProtocolErrorCode, message: string, extra?: Pick<ProtocolError, 'retryAfter'>): Result<never> {
  return { ok: false, error: { code, message, ...extra } };
}

const RELAY_EVENTS = new Set<string>(['offer', 'answer', 'ice-candidate']);

/** Disconnect reasons that say the client meant to go: no resume is coming. */
const DELIBERATE_DISCONNECTS = new Set(['client namespace disconnect', 'server namespace disconnect']);

/**
 * Wires the signaling protocol onto a Socket.IO server: validation, membership, relays and presence.
 * A participant whose connection drops stays in the meeting for the resume window; relayed messages for it are
 * held and delivered when it comes back, through Socket.IO's connection state recovery or a resume token.
 */
export class Signaling {
  readonly presence = new Presence();
  readonly #options: SignalingOptions;

  constructor(options: SignalingOptions) {
    this.#options = options;
    options.io.on('connection', (socket) => this.#onConnection(socket));
  }

  /**
   * For shutdown, once the sockets are closed (everyone is away): stops every timer and returns everyone, for the
   * next process to take back ({@link restore}).
   */
  close(now = Date.now()): SavedParticipant[] {
    const awayUntil = new Date(now + this.#options.resumeWindowMs);
    const saved = this.presence.members().map(({ info, meetingCode, resumeTokenHash }) => ({
      meetingCode,
      id: info.id,
      name: info.name,
      isHost: info.isHost,
      audioEnabled: info.audioEnabled,
      videoEnabled: info.videoEnabled,
      screenSharing: info.screenSharing,
      resumeTokenHash,
      awayUntil,
    }));
    this.presence.clear();
    return saved;
  }

  /**
   * At start: takes back the participants a previous process saved at shutdown, as away, so that they can resume
   * until their window closes. Returns the codes of their meetings.
   */
  restore(saved: SavedParticipant[], now = Date.now()): Set<string> {
    const codes = new Set<string>();
    for (const { meetingCode, resumeTokenHash, awayUntil, ...info } of saved) {
      const remainingMs = awayUntil.getTime() - now;
      if (remainingMs <= 0) continue;
      const member: Member = { info, meetingCode, resumeTokenHash, socketId: null, held: [] };
      member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), remainingMs);
      this.presence.add(member);
      codes.add(meetingCode);
    }
    this.#updateGauges();
    if (codes.size > 0) this.#options.logger.info({ participants: this.presence.participantCount }, 'participants restored');
    return codes;
  }

  #onConnection(socket: ParleySocket): void {
    const ip = this.#options.rateLimits.clientIp(socket.request);
    this.#options.metrics.sockets.inc();
    this.#limitEvents(socket, ip);
    this.#request(socket, 'join-meeting', joinMeetingSchema, (request) => this.#join(socket, ip, request));
    this.#request(socket, 'resume-meeting', resumeMeetingSchema, (request) => this.#resume(socket, request.resumeToken));
    this.#request(socket, 'offer', sessionDescriptionSchema, ({ to, sdp }) =>
      this.#relay(socket, to, (from) => ({ event: 'offer', payload: { from, sdp } })),
    );
    this.#request(socket, 'answer', sessionDescriptionSchema, ({ to, sdp }) =>
      this.#relay(socket, to, (from) => ({ event: 'answer', payload: { from, sdp } })),
    );
    this.#request(socket, 'ice-candidate', iceCandidateSchema, ({ to, candidate }) =>
      this.#relay(socket, to, (from) => ({ event: 'ice-candidate', payload: { from, candidate } })),
    );
    this.#request(socket, 'media-state', mediaStateSchema, (state) => {
      const member = this.#memberOf(socket);
      if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
      this.presence.setMediaState(member.meetingCode, member.info.id, state);
      socket
        .to(meetingRoom(member.meetingCode))
        .emit('media-state', { participantId: member.info.id, ...state, screen: state.screen ?? false });
      return ok(undefined);
    });
    this.#request(socket, 'leave-meeting', undefined, () => {
      const member = this.#memberOf(socket);
      if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Not in a meeting');
      this.#detach(socket);
      this.#drop(member, 'left');
      return ok(undefined);
    });
    socket.on('disconnect', (reason) => {
      this.#options.metrics.sockets.dec();
      void this.#options.rateLimits.socketEvents.delete(socket.id);
      this.#onDisconnect(socket, reason);
    });
    if (socket.recovered) this.#onRecovered(socket);
  }

  /** Every event counts against the socket's budget; past it the event is dropped and the socket disconnected. */
  #limitEvents(socket: ParleySocket, ip: string): void {
    // `consume` settles in the same tick for the memory limiter, so events still reach their handlers in order.
    socket.use((_event, next) => {
      this.#options.rateLimits.socketEvents.consume(socket.id).then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) {
            next();
            return;
          }
          if (socket.disconnected) return;
          this.#options.metrics.floodDisconnects.inc();
          this.#options.logger.warn({ socket: socket.id, ip }, 'event flood: socket disconnected');
          socket.disconnect(true);
        },
      );
    });
  }

  /**
   * Registers a request handler: the payload is validated against its schema, the ack is always the last
   * argument, and no input — a missing ack, a wrong type, a throwing handler — can take the server down.
   */
  #request<S extends z.ZodType>(
    socket: ParleySocket,
    event: keyof ClientToServerEvents,
    schema: S | undefined,
    handle: (payload: z.output<S>) => Result<unknown> | Promise<Result<unknown>>,
  ): void {
    const listener = async (...args: unknown[]) => {
      const started = performance.now();
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as (result: Result<unknown>) => void) : undefined;
      let result: Result<unknown>;
      try {
        if (schema) {
          const parsed = schema.safeParse(args[0]);
          result = parsed.success
            ? await handle(parsed.data)
            : refusal(ProtocolErrorCode.InvalidPayload, describeIssues(event, parsed.error));
        } else {
          result = await handle(undefined as z.output<S>);
        }
      } catch (error) {
        this.#options.logger.error({ err: error, event, socket: socket.id }, 'request handler failed');
        result = refusal(ProtocolErrorCode.Internal, 'Internal server error');
      }
      if (!result.ok) {
        this.#options.metrics.refusals.inc({ event, code: result.error.code });
        this.#options.logger.info({ event, socket: socket.id, code: result.error.code }, 'request refused');
      } else if (RELAY_EVENTS.has(event)) {
        this.#options.metrics.relayDuration.observe({ event }, (performance.now() - started) / 1000);
      }
      ack?.(result);
    };
    // Socket.IO's typed `on` cannot express a listener shared by differently typed events.
    socket.on(event, listener as never);
  }

  async #join(socket: ParleySocket, ip: string, request: z.output<typeof joinMeetingSchema>): Promise<Result<unknown>> {
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    const { rateLimits } = this.#options;
    const retryAfter = await rateLimits.joinBlocked(ip);
    if (retryAfter !== undefined) {
      this.#options.logger.warn({ ip, retryAfter }, 'join refused: too many failed joins from this address');
      return refusal(ProtocolErrorCode.RateLimited, 'Too many failed joins from your address', { retryAfter });
    }
    const meeting = await this.#options.meetings.findJoinable(request.code);
    if (!meeting) {
      await rateLimits.joinFailed(ip);
      // The code as typed is not logged: it may be a near miss of a real one.
      this.#options.logger.info({ ip }, 'join refused: no joinable meeting with that code');
      return refusal(ProtocolErrorCode.MeetingNotFound, 'No meeting with that code is open');
    }
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while joining');
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');

    const resumeToken = randomBytes(32).toString('base64url');
    const member: Member = {
      info: {
        id: randomUUID(),
        name: request.name,
        isHost: this.#options.meetings.isHostKey(meeting, request.hostKey),
        audioEnabled: request.audio,
        videoEnabled: request.video,
        screenSharing: false,
      },
      meetingCode: meeting.code,
      resumeTokenHash: hashToken(resumeToken),
      socketId: socket.id,
      held: [],
    };
    const others = this.presence.list(meeting.code);
    if (others.length >= this.#options.maxParticipants) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    const occupied = this.#options.meetings.occupy(meeting);
    occupied.written.catch((error: unknown) => this.#options.logger.error({ err: error, meeting: meeting.code }, 'storing a join failed'));
    this.presence.add(member);
    this.#attach(socket, member);
    this.#updateGauges();
    this.#options.metrics.joins.inc();
    this.#options.logger.info({ meeting: meeting.code, participant: member.info.id, host: member.info.isHost }, 'joined');

    // The others offer as soon as they hear of the newcomer; the ack below is written in this same tick,
    // so it always reaches the newcomer before any of those offers can.
    socket.to(meetingRoom(meeting.code)).emit('participant-joined', member.info);
    return ok(this.#joinedMeeting(member, others, resumeToken, occupied.expiresAt));
  }

  async #resume(socket: ParleySocket, resumeToken: string): Promise<Result<unknown>> {
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    const member = this.presence.byResumeToken(hashToken(resumeToken));
    if (!member) return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
    const meeting = await this.#options.meetings.findJoinable(member.meetingCode);
    if (!meeting || this.presence.byResumeToken(member.resumeTokenHash) !== member) {
      return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
    }
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while resuming');
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');

    // The old connection may still look open to us (it died without a close): retire it quietly.
    const previous = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
    if (previous && previous !== socket) {
      this.#detach(previous);
      previous.disconnect(true);
    }
    this.#attach(socket, member);
    member.holding = true;
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id }, 'resumed');
    const others = this.presence.list(member.meetingCode).filter((info) => info.id !== member.info.id);
    // Held messages go after the ack, once the client knows who is in the room again.
    setImmediate(() => this.#deliverHeld(socket, member));
    return ok(this.#joinedMeeting(member, others, resumeToken, meeting.expiresAt));
  }

  /** Socket.IO restored a dropped connection with its rooms and data: take the participant back. */
  #onRecovered(socket: ParleySocket): void {
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
    member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), this.#options.resumeWindowMs);
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'away');
  }

  /** Forwards a message to one other member of the sender's meeting; the sender id comes from server state. */
  #relay(socket: ParleySocket, to: string, message: (from: string) => HeldMessage): Result<unknown> {
    const sender = this.#memberOf(socket);
    if (!sender) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    const target = to === sender.info.id ? undefined : this.presence.get(sender.meetingCode, to);
    if (!target) return refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    const held = message(sender.info.id);
    if (target.socketId === null || target.holding) {
      // A new offer supersedes the sender's earlier offers and their candidates: replaying those would only
      // confuse the negotiation the new one starts.
      if (held.event === 'offer') {
        target.held = target.held.filter((earlier) => earlier.payload.from !== sender.info.id || earlier.event === 'answer');
      }
      if (target.held.filter((earlier) => earlier.payload.from === sender.info.id).length >= MAX_HELD_MESSAGES) {
        return refusal(ProtocolErrorCode.RateLimited, 'Too many messages waiting for that participant');
      }
      target.held.push(held);
    } else {
      this.#emit(this.#options.io.to(participantRoom(to)), held);
    }
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

  /** Makes `socket` speak for `member`. */
  #attach(socket: ParleySocket, member: Member): void {
    clearTimeout(member.expiry);
    member.expiry = undefined;
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
    if (meetingCode) socket.leave(meetingRoom(meetingCode));
    if (participantId) socket.leave(participantRoom(participantId));
  }

  /** Removes a participant from its meeting and tells the others. */
  #drop(member: Member, reason: ParticipantLeftReason): void {
    if (!this.presence.remove(member.meetingCode, member.info.id)) return;
    const socket = member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
    if (socket) this.#detach(socket);
    this.#options.io.to(meetingRoom(member.meetingCode)).emit('participant-left', { participantId: member.info.id, reason });
    this.#updateGauges();
    this.#options.metrics.leaves.inc({ reason });
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'left');
    if (this.presence.list(member.meetingCode).length === 0) {
      this.#options.meetings
        .vacate(member.meetingCode)
        .catch((error: unknown) => this.#options.logger.error({ err: error, meeting: member.meetingCode }, 'storing a departure failed'));
    }
  }

  #memberOf(socket: ParleySocket): Member | undefined {
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return undefined;
    const member = this.presence.get(meetingCode, participantId);
    return member && member.socketId === socket.id ? member : undefined;
  }

  #joinedMeeting(
    member: Member,
    others: JoinedMeeting['participants'],
    resumeToken: string,
    expiresAt: Date,
  ): JoinedMeeting {
    return {
      meeting: { code: member.meetingCode, expiresAt: expiresAt.toISOString() },
      self: { ...member.info },
      participants: others,
      iceServers: iceServersFor(member.info.id, this.#options.iceServers, this.#options.turn),
      resumeToken,
      resumeWindowMs: this.#options.resumeWindowMs,
    };
  }

  #updateGauges(): void {
    this.#options.metrics.activeMeetings.set(this.presence.meetingCount);
    this.#options.metrics.participants.set(this.presence.participantCount);
  }
}

function describeIssues(event: string, error: z.ZodError): string {
  const details = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
    .join('; ');
  return `Invalid "${event}" payload: ${details}`;
}
