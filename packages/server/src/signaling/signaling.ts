import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  ProtocolErrorCode,
  type IceServerConfig,
  type JoinedMeeting,
  type MediaPath,
  type MeetingSettings,
  type MeetingInfo,
  type ParticipantLeftReason,
  type RaisedHand,
  type RecordingState,
  type RequestData,
  type Result,
  type WaitingForHost,
} from '@parley/protocol';
import {
  appMessageSchema,
  iceCandidateSchema,
  iceRestartRequestSchema,
  joinMeetingSchema,
  lowerHandSchema,
  mediaStateSchema,
  meetingSettingsUpdateSchema,
  participantTargetSchema,
  allowRecordingSchema,
  meetingInfoSchema,
  raiseHandSchema,
  reactionSchema,
  setRecordingSchema,
  resumeMeetingSchema,
  sessionDescriptionSchema,
} from '@parley/protocol/schemas';
import type { TurnConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Meeting, SavedParticipant } from '../meetings/meeting.js';
import { capacityOf, hostSettings, removalMarks, rolesChangedAt, type MeetingConfiguration, type MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import type { ParticipantClaims, ParticipantTokens } from '../participant-tokens.js';
import type { RateLimits } from '../rate-limits.js';
import { AutoPaths, SFU_FROM } from '../sfu/auto-paths.js';
import type { SfuRooms } from '../sfu/sfu-rooms.js';
import { iceServersFor } from '../turn.js';
import type { Webhooks } from '../webhooks/webhooks.js';
import { bare, Dispatcher, ok, refusal, request, type Outcome, type RequestHandlers } from './dispatch.js';
import { EndedMeetings } from './ended-meetings.js';
import { handedOver, takenOver } from './hand-over.js';
import { handQueue, nextRaisedAt } from './hands.js';
import { HostControls, type ApiController } from './host-controls.js';
import { MAX_HELD_MESSAGES, Presence, type HeldMessage, type Member } from './presence.js';
import { quickIceCandidate } from './quick-validation.js';
import { ReactionLimits } from './reactions.js';
import { mayRecord, recordingState } from './recording.js';
import { createReplication, type Replication, type Verdict } from './replication.js';
import type { ResumeClaims, ResumeTokens } from './resume-tokens.js';
import { meetingRoom, participantRoom } from './rooms.js';
import type { MemberSnapshot, ParleyServer, ParleySocket, SocketData } from './types.js';
import { MAX_WAITING, WaitingRooms, type Waiter } from './waiting-room.js';

export { NODE_HEARTBEAT_MS, NODE_TIMEOUT_MS } from './replication.js';

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
  /** SFU mode: each meeting's media goes through its Janus room. Unset: the mesh. */
  sfu?: SfuRooms | undefined;
  /**
   * With `sfu`: `MEDIA_MODE=auto`, the SFU only for meetings of three or more (see auto-paths.ts); `autoMeshDelayMs`
   * overrides how long a meeting back at two waits before it returns to the mesh.
   */
  autoMedia?: boolean | undefined;
  autoMeshDelayMs?: number | undefined;
  /**
   * Set when several nodes share meetings through Redis: presence is then replicated to every node through the
   * Socket.IO adapter's server-side events (see replication.ts and docs/scaling.md).
   */
  cluster?: { nodeId: string } | undefined;
  /** Tells the embedding site's backend of joins, departures, knocks and recordings (`WEBHOOK_URL`), when set. */
  webhooks?: Webhooks | undefined;
}

/**
 * A renewed resume token may not reach its holder whose connection drops at that moment: the token before it is
 * still accepted if the renewal came less than this before the drop (or before now).
 */
const RENEWAL_SLACK_MS = 2000;
/** A node drops another node's away participant this much after their window, unless the owner did it first. */
const REMOTE_EXPIRY_SLACK_MS = 2000;

/** Someone about to become a participant: from a join, or admitted from the waiting room. */
interface Entrant {
  id: string;
  name: string;
  isHost: boolean;
  audio: boolean;
  video: boolean;
  removalMarks: string[];
}

const apiController = (meetingCode: string): ApiController => ({ meetingCode, api: true });

/** Disconnect reasons that say the client meant to go: no resume is coming. */
const DELIBERATE_DISCONNECTS = new Set(['client namespace disconnect', 'server namespace disconnect']);

/**
 * Wires the signaling protocol onto a Socket.IO server: membership, relays and presence. A participant whose
 * connection drops stays in the meeting for the resume window; relayed messages for it are held and delivered when
 * it comes back, through Socket.IO's connection state recovery or a resume token.
 *
 * Beside this membership core: `Dispatcher` validates and routes client events (dispatch.ts), `HostControls` carries
 * out host requests (host-controls.ts), and a `Replication` keeps other nodes in step, if any (replication.ts).
 */
export class Signaling {
  readonly #presence = new Presence();
  readonly #waitingRooms = new WaitingRooms();
  readonly #options: SignalingOptions;
  readonly #replication: Replication;
  readonly #hostControls: HostControls;
  readonly #dispatcher: Dispatcher;
  readonly #ended = new EndedMeetings();
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
  /** SFU mode: when each participant's Janus tokens are due for renewal, by `code/id`. */
  readonly #mediaTokensRenewAt = new Map<string, number>();
  /** SFU mode: a pass of {@link #reopenMedia} under way, and whether another one is due after it. */
  #reopening: Promise<void> | undefined;
  #reopenAgain = false;
  /** Auto mode: which meetings are on the SFU. Unset: every meeting is on `sfu` if set, else on the mesh. */
  readonly #auto: AutoPaths | undefined;
  /** Shared by every socket: Socket.IO calls it with the socket as `this`, so there is no closure per connection. */
  readonly #onSocketDisconnect: (this: ParleySocket, reason: string) => void;

