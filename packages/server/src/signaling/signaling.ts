import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  ProtocolErrorCode,
  type ClientToServerEvents,
  type IceServerConfig,
  type ParticipantInfo,
  type ParticipantLeftReason,
  type Result,
} from '@parley/protocol';
import {
  iceCandidateSchema,
  joinMeetingSchema,
  mediaStateSchema,
  sessionDescriptionSchema,
} from '@parley/protocol/schemas';
import type { Logger } from '../logger.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import { Presence } from './presence.js';
import type { ParleyServer, ParleySocket } from './types.js';

export interface SignalingOptions {
  io: ParleyServer;
  meetings: MeetingService;
  iceServers: IceServerConfig[];
  logger: Logger;
  metrics: Metrics;
}

const meetingRoom = (code: string) => `meeting:${code}`;
const participantRoom = (id: string) => `participant:${id}`;

function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

function refusal(code: ProtocolErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** Wires the signaling protocol onto a Socket.IO server: validation, membership, relays and presence. */
export class Signaling {
  readonly presence = new Presence();
  readonly #options: SignalingOptions;

  constructor(options: SignalingOptions) {
    this.#options = options;
    options.io.on('connection', (socket) => this.#onConnection(socket));
  }

  #onConnection(socket: ParleySocket): void {
    this.#request(socket, 'join-meeting', joinMeetingSchema, (request) => this.#join(socket, request));
    this.#request(socket, 'offer', sessionDescriptionSchema, (message) =>
      this.#relay(socket, message.to, (from, target) => target.emit('offer', { from, sdp: message.sdp })),
    );
    this.#request(socket, 'answer', sessionDescriptionSchema, (message) =>
      this.#relay(socket, message.to, (from, target) => target.emit('answer', { from, sdp: message.sdp })),
    );
    this.#request(socket, 'ice-candidate', iceCandidateSchema, (message) =>
      this.#relay(socket, message.to, (from, target) =>
        target.emit('ice-candidate', { from, candidate: message.candidate }),
      ),
    );
    this.#request(socket, 'media-state', mediaStateSchema, (state) => {
      const { meetingCode, participantId } = socket.data;
      if (!meetingCode || !participantId) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
      this.presence.setMediaState(meetingCode, participantId, state);
      socket.to(meetingRoom(meetingCode)).emit('media-state', { participantId, ...state });
      return ok(undefined);
    });
    this.#request(socket, 'leave-meeting', undefined, () => {
      if (!socket.data.meetingCode) return refusal(ProtocolErrorCode.NotInMeeting, 'Not in a meeting');
      this.#removeParticipant(socket, 'left');
      return ok(undefined);
    });
    socket.on('disconnect', () => this.#removeParticipant(socket, 'disconnected'));
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
      }
      ack?.(result);
    };
    // Socket.IO's typed `on` cannot express a listener shared by differently typed events.
    socket.on(event, listener as never);
  }

  async #join(socket: ParleySocket, request: z.output<typeof joinMeetingSchema>): Promise<Result<unknown>> {
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    const meeting = await this.#options.meetings.findJoinable(request.code);
    if (!meeting) return refusal(ProtocolErrorCode.MeetingNotFound, 'No meeting with that code is open');
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while joining');
    if (socket.data.meetingCode) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');

    const self: ParticipantInfo = {
      id: randomUUID(),
      name: request.name,
      isHost: this.#options.meetings.isHostKey(meeting, request.hostKey),
      audioEnabled: request.audio,
      videoEnabled: request.video,
    };
    const participants = this.presence.list(meeting.code);
    this.presence.add(meeting.code, self);
    socket.data.meetingCode = meeting.code;
    socket.data.participantId = self.id;
    socket.join([meetingRoom(meeting.code), participantRoom(self.id)]);
    this.#updateGauges();
    this.#options.metrics.joins.inc();
    this.#options.logger.info({ meeting: meeting.code, participant: self.id, host: self.isHost }, 'joined');

    // The others offer as soon as they hear of the newcomer; the ack below is written in this same tick,
    // so it always reaches the newcomer before any of those offers can.
    socket.to(meetingRoom(meeting.code)).emit('participant-joined', self);
    return ok({
      meeting: { code: meeting.code, expiresAt: meeting.expiresAt.toISOString() },
      self,
      participants,
      iceServers: this.#options.iceServers,
    });
  }

  /** Forwards a message to one member of the sender's meeting; the sender id comes from server state. */
  #relay(
    socket: ParleySocket,
    to: string,
    send: (from: string, target: ReturnType<ParleyServer['to']>) => void,
  ): Result<unknown> {
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    if (to === participantId || !this.presence.has(meetingCode, to)) {
      return refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    }
    send(participantId, this.#options.io.to(participantRoom(to)));
    return ok(undefined);
  }

  #removeParticipant(socket: ParleySocket, reason: ParticipantLeftReason): void {
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return;
    socket.data.meetingCode = undefined;
    socket.data.participantId = undefined;
    if (!this.presence.remove(meetingCode, participantId)) return;
    socket.leave(meetingRoom(meetingCode));
    socket.leave(participantRoom(participantId));
    this.#options.io.to(meetingRoom(meetingCode)).emit('participant-left', { participantId, reason });
    this.#updateGauges();
    this.#options.logger.info({ meeting: meetingCode, participant: participantId, reason }, 'left');
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