  constructor(options: SignalingOptions) {
    this.#options = options;
    this.#auto = options.sfu && options.autoMedia ? new AutoPaths(options.autoMeshDelayMs) : undefined;
    this.#replication = createReplication(options.io, options.cluster, options.logger);
    this.#hostControls = new HostControls({
      ...options,
      replication: this.#replication,
      membership: {
        presence: this.#presence,
        waitingRooms: this.#waitingRooms,
        ended: this.#ended,
        socketOf: (member) => this.#socketOf(member),
        drop: (member, reason) => this.#drop(member, reason),
        detach: (socket) => this.#detach(socket),
        disconnectWith: (socket, event) => this.#disconnectWith(socket, event),
        renewResumeToken: (member, now) => this.#renewResumeToken(member, now),
        letIn: (waiter, meeting) => this.#letIn(waiter, meeting),
        turnAway: (waiter) => this.#turnAway(waiter),
        sendWaitingList: (code) => this.#sendWaitingList(code),
        onSfu: (code) => this.#onSfu(code),
        sendHands: (code) => this.#sendHands(code),
        sendRecording: (code) => this.#sendRecording(code),
      },
    });
    this.#dispatcher = new Dispatcher(this.#requests(), options);
    options.metrics.countMembership(() => ({
      meetings: this.#presence.meetingCount,
      participants: this.#presence.participantCount,
      waiting: this.#waitingRooms.count,
    }));
    const signaling = this;
    this.#onSocketDisconnect = function (reason) {
      signaling.#options.metrics.sockets.dec();
      if (this.data.waiting) signaling.#withdraw(this, 'disconnected');
      signaling.#onDisconnect(this, reason);
    };
    this.#skipLostSessions();
    options.sfu?.on('instance-changed', () => void this.#reopenMedia());
    options.io.on('connection', (socket) => this.#onConnection(socket));
    this.#replication.start({
      members: () => this.#presence.members(),
      waiters: () => this.#waitingRooms.codes().flatMap((code) => this.#waitingRooms.waiters(code)),
      memberHeard: (snapshot) => this.#onRemoteMember(snapshot),
      memberDropped: (code, id, reason) => this.#forget(code, id, reason),
      meetingEnded: (code) => this.#onRemoteEnd(code),
      waiterHeard: (waiter) => this.#onRemoteWaiter(waiter),
      waiterSettled: (code, id, verdict) => this.#onRemoteVerdict(code, id, verdict),
      nodeGone: (member, now) => this.#onNodeGone(member, now),
      storeOccupancy: () => this.#storeOccupancy(),
    });
  }

  /** The meeting's participants, connected or away, whichever node holds them (presence is replicated). */
  participantsOf(code: string): readonly Member[] {
    return this.#presence.members(code);
  }

  /** How many wait in the meeting's waiting room (across the cluster). */
  waitingCount(code: string): number {
    return this.#waitingRooms.size(code);
  }

  /**
   * The server API's host controls on a joinable meeting: carried out here as a host's would be, so that each other
   * node tells its own connections (see replication.ts).
   */
  endMeeting(code: string): Promise<Result<undefined>> {
    return this.#hostControls.end(apiController(code));
  }

  removeParticipant(code: string, participantId: string): Promise<Result<undefined>> {
    return this.#hostControls.remove(apiController(code), participantId);
  }

  updateMeeting(code: string, changes: MeetingConfiguration): Promise<Result<MeetingSettings>> {
    return this.#hostControls.updateMeeting(apiController(code), changes);
  }

  /** With several nodes, server.ts tells when this node's Redis connection drops and comes back. */
  redisLinkChanged(up: boolean, now = Date.now()): void {
    this.#replication.linkChanged(up, now);
  }

  /**
   * For shutdown, once the sockets are closed (everyone is away): stops every timer and returns everyone, for the
   * next process to take back ({@link restore}).
   */
  close(now = Date.now()): SavedParticipant[] {
    this.#replication.close();
    this.#auto?.close();
    const awayUntil = new Date(now + this.#options.resumeWindowMs);
    const saved = this.#presence
      .members()
      // With several nodes, each hands over only its own participants: the others' are theirs to hand over.
      .filter((member) => this.#replication.owns(member))
      .map((member) => handedOver(member, awayUntil));
    this.#presence.clear();
    // Waiting sockets were closed with the others; a waiting room is not handed over.
    this.#waitingRooms.clear();
    return saved;
  }

  /**
   * At start: takes back the participants a previous process saved at shutdown, as away, so that they can resume
   * until their window closes. Returns the codes of their meetings.
   */
  restore(saved: SavedParticipant[], now = Date.now()): Set<string> {
    const codes = new Set<string>();
    for (const participant of saved) {
      const member = takenOver(participant, this.#replication.nodeId, now);
      if (!member) continue;
      member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), participant.awayUntil.getTime() - now);
      this.#presence.add(member);
      this.#replication.publish(member);
      codes.add(member.meetingCode);
    }
    for (const code of codes) void this.#followHeadCount(code);
    if (codes.size > 0) this.#options.logger.info({ participants: this.#presence.participantCount }, 'participants restored');
    return codes;
  }

  /** At intervals: meetings nobody is in any more are no longer remembered as last read. */
  forgetEmptyMeetings(): void {
    for (const code of this.#lastRead.keys()) if (this.#presence.members(code).length === 0) this.#lastRead.delete(code);
  }

  /** At intervals: connected participants of this node whose token is half way to expiry get a new one. */
  renewResumeTokens(now = Date.now()): void {
    for (const member of this.#presence.members()) {
      const owned = this.#replication.owns(member);
      if (owned && member.socketId !== null && (member.resumeTokenRenewAt ?? 0) <= now) this.#renewResumeToken(member, now);
    }
  }

  /**
   * SFU mode, at intervals: connected participants of this node whose Janus tokens are half way to expiry get new
   * ones (`media-path`). Participants who are gone are forgotten.
   */
  renewMediaTokens(now = Date.now()): void {
    const sfu = this.#options.sfu;
    if (!sfu) return;
    const present = new Set<string>();
    for (const member of this.#presence.members()) {
      const key = `${member.meetingCode}/${member.info.id}`;
      present.add(key);
      if (!this.#replication.owns(member) || member.socketId === null || !this.#onSfu(member.meetingCode)) continue;
      if ((this.#mediaTokensRenewAt.get(key) ?? 0) > now) continue;
      this.#options.io.to(participantRoom(member.info.id)).emit('media-path', this.#mediaPath(member, now));
    }
    for (const key of this.#mediaTokensRenewAt.keys()) if (!present.has(key)) this.#mediaTokensRenewAt.delete(key);
  }

  /**
   * SFU mode, when a Janus instance went down or came up: every meeting with participants here gets its room on a
   * live instance (another one if its own died; the same one, anew, once it restarted), and if the room is new, each
   * of them a `media-path` to it at once. A meeting with no live instance waits for the next change. One pass at a
   * time; changes during a pass bring one more.
   */
  async #reopenMedia(): Promise<void> {
    const sfu = this.#options.sfu;
    if (!sfu) return;
    if (this.#reopening) {
      this.#reopenAgain = true;
      return;
    }
    const pass = async () => {
      const owned = this.#presence.members().filter((member) => this.#replication.owns(member) && member.socketId !== null);
      for (const code of new Set(owned.map((member) => member.meetingCode))) {
        if (!this.#onSfu(code)) continue;
        try {
          if (!(await sfu.openRoom(code))) continue;
        } catch (error) {
          this.#options.logger.warn({ meeting: code, err: error }, "cannot reopen the meeting's media yet; waiting for a Janus instance");
          continue;
        }
        this.#sendMediaPaths(code);
      }
    };
    do {
      this.#reopenAgain = false;
      this.#reopening = pass().catch((error: unknown) => this.#options.logger.error({ err: error }, 'reopening media failed'));
      await this.#reopening;
    } while (this.#reopenAgain);
    this.#reopening = undefined;
  }

  /** Each participant of the meeting connected here is told how its media travels now, with fresh tokens. */
  #sendMediaPaths(code: string): void {
    const now = Date.now();
    for (const member of this.#presence.members(code)) {
      if (!this.#replication.owns(member) || member.socketId === null) continue;
      this.#options.io.to(participantRoom(member.info.id)).emit('media-path', this.#mediaPath(member, now));
    }
  }

  /** Whether the meeting's media goes through Janus: always in SFU mode, by head count in auto mode. */
  #onSfu(code: string): boolean {
    return this.#options.sfu !== undefined && (this.#auto?.onSfu(code) ?? true);
  }

  /**
   * Auto mode, when the meeting's head count changed (here or on another node): a third person moves it to the SFU
   * (its room opened first, then everyone told); back at two, it returns to the mesh a little later. Every node
   * follows the same count (presence is replicated), and tells its own participants.
   */
  async #followHeadCount(code: string): Promise<void> {
    const auto = this.#auto;
    const sfu = this.#options.sfu;
    if (!auto || !sfu) return;
    const count = () => this.#presence.members(code).length;
    auto.counted(code, count(), () => count() < SFU_FROM, () => {
      this.#options.logger.info({ meeting: code }, 'auto mode: the meeting is back on the mesh');
      this.#sendMediaPaths(code);
    });
    if (!auto.needsSfu(code, count())) return;
    try {
      await sfu.openRoom(code);
    } catch (error) {
      this.#options.logger.error({ meeting: code, err: error }, 'auto mode: the media server is unavailable; the meeting stays on the mesh');
      return;
    }
    if (!auto.needsSfu(code, count())) return;
    auto.moveToSfu(code);
    this.#options.logger.info({ meeting: code }, 'auto mode: the meeting moved to the SFU');
    this.#sendMediaPaths(code);
  }

  /** How `member`'s media travels; on the SFU, with fresh Janus tokens, due for renewal half way. */
  #mediaPath(member: Member, now = Date.now()): MediaPath {
    const sfu = this.#options.sfu;
    if (!sfu || !this.#onSfu(member.meetingCode)) return { mode: 'mesh' };
    const path = sfu.mediaPath(member.meetingCode, member.info.id, now);
    this.#mediaTokensRenewAt.set(`${member.meetingCode}/${member.info.id}`, now + (path.tokenExpiresAt - now) / 2);
    return path;
  }

  /**
   * SFU mode: makes sure the meeting's Janus room exists before someone enters it. Undefined when it does (or in mesh
   * mode); else the refusal, `internal`, and a log line.
   */
  async #openMedia(code: string, during: 'join' | 'resume' | 'admission'): Promise<Result<never> | undefined> {
    try {
      await this.#options.sfu?.openRoom(code);
      return undefined;
    } catch (error) {
      this.#options.logger.error({ meeting: code, during, err: error }, 'the media server is unavailable');
      return refusal(ProtocolErrorCode.Internal, 'The media server is unavailable; try again shortly');
    }
  }

  /**
   * At intervals: people waiting for a meeting that has meanwhile expired (its host never came, say) are turned
   * away, as if denied.
   */
  async sweepWaitingRooms(now = new Date()): Promise<void> {
    for (const code of this.#waitingRooms.codes()) {
      const meeting = await this.#options.meetings.findJoinable(code, now);
      if (meeting && !this.#ended.has(code)) continue;
      for (const waiter of this.#waitingRooms.waiters(code)) this.#turnAway(waiter);
    }
  }

  /** Each client event's payload schema and handler, checked against the protocol's ack types. */
  #requests(): RequestHandlers {
    // Bound once: observing through a labelled child skips hashing the labels on every relay.
    const timed = (event: HeldMessage['event']) => ({ timer: this.#options.metrics.relayDuration.labels({ event }) });
    const hosts = this.#hostControls;
    return {
      'join-meeting': request(joinMeetingSchema, (socket, payload) => this.#join(socket, payload)),
      'resume-meeting': request(resumeMeetingSchema, (socket, resume) => this.#resume(socket, resume)),
      offer: request(sessionDescriptionSchema, (socket, payload) => this.#relay(socket, payload, offerMessage), timed('offer')),
      answer: request(sessionDescriptionSchema, (socket, payload) => this.#relay(socket, payload, answerMessage), timed('answer')),
      'ice-candidate': request(iceCandidateSchema, (socket, payload) => this.#relay(socket, payload, candidateMessage), {
        ...timed('ice-candidate'),
        quick: quickIceCandidate,
      }),
      'ice-restart-request': request(
        iceRestartRequestSchema,
        (socket, payload) => this.#relay(socket, payload, restartMessage),
        timed('ice-restart-request'),
      ),
      'media-state': request(mediaStateSchema, (socket, state) => this.#setMediaState(socket, state)),
      'app-message': request(appMessageSchema, (socket, message) => this.#relayAppMessage(socket, message)),
      'raise-hand': request(raiseHandSchema, (socket, { raised }) => this.#raiseHand(socket, raised)),
      'meeting-info': request(meetingInfoSchema, (socket, payload) => this.#meetingInfo(socket, payload)),
      'set-recording': request(setRecordingSchema, (socket, { recording }) => this.#setRecording(socket, recording)),
      'leave-meeting': bare((socket) => this.#leave(socket)),
      'end-meeting': bare((socket) => this.#asHost(socket, (host) => hosts.end(host))),
      'mute-participant': request(participantTargetSchema, (socket, { participantId }) =>
        this.#asHost(socket, (host) => hosts.mute(host, participantId)),
      ),
      'remove-participant': request(participantTargetSchema, (socket, { participantId }) =>
        this.#asHost(socket, (host) => hosts.remove(host, participantId)),
      ),
      'transfer-host': request(participantTargetSchema, (socket, { participantId }) =>
        this.#asHost(socket, (host) => hosts.transferHost(host, participantId)),
      ),
      'update-meeting': request(meetingSettingsUpdateSchema, (socket, update) =>
        this.#asHost(socket, (host) => hosts.updateMeeting(host, update)),
      ),
      'admit-participant': request(participantTargetSchema, (socket, { participantId }) =>
        this.#asHost(socket, (host) => hosts.admit(host, participantId)),
      ),
      'deny-participant': request(participantTargetSchema, (socket, { participantId }) =>
        this.#asHost(socket, (host) => hosts.deny(host, participantId)),
      ),
      'lower-hand': request(lowerHandSchema, (socket, target) => this.#asHost(socket, (host) => hosts.lowerHands(host, target))),
      'send-reaction': request(reactionSchema, (socket, reaction) => this.#relayReaction(socket, reaction)),
      'allow-recording': request(allowRecordingSchema, (socket, { participantId, allowed }) =>
        this.#asHost(socket, (host) => hosts.allowRecording(host, participantId, allowed)),
      ),
    };
  }

  /** Runs a host request for the sender if it is a host; else the refusal to answer with. */
  #asHost<T>(socket: ParleySocket, act: (host: Member) => Outcome<T>): Outcome<T> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    if (!member.info.isHost) return refusal(ProtocolErrorCode.NotHost, 'Only a host can do this');
    return act(member);
  }

  #onConnection(socket: ParleySocket): void {
    this.#options.metrics.sockets.inc();
    socket.data.idleSince = Date.now();
    this.#dispatcher.attach(socket);
    socket.on('disconnect', this.#onSocketDisconnect);
    if (socket.recovered) this.#onRecovered(socket);
  }

  #setMediaState(socket: ParleySocket, state: z.output<typeof mediaStateSchema>): Result<undefined> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    this.#presence.setMediaState(member.meetingCode, member.info.id, state);
    // Their microphone is on again by their own choice: a host's forced mute in Janus is lifted.
    if (state.audio) this.#options.sfu?.unmuteAudio(member.meetingCode, member.info.id).catch(() => {});
    this.#replication.publish(member);
    socket.to(meetingRoom(member.meetingCode)).emit('media-state', { participantId: member.info.id, ...state, screen: state.screen ?? false });
    return ok(undefined);
  }

  #relayAppMessage(socket: ParleySocket, { data }: z.output<typeof appMessageSchema>): Result<undefined> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    socket.to(meetingRoom(member.meetingCode)).emit('app-message', { from: member.info.id, data });
    return ok(undefined);
  }

  /** Raises or lowers the sender's hand; a hand already up keeps its place. Answers the queue now. */
  #raiseHand(socket: ParleySocket, raised: boolean): Result<RaisedHand[]> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    const members = this.#presence.members(member.meetingCode);
    if (raised !== (member.handRaisedAt !== undefined)) {
      member.handRaisedAt = raised ? nextRaisedAt(members, Date.now()) : undefined;
      this.#replication.publish(member);
      this.#sendHands(member.meetingCode);
    }
    return ok(handQueue(members));
  }

  /**
   * Tells the meeting's participants on this node the queue as this node sees it. Each node tells its own, on every
   * change it makes or hears of, so the last queue every page gets is the same once the nodes agree.
   */
  #sendHands(code: string): void {
    this.#replication.ownConnections(meetingRoom(code)).emit('hands-changed', { hands: handQueue(this.#presence.members(code)) });
  }

  /** Starts or stops the sender's recording (hosts, and those a host allowed, may start). Answers the state now. */
  #setRecording(socket: ParleySocket, recording: boolean): Result<RecordingState> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    if (recording && !mayRecord(member)) return refusal(ProtocolErrorCode.RecordingNotAllowed, 'A host has not allowed you to record');
    if (recording !== (member.recordingSince !== undefined)) {
      const since = member.recordingSince ?? Date.now();
      member.recordingSince = recording ? since : undefined;
      this.#options.webhooks?.recordingChanged(member, recording ? 'started' : 'stopped', since);
      this.#replication.publish(member);
      this.#sendRecording(member.meetingCode);
    }
    return ok(recordingState(this.#presence.members(member.meetingCode)));
  }

  /** Tells the meeting's participants on this node its recording state, as for raised hands (see `#sendHands`). */
  #sendRecording(code: string): void {
    this.#replication.ownConnections(meetingRoom(code)).emit('recording-changed', { recording: recordingState(this.#presence.members(code)) });
  }

  /** Whether a member's leaving or arriving changes what `recording-changed` says. */
  #countsForRecording(member: Member): boolean {
    return member.recordingSince !== undefined || member.recordingAllowed === true;
  }

  /** Before a join: what the newcomer should know. Checked as a join is, so that it tells nothing more. */
  async #meetingInfo(socket: ParleySocket, request: z.output<typeof meetingInfoSchema>): Promise<Result<MeetingInfo>> {
    const admission = await this.#admissibleMeeting(socket, request);
    if (!admission.ok) return admission;
    return ok({ recording: recordingState(this.#presence.members(admission.data.meeting.code)).recorders.length > 0 });
  }

  #leave(socket: ParleySocket): Result<undefined> {
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

  async #join(socket: ParleySocket, request: z.output<typeof joinMeetingSchema>): Promise<Result<RequestData<'join-meeting'>>> {
    if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    // A join under way is no idle connection: the idle sweep must not close it while the join awaits (the rate limit,
    // the token, the lookup: each may be slow on a loaded Redis).
    socket.data.idleSince = Date.now();
    const admission = await this.#admissibleMeeting(socket, request);
    if (!admission.ok) return admission;
    const { meeting, claims, ip } = admission.data;
    const { logger } = this.#options;
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
    if (this.#hostControls.isRemoved(meeting, entrant.removalMarks)) {
      logger.info({ meeting: meeting.code, ip }, 'join refused: removed from this meeting');
      return refusal(ProtocolErrorCode.Removed, 'A host removed you from this meeting');
    }
    // Hosts get in whatever the settings: a host who lost their place must be able to come back.
    if (meeting.locked && !entrant.isHost) {
      logger.info({ meeting: meeting.code, ip }, 'join refused: meeting locked');
      return refusal(ProtocolErrorCode.MeetingLocked, 'The meeting is locked');
    }
    if (this.#presence.list(meeting.code).length >= capacityOf(meeting, this.#options.maxParticipants)) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    // While a removal is being stored its waiting room may not be yet: newcomers wait meanwhile.
    if ((hostSettings(meeting).waitingRoom || this.#hostControls.removalUnderWay(meeting.code)) && !entrant.isHost) {
      if (this.#waitingRooms.size(meeting.code) >= MAX_WAITING) {
        return refusal(ProtocolErrorCode.MeetingFull, 'The waiting room is full');
      }
      return ok(this.#wait(socket, meeting.code, entrant));
    }
    // Auto mode: the room is needed before the answer only if this join makes the meeting three or more.
    const joinsSfu = () => this.#onSfu(meeting.code) || this.#auto?.needsSfu(meeting.code, this.#presence.list(meeting.code).length + 1);
    if (this.#options.sfu && joinsSfu()) {
      const unavailable = await this.#openMedia(meeting.code, 'join');
      if (unavailable) return unavailable;
      // The room's creation awaited: check again what may have changed meanwhile.
      if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while joining');
      if (socket.data.meetingCode || socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
      if (this.#ended.has(meeting.code)) return refusal(ProtocolErrorCode.MeetingNotFound, 'No meeting with that code is open');
      if (this.#presence.list(meeting.code).length >= capacityOf(meeting, this.#options.maxParticipants)) {
        return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
      }
      // The newcomer makes three: they start on the SFU, and the others move there. The others hear of the move
      // before they hear of the newcomer, whom they then meet on the SFU only.
      if (this.#auto?.needsSfu(meeting.code, this.#presence.list(meeting.code).length + 1)) {
        this.#auto.moveToSfu(meeting.code);
        this.#sendMediaPaths(meeting.code);
        return ok(this.#enter(socket, meeting, entrant));
      }
    }
    const joined = this.#enter(socket, meeting, entrant);
    void this.#followHeadCount(meeting.code);
    return ok(joined);
  }

  /**
   * The checks before a join (and a `meeting-info`): failed joins from the address, the participant token, the
   * meeting's code. A token or code that fails counts as a failed join.
   */
  async #admissibleMeeting(
    socket: ParleySocket,
    request: { code: string; token?: string | undefined },
  ): Promise<Result<{ meeting: Meeting; claims: ParticipantClaims | undefined; ip: string }>> {
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
    return ok({ meeting, claims, ip });
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
      heldMessages: [],
      node: this.#replication.nodeId,
      joinedAt: Date.now(),
      listedInJoinAnswer: [],
    };
    const others = this.#presence.list(meeting.code);
    member.listedInJoinAnswer = others.map((info) => info.id);
    const occupied = this.#options.meetings.occupy(meeting);
    occupied.written.catch((error: unknown) => this.#occupancyLost(meeting.code, error, 'storing a join failed'));
    this.#presence.add(member);
    this.#attach(socket, member);
    // Issues the token first, so that other nodes hear when.
    const joined = this.#joinedMeeting(member, others, { ...meeting, expiresAt: occupied.expiresAt });
    this.#replication.publish(member);
    this.#options.metrics.joins.inc();
    this.#options.logger.info({ meeting: meeting.code, participant: member.info.id, host: member.info.isHost }, 'joined');
    this.#options.webhooks?.participantJoined(member, others.length === 0);

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
    this.#waitingRooms.add(waiter);
    this.#replication.waiterAdded(waiter);
    socket.data.waiting = { meetingCode: code, participantId: waiter.id };
    this.#options.logger.info({ meeting: code, participant: waiter.id }, 'waiting');
    this.#options.webhooks?.knocked(waiter);
    this.#sendWaitingList(code);
    return { waiting: true, participantId: waiter.id };
  }

  /** A waiting socket gave up (left or disconnected): off the list. */
  #withdraw(socket: ParleySocket, reason: string): void {
    const waiting = socket.data.waiting;
    socket.data.waiting = undefined;
    socket.data.idleSince = Date.now();
    const waiter = waiting && this.#waitingRooms.remove(waiting.meetingCode, waiting.participantId);
    if (!waiting || !waiter) return;
    this.#replication.waiterSettled(waiter, 'withdrew');
    this.#options.logger.info({ meeting: waiting.meetingCode, participant: waiting.participantId, reason }, 'stopped waiting');
    this.#sendWaitingList(waiting.meetingCode);
  }

  /** Tells every host of the meeting who waits now (away hosts get it on recovery, or in their resume answer). */
  #sendWaitingList(code: string): void {
    const waiting = this.#waitingRooms.list(code);
    for (const member of this.#presence.members(code)) {
      if (member.info.isHost) this.#options.io.to(participantRoom(member.info.id)).emit('waiting-list', { waiting });
    }
  }

  /**
   * Takes a participant back on a new connection. A token from before this process started may name someone it
   * never saw (the previous process crashed): while recovering, they are taken back as the token says.
   */
  async #resume(socket: ParleySocket, request: z.output<typeof resumeMeetingSchema>): Promise<Result<JoinedMeeting>> {
    if (socket.data.waiting) return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    const verdict = this.#options.resumeTokens.verify(request.resumeToken);
    if (socket.data.meetingCode && !(verdict.ok && this.#speaksFor(socket, verdict.claims))) {
      return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    }
    // As for a join: the idle sweep must not close a socket while its resume awaits the lookup.
    socket.data.idleSince = Date.now();
    if (!verdict.ok) {
      this.#options.logger.info({ reason: verdict.reason }, 'resume refused: the token is not valid');
      return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
    }
    const { claims } = verdict;
    // The token proves its holder was in the meeting: they may learn how it ended.
    const meeting = await this.#meetingToResume(claims.meeting, claims.participant);
    // Janus may have restarted, its rooms gone: the room comes back before the answer points to it. Unreachable, the
    // resume still goes through (signaling and chat work on), and the client's Janus connection retries.
    if (typeof meeting === 'object' && this.#onSfu(meeting.code)) await this.#openMedia(meeting.code, 'resume');
    if (meeting === 'ended' || this.#ended.has(claims.meeting)) return refusal(ProtocolErrorCode.MeetingEnded, 'A host ended the meeting');
    if (meeting === 'expired') return refusal(ProtocolErrorCode.MeetingExpired, 'The meeting has expired');
    // The lookup awaited: the socket may have gone, or joined through a parallel request, meanwhile.
    if (socket.disconnected) return refusal(ProtocolErrorCode.Internal, 'Disconnected while resuming');
    if (socket.data.waiting || (socket.data.meetingCode && !this.#speaksFor(socket, claims))) {
      return refusal(ProtocolErrorCode.AlreadyInMeeting, 'Already in a meeting');
    }

    let member = this.#presence.get(meeting.code, claims.participant);
    let expiresAt = meeting.expiresAt;
    if (!member) {
      const refused = this.#refuseTakeBack(meeting, claims);
      if (refused) return refused;
      member = this.#takeBack(meeting, claims, request);
      const occupied = this.#options.meetings.occupy(meeting);
      occupied.written.catch((error: unknown) => this.#occupancyLost(meeting.code, error, 'storing a resume failed'));
      expiresAt = occupied.expiresAt;
    } else if (member === this.#memberOf(socket)) {
      // This connection resumed them already and its client asks again: the answer came too late for it (its
      // request timed out on a loaded machine). It gets the same answer again, with a token it will see.
      this.#options.logger.info({ meeting: meeting.code, participant: member.info.id }, 'resume asked again on the same connection');
    } else {
      if (this.#superseded(member, claims.issuedAt)) {
        this.#options.logger.info({ meeting: meeting.code, participant: member.info.id }, 'resume refused: a newer token was issued');
        return refusal(ProtocolErrorCode.ResumeRejected, 'Nothing to resume: join the meeting again');
      }
      // The old connection may still look open to us (it died without a close): retire it quietly.
      const previous = this.#socketOf(member);
      if (previous && previous !== socket) {
        this.#detach(previous);
        previous.disconnect(true);
      }
    }
    this.#attach(socket, member);
    member.node = this.#replication.nodeId;
    member.deliveringHeldMessages = true;
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id }, 'resumed');
    const others = this.#presence.list(member.meetingCode).filter((info) => info.id !== member.info.id);
    const joined = this.#joinedMeeting(member, others, { ...meeting, expiresAt });
    this.#replication.publish(member);
    // Held messages go after the ack, once the client knows who is in the room again.
    setImmediate(() => this.#deliverHeld(socket, member));
    return ok({ ...joined, ...(this.#recovering() ? { recovering: true } : {}) });
  }

  /**
   * Reads a meeting this node first hears of from another node, while Redis is up: its participants may reconnect
   * here (nginx is not sticky), and during an outage {@link #meetingToResume} can then take them back at once.
   */
  #readAhead(code: string): void {
    if (this.#lastRead.has(code) || this.#readingAhead.has(code) || !this.#replication.linked) return;
    this.#readingAhead.add(code);
    this.#options.meetings
      .findResumable(code)
      .then((found) => {
        if (typeof found === 'object' && this.#presence.members(code).length > 0) this.#lastRead.set(code, found);
      })
      .catch((error: unknown) => this.#options.logger.warn({ err: error, meeting: code }, 'reading a meeting ahead failed'))
      .finally(() => this.#readingAhead.delete(code));
  }

  /**
   * The meeting a resume is for, from storage. For someone the cluster still holds, while Redis is unreachable: the
   * meeting as last read here, at once (storage would only fail after its wait), so that they are not refused.
   */
  async #meetingToResume(code: string, participantId: string): Promise<Meeting | 'ended' | 'expired'> {
    const lastRead = this.#presence.get(code, participantId) ? this.#lastRead.get(code) : undefined;
    if (lastRead && !this.#replication.linked) return lastRead;
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

  /** Whether `socket` speaks for the participant `claims` names. */
  #speaksFor(socket: ParleySocket, claims: ResumeClaims): boolean {
    return socket.data.meetingCode === claims.meeting && socket.data.participantId === claims.participant;
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
    if (this.#hostControls.isRemoved(meeting, claims.removalMarks)) return refusal(ProtocolErrorCode.Removed, 'A host removed you from this meeting');
    if (this.#presence.list(meeting.code).length >= capacityOf(meeting, this.#options.maxParticipants)) {
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
      heldMessages: [],
      node: this.#replication.nodeId,
      joinedAt: 0,
      listedInJoinAnswer: [],
      // The token they came back with: once the answer's token is issued it is the one before the latest, still
      // accepted (see #superseded) should that answer be cut off with the connection that asked.
      tokenIssuedAt: claims.issuedAt,
    };
    this.#presence.add(member);
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
    this.#replication.publish(member);
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
      if (!this.#replication.linked) return null as unknown as Awaited<ReturnType<typeof restore>>;
      const session = await restore(pid, offset);
      const { meetingCode, participantId } = (session?.data ?? {}) as SocketData;
      if (!session || !meetingCode || !participantId || !this.#recovering()) return session;
      // Null is what the adapters answer for a session they do not have.
      return this.#presence.get(meetingCode, participantId) ? session : (null as unknown as typeof session);
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
    const member = this.#presence.get(meetingCode, participantId);
    if (!member || (member.socketId !== null && member.socketId !== socket.id)) {
      // Dropped from the meeting, or resumed elsewhere meanwhile: this connection speaks for nobody.
      this.#detach(socket);
      socket.disconnect(true);
      return;
    }
    this.#attach(socket, member);
    member.node = this.#replication.nodeId;
    this.#replication.publish(member);
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
    this.#replication.publish(member);
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'away');
  }

  /** Takes a waiter off the list and into the meeting; the caller sends hosts the new list. */
  #letIn(waiter: Waiter, meeting: Meeting): void {
    this.#waitingRooms.remove(waiter.meetingCode, waiter.id);
    // A waiter connected to another node is let in by that node.
    this.#replication.waiterSettled(waiter, 'admitted');
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket || socket.disconnected) return;
    socket.data.waiting = undefined;
    // The host's join opened the meeting's Janus room; should Janus have lost it since, it comes back meanwhile.
    if (this.#onSfu(meeting.code)) void this.#openMedia(meeting.code, 'admission');
    const joined = this.#enter(socket, meeting, { ...waiter, isHost: false });
    socket.emit('admitted', joined);
    // Auto mode: should this admission make three, the meeting (this newcomer too) moves to the SFU right after.
    void this.#followHeadCount(meeting.code);
  }

  /** Takes a waiter off the list, tells them `denied` and closes their connection. */
  #turnAway(waiter: Waiter, announce = true): void {
    this.#waitingRooms.remove(waiter.meetingCode, waiter.id);
    if (announce) this.#replication.waiterSettled(waiter, 'denied');
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket) return;
    socket.data.waiting = undefined;
    this.#disconnectWith(socket, 'denied');
  }

  /** Tells a connection why it is closed, then closes it. */
  #disconnectWith(socket: ParleySocket, event: 'removed' | 'meeting-ended' | 'denied'): void {
    this.#replication.beforeClose(socket).emit(event);
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
  ): Outcome<undefined> {
    const sender = this.#memberOf(socket);
    if (!sender) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    const notFound = () => refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
    if (payload.to === sender.info.id) return notFound();
    const target = this.#presence.get(sender.meetingCode, payload.to);
    if (target) return this.#relayTo(target, message(sender.info.id, payload));
    // Another node may have announced them to the room a moment before this node heard of them.
    const arriving = this.#replication.arrival(sender.meetingCode, payload.to);
    if (!arriving) return notFound();
    return arriving.then(() => {
      const arrived = this.#presence.get(sender.meetingCode, payload.to);
      return arrived ? this.#relayTo(arrived, message(sender.info.id, payload)) : notFound();
    });
  }

  #relayTo(target: Member, held: HeldMessage): Result<undefined> {
    const from = held.payload.from;
    if (target.socketId === null || target.deliveringHeldMessages) {
      // A new offer supersedes the sender's earlier offers and their candidates: replaying those would only
      // confuse the negotiation the new one starts.
      if (held.event === 'offer') {
        target.heldMessages = target.heldMessages.filter((earlier) => earlier.payload.from !== from || earlier.event === 'answer');
      }
      // One restart on return answers any number of requests.
      if (held.event === 'ice-restart-request') {
        target.heldMessages = target.heldMessages.filter((earlier) => earlier.payload.from !== from || earlier.event !== held.event);
      }
      if (target.heldMessages.filter((earlier) => earlier.payload.from === from).length >= MAX_HELD_MESSAGES) {
        return refusal(ProtocolErrorCode.RateLimited, 'Too many messages waiting for that participant');
      }
      target.heldMessages.push(held);
      return ok(undefined);
    }
    // With connection state recovery it is stored for a replay all the same.
    this.#emit(this.#replication.relayTarget(target, target.socketId), held);
    return ok(undefined);
  }

  #emit(target: { emit: ParleySocket['emit'] }, { event, payload }: HeldMessage): void {
    // The union of events and payloads is matched pairwise by HeldMessage; emit's overloads cannot see that.
    target.emit(event as 'offer', payload as never);
  }

  #deliverHeld(socket: ParleySocket, member: Member): void {
    if (member.socketId !== socket.id || socket.disconnected) return;
    const held = member.heldMessages;
    member.heldMessages = [];
    member.deliveringHeldMessages = false;
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
    for (const member of this.#presence.members(newcomer.meetingCode)) {
      const owned = this.#replication.owns(member);
      if (member === newcomer || !owned || member.listedInJoinAnswer.includes(newcomer.info.id)) continue;
      const offersFirst =
        newcomer.listedInJoinAnswer.includes(member.info.id) ||
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
    if (!this.#presence.remove(member.meetingCode, member.info.id)) return;
    if (reason !== 'removed') this.#rememberDeparture(member.meetingCode, member.info.id);
    this.#replication.dropped(member, reason);
    const socket = this.#socketOf(member);
    if (socket) this.#detach(socket);
    this.#options.io.to(meetingRoom(member.meetingCode)).emit('participant-left', { participantId: member.info.id, reason });
    if (member.handRaisedAt !== undefined) this.#sendHands(member.meetingCode);
    if (this.#countsForRecording(member)) this.#sendRecording(member.meetingCode);
    this.#options.metrics.leaves.inc({ reason });
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, reason }, 'left');
    void this.#followHeadCount(member.meetingCode);
    this.#options.webhooks?.participantLeft(member, reason);
    if (this.#presence.list(member.meetingCode).length === 0) {
      this.#options.webhooks?.meetingEmptied(member.meetingCode);
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

  /** The connection speaking for `member`, if it is on this node. */
  #socketOf(member: Member): ParleySocket | undefined {
    return member.socketId === null ? undefined : this.#options.io.sockets.sockets.get(member.socketId);
  }

  #memberOf(socket: ParleySocket): Member | undefined {
    const { meetingCode, participantId } = socket.data;
    if (!meetingCode || !participantId) return undefined;
    const member = this.#presence.get(meetingCode, participantId);
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
      media: this.#mediaPath(member),
      waiting: member.info.isHost ? this.#waitingRooms.list(member.meetingCode) : [],
      hands: handQueue(this.#presence.members(member.meetingCode)),
      recording: recordingState(this.#presence.members(member.meetingCode)),
    };
  }

  // Changes heard from other nodes (see replication.ts): nothing calls these on a single node.

  /** Another node's participant joined, changed, went away or came back; returns whether they are new here. */
  #onRemoteMember(snapshot: MemberSnapshot): boolean {
    if (this.#ended.has(snapshot.meetingCode)) return false;
    let member = this.#presence.get(snapshot.meetingCode, snapshot.info.id);
    const isNew = !member;
    const handBefore = member?.handRaisedAt;
    const recordingBefore = { since: member?.recordingSince, allowed: member?.recordingAllowed };
    // The adapter's encoding turns an absent stamp into null: a hand that is down, no recording.
    const handRaisedAt = snapshot.handRaisedAt ?? undefined;
    const recordingSince = snapshot.recordingSince ?? undefined;
    const recordingAllowed = snapshot.recordingAllowed ?? undefined;
    if (!member) {
      member = { ...snapshot, handRaisedAt, recordingSince, recordingAllowed, heldMessages: [] };
      this.#presence.add(member);
      this.#announce(member);
      this.#readAhead(snapshot.meetingCode);
      void this.#followHeadCount(snapshot.meetingCode);
    } else {
      const local = this.#socketOf(member);
      if (local?.connected && snapshot.socketId === null) {
        // Counted away by its old node (it dropped there during a Redis outage and came back here): the connection
        // here is the newer word. Said again, so that the old node learns it too.
        this.#replication.publish(member);
        return false;
      }
      // Resumed on another node while its old connection still looks open here: retire that connection quietly.
      if (local && local.id !== snapshot.socketId) {
        this.#detach(local);
        local.disconnect(true);
      }
      member.info = snapshot.info;
      member.socketId = snapshot.socketId;
      member.node = snapshot.node;
      member.deliveringHeldMessages = false;
      member.tokenIssuedAt = snapshot.tokenIssuedAt;
      member.previousTokenIssuedAt = snapshot.previousTokenIssuedAt;
      member.handRaisedAt = handRaisedAt;
      member.recordingSince = recordingSince;
      member.recordingAllowed = recordingAllowed;
    }
    if (member.handRaisedAt !== handBefore) this.#sendHands(member.meetingCode);
    if (member.recordingSince !== recordingBefore.since || member.recordingAllowed !== recordingBefore.allowed) {
      this.#sendRecording(member.meetingCode);
    }
    if (snapshot.socketId === null) member.awaySince ??= Date.now();
    else member.awaySince = undefined;
    clearTimeout(member.expiry);
    member.expiry = undefined;
    if (member.socketId === null) {
      this.#expireLater(member, this.#options.resumeWindowMs);
    } else if (member.heldMessages.length > 0) {
      // Messages held here while it was away go to it wherever it is now.
      const held = member.heldMessages;
      member.heldMessages = [];
      for (const message of held) this.#emit(this.#options.io.to(participantRoom(member.info.id)), message);
    }
    return isNew;
  }

  /** Another node's away participant is dropped here too if its window closes and its owner said nothing. */
  #expireLater(member: Member, windowMs: number): void {
    const jitter = Math.floor(Math.random() * 1000);
    member.expiry = setTimeout(() => this.#drop(member, 'disconnected'), windowMs + REMOTE_EXPIRY_SLACK_MS + jitter);
  }

  /** The node of a connected participant went silent (crashed, killed, cut off): away from `now`. */
  #onNodeGone(member: Member, now: number): void {
    member.socketId = null;
    member.awaySince = now;
    clearTimeout(member.expiry);
    this.#expireLater(member, this.#options.resumeWindowMs);
    this.#options.logger.info({ meeting: member.meetingCode, participant: member.info.id, node: member.node }, 'away: its node is gone');
  }

  /** Another node dropped a participant: forget them here, and let go of their connection if it is here. */
  #forget(code: string, id: string, reason: ParticipantLeftReason): void {
    const member = this.#presence.remove(code, id);
    if (!member) return;
    // Two last participants leaving on two nodes at once: each dropping node still saw the other, so only here does
    // the meeting show empty (the webhook goes once all the same).
    if (this.#presence.list(code).length === 0) this.#options.webhooks?.meetingEmptied(code);
    if (member.handRaisedAt !== undefined) this.#sendHands(code);
    if (this.#countsForRecording(member)) this.#sendRecording(code);
    void this.#followHeadCount(code);
    // The dropping node stores the departure (a removal is stored as such); here it counts at once.
    if (reason !== 'removed' && this.#recovering()) this.#departed.add(`${code}/${id}`);
    const socket = this.#socketOf(member);
    if (socket) {
      this.#detach(socket);
      if (reason === 'removed') {
        // The removing node leaves telling a connection on another node to that node (PUB/SUB and the stream are
        // not ordered with each other, so a room broadcast could arrive after the disconnect).
        this.#disconnectWith(socket, 'removed');
      }
    }
  }

  /** A host on another node ended a meeting (stored as ended already; the room heard `meeting-ended`). */
  #onRemoteEnd(code: string): void {
    this.#ended.add(code);
    for (const member of this.#presence.members(code)) {
      this.#presence.remove(code, member.info.id);
      const socket = this.#socketOf(member);
      if (!socket) continue;
      this.#detach(socket);
      this.#disconnectWith(socket, 'meeting-ended');
    }
    for (const waiter of this.#waitingRooms.waiters(code)) this.#turnAway(waiter, false);
  }

  #onRemoteWaiter(waiter: Waiter): void {
    if (this.#ended.has(waiter.meetingCode)) return;
    this.#waitingRooms.add(waiter);
  }

  /**
   * A waiter's case was settled on another node (a host there admitted or denied them, or they went): off the list
   * here, and if their connection is here, in they come or out they go.
   */
  async #onRemoteVerdict(code: string, id: string, verdict: Verdict): Promise<void> {
    const waiter = this.#waitingRooms.remove(code, id);
    if (!waiter) return;
    const socket = this.#options.io.sockets.sockets.get(waiter.socketId);
    if (!socket || socket.disconnected || socket.data.waiting?.participantId !== id) return;
    if (verdict === 'denied') {
      socket.data.waiting = undefined;
      this.#disconnectWith(socket, 'denied');
      return;
    }
    if (verdict !== 'admitted') return;
    const meeting = await this.#options.meetings.findJoinable(code);
    if (socket.disconnected || socket.data.waiting?.participantId !== id) return;
    socket.data.waiting = undefined;
    if (!meeting || this.#ended.has(code)) {
      this.#disconnectWith(socket, 'denied');
      return;
    }
    socket.emit('admitted', this.#enter(socket, meeting, { ...waiter, isHost: false }));
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
      if (this.#presence.members(code).length === 0) {
        this.#options.meetings.vacate(code).catch((error: unknown) => this.#occupancyLost(code, error, 'storing a departure failed'));
      } else if (meeting) {
        this.#options.meetings.occupy(meeting).written.catch((error: unknown) => this.#occupancyLost(code, error, 'storing a join failed'));
      }
    }
  }

  /** Reactions (issue 16): each participant's allowance, and the relay. */
  readonly #reactionLimits = new ReactionLimits();

  /** A reaction goes to everyone else, within the sender's allowance (see reactions.ts). */
  #relayReaction(socket: ParleySocket, { emoji }: z.output<typeof reactionSchema>): Result<undefined> {
    const member = this.#memberOf(socket);
    if (!member) return refusal(ProtocolErrorCode.NotInMeeting, 'Join a meeting first');
    const waitMs = this.#reactionLimits.take(member);
    if (waitMs > 0) return refusal(ProtocolErrorCode.RateLimited, 'Too many reactions', { retryAfter: Math.ceil(waitMs / 1000) });
    socket.to(meetingRoom(member.meetingCode)).emit('reaction', { from: member.info.id, emoji });
    return ok(undefined);
  }
}

const offerMessage = (from: string, { sdp }: { sdp: string }): HeldMessage => ({ event: 'offer', payload: { from, sdp } });
const answerMessage = (from: string, { sdp }: { sdp: string }): HeldMessage => ({ event: 'answer', payload: { from, sdp } });
const candidateMessage = (from: string, { candidate }: z.output<typeof iceCandidateSchema>): HeldMessage => ({
  event: 'ice-candidate',
  payload: { from, candidate },
});
const restartMessage = (from: string): HeldMessage => ({ event: 'ice-restart-request', payload: { from } });
