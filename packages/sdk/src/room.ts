import type {
  JoinedMeeting,
  MediaPath,
  MeetingInfo,
  MeetingSettings,
  MeetingSettingsUpdate,
  ParticipantInfo,
  ParticipantLeftReason,
  RaisedHand,
  Reaction,
  RecordingState,
  WaitingParticipant,
} from '@parley/protocol';
import { LIMITS, ReactionAllowance } from '@parley/protocol';
import { decodeChatMessage, encodeChatMessage, MAX_CHAT_MESSAGE_LENGTH, type ChatMessage } from './chat.js';
import type { DeviceList } from './device-list.js';
import { browserEnvironment, type Environment } from './environment.js';
import { ErrorCode, ParleyError } from './errors.js';
import type { LeaveReason, RoomEventMap, RoomState } from './events.js';
import { LocalParticipant } from './local-participant.js';
import type { Logger } from './logger.js';
import type { MediaStats, MediaTransport, MediaTransportContext, MediaTransportFactory, VideoWanted } from './media-transport.js';
import type { Participant, ParticipantEventMap } from './participant.js';
import { snapshotParticipant, type RoomSnapshot } from './snapshot.js';
import { RemoteParticipant } from './remote-participant.js';
import { sessionIdFor } from './session-id.js';
import { SignalClient, type RequestArgs, type RequestData } from './signal-client.js';
import type { MediaMonitor } from './stats/media-monitor.js';
import type { SpeakerState } from './stats/speaker-detector.js';
import { TypedEmitter } from './typed-emitter.js';
import type { TransportSwitch } from './sfu/transport-switch.js';

const NOBODY_RECORDS: RecordingState = Object.freeze({ recorders: [], allowed: [] });

/** Requests only a host may make. */
type HostEvent =
  | 'end-meeting'
  | 'mute-participant'
  | 'remove-participant'
  | 'transfer-host'
  | 'update-meeting'
  | 'admit-participant'
  | 'deny-participant'
  | 'lower-hand'
  | 'allow-recording';

export interface RoomOptions {
  /** The Parley server's URL, e.g. `https://meet.example.com`. */
  server: string;
  /** Browser APIs to use; replaced in tests or non-browser runtimes. */
  environment?: Environment;
  /** How long to wait for the server to answer a request. Default 10 s. */
  requestTimeoutMs?: number;
  /**
   * `'relay'` sends all media through the TURN servers the Parley server hands out, hiding participants' IP
   * addresses from each other. Default `'all'`.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * Who this is, for a host's removal to hold: a meeting refuses for good the `sessionId` of someone a host removed.
   * Default: derived per meeting from a secret this browser keeps for the server in `localStorage` (else
   * `sessionStorage`, else for the page only), so a reload is the same session. Give your own to tie it to
   * something else, e.g. a hash of your signed-in user and the meeting (1 to 64 characters).
   */
  sessionId?: string;
  /** Where the SDK reports what it recovers from by itself (see {@link Logger}). Default `console`. */
  logger?: Logger;
  /**
   * How media travels in a meeting that is peer to peer (the server's default), made anew for each join. Default:
   * one connection per participant (`MeshTransport`), whose code is fetched when joining (a chunk of its own, loaded
   * while the camera starts). The factory may load its code on demand and resolve later: the room waits for it while
   * it joins.
   */
  transport?: MediaTransportFactory;
  /**
   * How media travels in a meeting whose server puts it on a media server (SFU mode), made once the join answer says
   * so. Default: `SfuTransport`, the Janus VideoRoom client, whose code is fetched then (a chunk of its own).
   */
  sfuTransport?: MediaTransportFactory;
  /**
   * Lowers your raised hand once you have been speaking this long without a pause (ms): you were given the floor.
   * Counted from when you start speaking with your hand up. Default: never.
   */
  lowerHandAfterSpeakingMs?: number;
  /**
   * Where `localParticipant.setNoiseSuppression()` fetches `rnnoise-worklet.js` and `rnnoise.wasm` from: a folder's
   * URL. Default: the Parley server's (`<server>/rnnoise/`).
   */
  noiseSuppressionAssets?: string;
}

export interface JoinOptions {
  /** The meeting code, as typed (case and separators do not matter). */
  code: string;
  /** Your display name, at most 64 characters. */
  name: string;
  /** The host key from `POST /api/meetings`, to join as host. */
  hostKey?: string;
  /** Start with the microphone on. Default `true`. */
  audio?: boolean;
  /** Start with the camera on. Default `true`. */
  video?: boolean;
  /**
   * Camera and microphone already captured (e.g. by a prejoin preview): the room uses these tracks instead of
   * capturing again, and stops them when it leaves. `audio`/`video` then say whether each starts enabled.
   */
  stream?: MediaStream;
  /**
   * A participant token signed by the embedding site's backend, for servers that verify participants. Its name
   * and role win over `name` and `hostKey`.
   */
  token?: string;
}

/** Chat messages kept; older ones drop out of `chatMessages`, so a flooding peer cannot exhaust memory. */
const MAX_CHAT_HISTORY = 1000;

/** Resume refusals that end the meeting for good, with the reason the room leaves with. */
const RESUME_REFUSALS: Partial<Record<ErrorCode, LeaveReason>> = {
  [ErrorCode.MeetingEnded]: 'ended',
  [ErrorCode.MeetingExpired]: 'expired',
  [ErrorCode.RemovedByHost]: 'removed',
};

/** What the room re-emits of every participant's events, with the participant first. */
const PARTICIPANT_EVENTS: readonly (keyof ParticipantEventMap)[] = [
  'media-changed',
  'stream-changed',
  'screen-share-changed',
  'speaking-changed',
  'connection-quality-changed',
  'connection-state-changed',
  'reaction',
];

/** Loads a chunk of the SDK: failing to fetch it is the server it comes from being out of reach. */
function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  return load().catch((cause: unknown) => {
    throw ParleyError.serverUnreachable(new URL(import.meta.url).origin, cause);
  });
}

const loadMesh = () => loadChunk(() => import('./mesh-transport.js'));

/** The default transport: the peer-to-peer mesh, its code a chunk fetched by `connect()` or when joining. */
const meshTransport: MediaTransportFactory = async (context) => new (await loadMesh()).MeshTransport(context);

/** After a switch of media path, the old one goes on this long: the others may still be showing it. */
const OLD_PATH_LINGER_MS = 4000;

/** Give the server this long to confirm a leave before the socket is closed regardless. */
const LEAVE_ACK_TIMEOUT_MS = 1000;

/**
 * A meeting, from one participant's side: joins through the signaling server, exchanges media through its
 * transport (by default one peer connection per remote participant), and reports everything as typed events.
 *
 * ```ts
 * const room = new Room({ server: 'https://meet.example.com' });
 * room.on('participant-joined', (participant) => console.log(participant.name));
 * await room.join({ code: 'abcd-efgh-jkmn', name: 'Ada' });
 * ```
 */
export class Room extends TypedEmitter<RoomEventMap> {
  /** You. Its `stream` holds your camera and microphone once joined. */
  readonly localParticipant: LocalParticipant;
  /** Everyone else in the meeting, by participant id. */
  readonly participants = new Map<string, RemoteParticipant>();
  readonly #chatMessages: ChatMessage[] = [];
  /** One reaction fewer at once than the server allows, so the network bunching them never gets one refused. */
  readonly #reactions = new ReactionAllowance(LIMITS.reactionBurst - 1);
  readonly #server: string;
  readonly #environment: Environment;
  readonly #requestTimeoutMs: number;
  readonly #iceTransportPolicy: RTCIceTransportPolicy;
  readonly #logger: Logger;
  /** For what the room recovers from, or goes on without. */
  readonly #warn = (error: unknown): void => this.#logger.warn('[parley]', error);
  readonly #createTransport: MediaTransportFactory;
  readonly #createSfuTransport: MediaTransportFactory;
  #state: RoomState = 'idle';
  #meetingCode: string | null = null;
  #signal: SignalClient | null = null;
  /** A connection `connect()` opened ahead of the join, which `join()` takes over while it is up. */
  #early: SignalClient | null = null;
  /** How media travels in the meeting joined: made by `RoomOptions.transport` for each join. */
  #transport: MediaTransport | null = null;
  /** What the join's transport was made with, and the meeting as last joined or resumed: a switch makes another. */
  #context: MediaTransportContext | null = null;
  #joined: JoinedMeeting | null = null;
  /** A move to another media path under way (auto mode), and a count of moves asked for, the latest winning. */
  #switch: TransportSwitch | null = null;
  #switches = 0;
  /** A move is under way: newcomers wait for the new transport (its switch takes everyone in the room). */
  #moving = false;
  /** Transports a switch replaced, still running for {@link OLD_PATH_LINGER_MS}. */
  readonly #retired = new Set<MediaTransport>();
  /** What the page last said of each remote video (`setVideoWanted`), for a transport made later. */
  readonly #wanted = new Map<string, VideoWanted>();
  #resumeToken = '';
  #resumeWindowMs = 0;
  /** Marks the end of the resume window after a drop; past it, the room gives up once no peer is connected. */
  #giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  #pastResumeWindow = false;
  /**
   * After a resume on a server that restarted without hand-over: participants it does not list yet, whose peer
   * connections are kept while they may still resume. Dropped if the server has not announced them in a window.
   */
  readonly #unconfirmed = new Set<string>();
  #unconfirmedTimer: ReturnType<typeof setTimeout> | undefined;
  #stopWatchingPageHide: (() => void) | null = null;
  #stopWatchingDevices: (() => void) | null = null;
  #audioOutputDeviceId = '';
  #activeSpeakerId: string | null = null;
  /** Sent with every join: a session a host removed cannot come back into that meeting. */
  readonly #sessionId: string | undefined;
  #settings: MeetingSettings = { locked: false, waitingRoom: false };
  #waiting: readonly WaitingParticipant[] = [];
  #hands: readonly string[] = [];
  #recording: RecordingState = NOBODY_RECORDS;
  #snapshot: RoomSnapshot | null = null;
  readonly #subscribers = new Set<() => void>();
  /**
   * Speaking and connection quality, from the peers' stats. Its code is fetched once the meeting is joined: it is
   * nothing to look at before there are peers, and a page embedding Parley starts that much lighter.
   */
  #monitor: MediaMonitor | null = null;

  constructor(options: RoomOptions) {
    super();
    this.#server = options.server;
    this.#environment = options.environment ?? browserEnvironment;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#iceTransportPolicy = options.iceTransportPolicy ?? 'all';
    this.#sessionId = options.sessionId;
    this.#logger = options.logger ?? console;
    this.#createTransport = options.transport ?? meshTransport;
    this.#createSfuTransport =
      options.sfuTransport ?? (async (context) => new (await loadChunk(() => import('./sfu/sfu-transport.js'))).SfuTransport(context));
    const local = new LocalParticipant(this.#environment, {
      trackChanged: async (kind, track) => {
        await Promise.all([this.#transport?.publishTrack(kind, track), this.#switch?.transport.publishTrack(kind, track)]);
      },
      mediaStateChanged: () => this.#announceMediaState(),
      deviceFailed: (error) => this.emit('error', error),
    }, options.noiseSuppressionAssets ?? options.server.replace(/\/*$/, '/rnnoise/'));
    this.localParticipant = local;
    this.#forward(local);
    const lowerAfter = options.lowerHandAfterSpeakingMs;
    let lowering: ReturnType<typeof setTimeout> | undefined;
    if (lowerAfter) {
      local.on('speaking-changed', (speaking) => {
        clearTimeout(lowering);
        if (speaking && local.handRaised) lowering = setTimeout(() => this.lowerHand().catch(this.#warn), lowerAfter);
      });
    }
  }

  get state(): RoomState {
    return this.#state;
  }

  /** Joined, or joined and getting back in after a drop: the meeting's controls apply. */
  get inMeeting(): boolean {
    return this.#state === 'joined' || this.#state === 'reconnecting';
  }

  /** The canonical code of the meeting, once joined. */
  get meetingCode(): string | null {
    return this.#meetingCode;
  }

  /**
   * Opens the connection to the server ahead of {@link join}, say while a prejoin screen shows, so that joining
   * skips the WebSocket and Socket.IO handshakes (on a real network, a TLS handshake too). Optional and silent: a
   * server it cannot reach is reported by `join()`, which then tries for itself. The server closes connections
   * that join nothing for a while (`CONNECTION_IDLE_TIMEOUT_MS`): this one is opened again at once, so a join stays
   * fast however long the prejoin screen shows. `leave()` closes it.
   */
  connect(): void {
    if (this.#early || this.#signal) return;
    const early = new SignalClient(this.#server, this.#requestTimeoutMs);
    this.#early = early;
    // Silent by design: a server out of reach is for `join()` to report, once it tried again.
    const open = () => early.connect().catch(() => undefined);
    early.on('disconnect', (reason) => {
      // Socket.IO reconnects by itself after a drop, but not after the server closed it (as idle).
      if (reason === 'io server disconnect' && this.#early === early) void open();
    });
    void open();
    // The mesh's code too, so that joining does not wait for it.
    if (this.#createTransport === meshTransport) loadMesh().catch(() => undefined);
  }

  /**
   * Before joining: what to tell the user about the meeting `code` (whether it is being recorded). Opens the
   * connection as `connect()` does. Rejects as `join()` would for that code and token (`meeting-not-found`,
   * `unauthorized`, `rate-limited`, `server-unreachable`, `timeout`).
   */
  async meetingInfo(code: string, token?: string): Promise<MeetingInfo> {
    this.connect();
    const signal = (this.#early ?? this.#signal)!;
    await signal.connect();
    return signal.request('meeting-info', { code, token });
  }

  /**
   * Captures camera and microphone, connects to the server and enters the meeting.
   * Rejects with a {@link ParleyError} — `server-unreachable`, `meeting-not-found`, `meeting-full`, `timeout` or
   * `invalid-state` —
   * and then leaves nothing running. Camera and microphone failures (`permission-denied`, `no-device`,
   * `device-busy`) do not stop the join: you join to watch and listen, and they follow `joined` as `error` events.
   */
  async join(options: JoinOptions): Promise<void> {
    if (this.#state === 'joining' || this.inMeeting) {
      throw ParleyError.invalidState(`join() called while ${this.#state}`);
    }
    const wantAudio = options.audio ?? true;
    const wantVideo = options.video ?? true;
    this.#setState('joining');
    // The connection `connect()` opened, if any: up, still on its first attempt (joined), or failed (tried afresh).
    const signal = this.#early ?? new SignalClient(this.#server, this.#requestTimeoutMs);
    this.#early = null;
    this.#signal = signal;
    const sessionId = this.#sessionId ?? sessionIdFor(this.#server, options.code);
    const context: MediaTransportContext = (this.#context = {
      signal,
      environment: this.#environment,
      logger: this.#logger,
      iceTransportPolicy: this.#iceTransportPolicy,
      local: this.localParticipant,
    });
    try {
      // Camera, server connection and transport (whose code may load on demand) in parallel: none waits for another.
      const [media, connection, made] = await Promise.allSettled([
        options.stream
          ? Promise.resolve({ stream: options.stream, error: null })
          : this.localParticipant.capture(wantAudio, wantVideo),
        signal.connect(),
        this.#createTransport(context),
      ]);
      const captured = media.status === 'fulfilled' ? media.value : null;
      const transport = made.status === 'fulfilled' ? made.value : null;
      if (this.#signal !== signal || connection.status === 'rejected' || !transport) {
        // Left, or no server or transport: what was captured or made meanwhile must not stay on.
        for (const track of captured?.stream.getTracks() ?? []) track.stop();
        transport?.close();
        if (connection.status === 'rejected') throw connection.reason;
        this.#assertStillJoining(signal);
        throw (made as PromiseRejectedResult).reason;
      }
      this.#useTransport(transport);
      await this.localParticipant.useStream(captured?.stream ?? new MediaStream());
      // The server may have closed the connection as idle while the capture waited (a permission prompt left
      // open): Socket.IO does not reconnect after that, so connect again. (A `leave()` meanwhile aborts this.)
      await signal.connect();
      // Without camera or microphone (denied, missing, busy) you still join, to watch and listen.
      const mediaError = captured ? captured.error : ParleyError.fromMediaError((media as PromiseRejectedResult).reason);

      this.#listen(signal);
      const local = this.localParticipant;
      const answer = await signal.request('join-meeting', {
        code: options.code,
        name: options.name,
        hostKey: options.hostKey,
        audio: wantAudio && local.audioTrack?.readyState === 'live',
        video: wantVideo && local.videoTrack?.readyState === 'live',
        token: options.token,
        sessionId: await sessionId,
      });
      this.#assertStillJoining(signal);
      const joined = 'self' in answer ? answer : await this.#waitForAdmission(signal);
      this.#assertStillJoining(signal);

      this.#meetingCode = joined.meeting.code;
      if (joined.media?.mode === 'sfu') {
        // The media path decides the transport (a call under way moves with #followMediaPath).
        transport.close();
        const sfu = await this.#createSfuTransport(context);
        if (this.#signal !== signal) sfu.close();
        this.#assertStillJoining(signal);
        this.#useTransport(sfu);
      }
      this.#joined = joined;
      this.#transport!.start(joined);
      this.#resumeToken = joined.resumeToken;
      this.#resumeWindowMs = joined.resumeWindowMs;
      local.id = joined.self.id;
      local.name = joined.self.name;
      local.isHost = joined.self.isHost;
      local.setMediaState(joined.self.audioEnabled, joined.self.videoEnabled);
      // What the tracks carry follows the state everyone was told.
      if (local.audioTrack) local.audioTrack.enabled = local.audioEnabled;
      if (local.videoTrack) local.videoTrack.enabled = local.videoEnabled;
      this.#settings = joined.settings;
      this.#waiting = joined.waiting;
      for (const info of joined.participants) this.#addParticipant(info, false);
      this.#setHands(joined.hands);
      this.#setRecording(joined.recording);
      signal.setReady(true);
      // A closing tab says goodbye, so the others see "left" at once rather than after the resume window.
      this.#stopWatchingPageHide = this.#environment.onPageHide(() => {
        // Sent at once; the page is going away, so nobody waits for the answer.
        signal.request('leave-meeting').catch(() => undefined);
        this.#end('left');
      });
      this.#stopWatchingDevices = this.#environment.onDeviceChange(() => {
        this.listDevices().then(
          (devices) => this.emit('devices-changed', devices),
          this.#warn,
        );
      });
      // Without it (say, the chunk failed to load) the call goes on, with no speaking or quality indicators.
      this.#startMonitor(signal).catch(this.#warn);
      this.#setState('joined');
      this.emit('joined');
      if (mediaError) this.emit('error', mediaError);
    } catch (error) {
      if (this.#signal === signal) {
        this.#teardown();
        this.#setState('left');
      }
      throw error instanceof ParleyError ? error : new ParleyError(ErrorCode.Internal, 'Join failed', { cause: error });
    }
  }

  /** Leaves the meeting: every track is stopped and every connection closed. Safe to call at any time. */
  async leave(): Promise<void> {
    this.#early?.disconnect();
    this.#early = null;
    const signal = this.#signal;
    if (!signal) return;
    if (this.#state === 'joined' && signal.connected) {
      // Tell the server first, so the others see "left" rather than "lost connection"; never hang on it: whatever
      // it answers, or if it does not, the room leaves.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        signal.request('leave-meeting').catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, LEAVE_ACK_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    }
    if (this.#signal !== signal) return;
    this.#end('left');
  }

  /** Turns the microphone on or off (toggles without an argument) and tells everyone. Resolves to the new state. */
  toggleMicrophone(enabled?: boolean): Promise<boolean> {
    return this.#setMediaEnabled('audio', enabled ?? !this.localParticipant.audioEnabled);
  }

  /** Turns the camera on or off (toggles without an argument) and tells everyone. Resolves to the new state. */
  toggleCamera(enabled?: boolean): Promise<boolean> {
    return this.#setMediaEnabled('video', enabled ?? !this.localParticipant.videoEnabled);
  }

  /**
   * Shares your screen (the browser asks which one) as a second video that everyone receives as the participant's
   * `screenStream`. Stopping from the browser's own "Stop sharing" button is noticed.
   */
  async startScreenShare(): Promise<void> {
    this.#assertInMeeting('share the screen');
    await this.localParticipant.startScreenShare();
  }

  async stopScreenShare(): Promise<void> {
    await this.localParticipant.stopScreenShare();
  }

  /** Starts or stops sharing your screen. Resolves to whether you are sharing now. */
  async toggleScreenShare(): Promise<boolean> {
    if (this.localParticipant.screenSharing) await this.stopScreenShare();
    else await this.startScreenShare();
    return this.localParticipant.screenSharing;
  }

  /** Microphones, cameras and speakers. Labels are empty until the page was granted camera or microphone access. */
  async listDevices(): Promise<DeviceList> {
    const devices = await this.#environment.enumerateDevices();
    return {
      microphones: devices.filter((device) => device.kind === 'audioinput'),
      cameras: devices.filter((device) => device.kind === 'videoinput'),
      speakers: devices.filter((device) => device.kind === 'audiooutput'),
    };
  }

  /** Switches to another camera mid-call: everyone receives the new one without renegotiation or re-joining. */
  async switchCamera(deviceId: string): Promise<void> {
    this.#assertInMeeting('switch cameras');
    await this.localParticipant.switchDevice('video', deviceId);
  }

  /** Switches to another microphone mid-call. */
  async switchMicrophone(deviceId: string): Promise<void> {
    this.#assertInMeeting('switch microphones');
    await this.localParticipant.switchDevice('audio', deviceId);
  }

  /**
   * Where remote participants' sound should play. Elements that render this room apply it with `setSinkId`;
   * `canSelectAudioOutput` says whether the browser can.
   */
  get audioOutputDeviceId(): string {
    return this.#audioOutputDeviceId;
  }

  set audioOutputDeviceId(deviceId: string) {
    if (deviceId === this.#audioOutputDeviceId) return;
    this.#audioOutputDeviceId = deviceId;
    this.emit('audio-output-changed', deviceId);
  }

  /** Whether this browser can choose the speaker that plays a media element (`HTMLMediaElement.setSinkId`). */
  static get canSelectAudioOutput(): boolean {
    return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  }

  /** The meeting's chat since you joined, oldest first. Kept in memory only, for this meeting. */
  get chatMessages(): readonly ChatMessage[] {
    return this.#chatMessages;
  }

  /**
   * Sends a chat message to everyone: peer to peer over data channels, where the server never sees it (messages to
   * someone whose channel is not open yet are queued until it opens); in SFU mode, relayed by the server.
   */
  sendChatMessage(text: string): ChatMessage {
    this.#assertInMeeting('chat');
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_CHAT_MESSAGE_LENGTH) {
      throw new ParleyError(
        ErrorCode.InvalidRequest,
        `A chat message must have 1 to ${MAX_CHAT_MESSAGE_LENGTH} characters`,
      );
    }
    const local = this.localParticipant;
    const message: ChatMessage = {
      id: crypto.randomUUID(),
      senderId: local.id,
      senderName: local.name,
      text: trimmed,
      sentAt: Date.now(),
    };
    this.#transport?.send(encodeChatMessage(message));
    this.#addChatMessage(message);
    return message;
  }

  /**
   * Shows `emoji` (one of `REACTIONS`) over your tile to everyone: the others hear of it, and so do you, as
   * `reaction` events once the server took it. A few at once, then about one a second: past that it rejects with
   * `rate-limited` at once, without asking the server, so a held key never floods the meeting.
   */
  async react(emoji: Reaction): Promise<void> {
    this.#assertInMeeting('react');
    if (this.#reactions.take()) throw new ParleyError(ErrorCode.RateLimited, 'Too many reactions: wait a moment');
    await this.#signal!.send('send-reaction', { emoji });
    this.localParticipant.reacted(emoji);
  }

  /** The meeting's lock and waiting room, as its hosts last set them. */
  get settings(): MeetingSettings {
    return this.#settings;
  }

  /** For hosts: who is in the waiting room, in arrival order (empty for everyone else). */
  get waitingParticipants(): readonly WaitingParticipant[] {
    return this.#waiting;
  }

  /** Host: ends the meeting for everyone (each room leaves with reason `ended`); its code is dead for good. */
  async endMeeting(): Promise<void> {
    await this.#hostRequest('end the meeting', 'end-meeting');
  }

  /** Host: asks a participant to turn their microphone off. Their room does it; nobody can turn it back on for them. */
  async muteParticipant(participantId: string): Promise<void> {
    await this.#hostRequest('mute others', 'mute-participant', { participantId });
  }

  /**
   * Host: removes a participant. Their session (by default: their browser, see `RoomOptions.sessionId`) cannot join
   * the meeting again, and the meeting's waiting room turns on (`settings.waitingRoomAfterRemoval`) for anyone who
   * comes back another way; a host can turn it off.
   */
  async removeParticipant(participantId: string): Promise<void> {
    await this.#hostRequest('remove others', 'remove-participant', { participantId });
  }

  /** Host: makes someone else host instead of you. */
  async transferHost(participantId: string): Promise<void> {
    await this.#hostRequest('hand over host', 'transfer-host', { participantId });
  }

  /** Host: locks or unlocks the meeting, turns its waiting room on or off. Resolves to the settings now. */
  async updateMeeting(update: MeetingSettingsUpdate): Promise<MeetingSettings> {
    this.#settings = await this.#hostRequest('change the meeting', 'update-meeting', update);
    this.emit('meeting-updated', this.#settings);
    return this.#settings;
  }

  /** Host: lets someone in from the waiting room. */
  async admit(participantId: string): Promise<void> {
    await this.#hostRequest('admit people', 'admit-participant', { participantId });
  }

  /** Host: turns someone in the waiting room away. */
  async deny(participantId: string): Promise<void> {
    await this.#hostRequest('turn people away', 'deny-participant', { participantId });
  }

  /** Raised hands, first raised first, by participant id (yours too): the server's order, the same on every page. */
  get raisedHands(): readonly string[] {
    return this.#hands;
  }

  /** Raises your hand: to the back of the meeting's queue, or where it is if it is up already. */
  async raiseHand(): Promise<void> {
    await this.#raiseHand(true);
  }

  /** Lowers your hand; a host can name someone else's (anyone else is refused `not-host`). */
  async lowerHand(participantId = this.localParticipant.id): Promise<void> {
    if (participantId === this.localParticipant.id) await this.#raiseHand(false);
    else await this.#hostRequest('lower hands', 'lower-hand', { participantId });
  }

  /** Host: lowers every hand. */
  async lowerAllHands(): Promise<void> {
    await this.#hostRequest('lower hands', 'lower-hand', { all: true });
  }

  /** Who records the meeting now (first started first) and whom a host allowed to; nobody outside a meeting. */
  get recording(): RecordingState {
    return this.#recording;
  }

  /**
   * Tells everyone you started (`true`) or stopped (`false`) recording the meeting; the recording itself is yours to
   * make (`<meeting-room>` has one). Starting is refused `recording-not-allowed` unless you are a host or a host
   * allowed you. If a host takes that back, `recording-changed` comes without you among the recorders: stop then.
   */
  async setRecording(recording: boolean): Promise<void> {
    this.#assertInMeeting('record');
    this.#setRecording(await this.#signal!.request('set-recording', { recording }));
  }

  /** Host: allows a participant to record the meeting, or takes it back (which stops their recording). */
  async allowRecording(participantId: string, allowed = true): Promise<void> {
    this.#setRecording(await this.#hostRequest('allow recording', 'allow-recording', { participantId, allowed }));
  }

  /**
   * Calls `listener` after every change to the room, whatever it is; returns a function that unsubscribes.
   * With `getSnapshot` this is the external-store contract of React's `useSyncExternalStore`, Svelte stores, Vue's
   * `shallowRef` and Lit controllers, with no wrapper.
   */
  subscribe(listener: () => void): () => void {
    this.#subscribers.add(listener);
    return () => {
      this.#subscribers.delete(listener);
    };
  }

  /** The room's state as one immutable object; the same object until something changes. */
  getSnapshot(): RoomSnapshot {
    this.#snapshot ??= Object.freeze({
      state: this.#state,
      meetingCode: this.#meetingCode,
      localParticipant: snapshotParticipant(this.localParticipant),
      participants: Object.freeze([...this.participants.values()].map(snapshotParticipant)),
      activeSpeakerId: this.#activeSpeakerId,
      chatMessages: Object.freeze([...this.#chatMessages]),
      audioOutputDeviceId: this.#audioOutputDeviceId,
      settings: this.#settings,
      waitingParticipants: this.#waiting,
      raisedHands: this.#hands,
      recording: this.#recording,
    });
    return this.#snapshot;
  }

  /** Every change to the room is emitted: that is also when snapshots go stale and subscribers hear of it. */
  protected override emit<E extends keyof RoomEventMap>(event: E, ...args: Parameters<RoomEventMap[E]>): void {
    super.emit(event, ...args);
    this.#snapshot = null;
    for (const listener of [...this.#subscribers]) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /**
   * Who has the spotlight: the participant (you included) who has been speaking steadily and loudest, or `null`.
   * Debounced, so a cough does not move it.
   */
  get activeSpeaker(): Participant | null {
    const id = this.#activeSpeakerId;
    if (id === null) return null;
    return this.#participant(id) ?? null;
  }

  /** WebRTC statistics of the connection to one participant, or `null` if there is none. */
  async getStats(participantId: string): Promise<RTCStatsReport | null> {
    return (await this.#transport?.getStats(participantId)) ?? null;
  }

  /**
   * Says whether a participant's camera video is shown (and at about what size), so that what nobody shows is not
   * sent: `null` when their tile is off the page. Every video is wanted until said otherwise. Peer to peer, the
   * participant pauses the copy they send you (the size is not used: each copy is sized for the room).
   */
  setVideoWanted(participantId: string, wanted: VideoWanted): void {
    this.#wanted.set(participantId, wanted);
    this.#transport?.setVideoWanted(participantId, wanted);
    this.#switch?.transport.setVideoWanted(participantId, wanted);
  }

  /** The queue changes with the `hands-changed` the server sends everyone before it answers (the sender too). */
  async #raiseHand(raised: boolean): Promise<void> {
    this.#assertInMeeting('raise a hand');
    await this.#signal!.request('raise-hand', { raised });
  }

  /** The recording state as the server told it last (`recording-changed`, an answer, or a join or resume answer). */
  #setRecording(recording: RecordingState = NOBODY_RECORDS): void {
    if (JSON.stringify(recording) !== JSON.stringify(this.#recording)) this.emit('recording-changed', (this.#recording = recording));
  }

  /** The queue as the server told it last (`hands-changed`, or a join or resume answer). */
  #setHands(hands: readonly RaisedHand[] = []): void {
    const ids = hands.map(({ participantId }) => participantId);
    for (const participant of [this.localParticipant, ...this.participants.values()]) participant.handRaised = ids.includes(participant.id);
    if (`${ids}` !== `${this.#hands}`) this.emit('hands-changed', (this.#hands = ids));
  }

  async #setMediaEnabled(kind: 'audio' | 'video', enabled: boolean): Promise<boolean> {
    this.#assertInMeeting('change media');
    await this.localParticipant.setEnabled(kind, enabled);
    return enabled;
  }

  /** Tells everyone what we send. Before joining there is nobody to tell. */
  async #announceMediaState(): Promise<void> {
    const { audioEnabled: audio, videoEnabled: video, screenSharing: screen } = this.localParticipant;
    if (this.inMeeting) {
      await this.#signal?.send('media-state', { audio, video, screen });
    }
  }

  #assertInMeeting(action: string): void {
    if (!this.inMeeting) {
      throw ParleyError.invalidState(`Cannot ${action} while ${this.#state}`);
    }
  }

  /** Remote tracks and messages reach the participants they belong to; the transport knows them by id only. */
  #useTransport(transport: MediaTransport): void {
    this.#transport = transport;
    // A transport a switch replaced goes on a while for the others' sake: what it brings is no longer shown.
    const current = (id: string) => (this.#transport === transport ? this.participants.get(id) : undefined);
    transport.on('track', (id, track, screen) => this.#transport === transport && this.#receiveTrack(id, track, screen));
    transport.on('tracks-ended', (id) => {
      const participant = current(id);
      if (participant) participant.stream = null;
    });
    transport.on('connection-state-changed', (id, state) => current(id)?.setConnectionState(state));
    // Chat, from whichever path brings it first (messages carry ids: a repeat is dropped).
    transport.on('message', (id, data) => {
      const from = this.participants.get(id);
      const chat = from && decodeChatMessage(data);
      if (chat) this.#addChatMessage({ ...chat, senderId: id, senderName: from.name });
    });
  }

  #receiveTrack(id: string, track: MediaStreamTrack, screen: boolean): void {
    const participant = this.participants.get(id);
    if (screen) participant?.setScreenTrack(track);
    else participant?.addTrack(track);
  }

  /**
   * The server says how the meeting's media travels now (`media-path`, or a resume's answer). A fresh token or
   * another Janus is the transport's to follow; another mode (auto mode: a third person came, or left) needs another
   * transport, brought up beside this one (see {@link #switchTo}).
   */
  #followMediaPath(path: MediaPath = { mode: 'mesh' }): void {
    if (this.#joined) this.#joined = { ...this.#joined, media: path };
    if (this.#switch?.transport.updatePath(path)) return;
    const move = ++this.#switches;
    // Back to the path we are on before a switch away from it was done: the switch is dropped.
    this.#switch?.close();
    this.#switch = null;
    this.#moving = this.#transport?.updatePath(path) === false;
    if (this.#moving) {
      this.#switchTo(path, move).catch((error: unknown) => {
        // The new transport could not be made (its chunk did not load): the call goes on where it is.
        if (move === this.#switches) this.#moving = false;
        this.#warn(error);
      });
    }
  }

  /**
   * Make before break: the new transport starts beside the current one, which goes on showing everyone until the new
   * one carries their media (or a few seconds passed); then the room takes it, and the old one goes a little later.
   * A later move (`move` is no longer the latest) drops this one.
   */
  async #switchTo(path: MediaPath, move: number): Promise<void> {
    const signal = this.#signal;
    const made = (path.mode === 'sfu' ? this.#createSfuTransport : this.#createTransport)(this.#context!);
    const [next, { TransportSwitch }] = await Promise.all([made, import('./sfu/sfu-transport.js')]);
    if (move !== this.#switches || this.#signal !== signal || !this.#joined) {
      next.close();
      return;
    }
    next.start(this.#joined);
    for (const [id, wanted] of this.#wanted) next.setVideoWanted(id, wanted);
    const change = new TransportSwitch(next, this.participants, this.localParticipant.id, (id, track, screen) => this.#receiveTrack(id, track, screen), () => {
      if (this.#switch !== change) return;
      this.#switch = null;
      this.#moving = false;
      const old = this.#transport!;
      this.#useTransport(next);
      change.deliver(this.participants);
      this.#retired.add(old);
      setTimeout(() => this.#retired.delete(old) && old.close(), OLD_PATH_LINGER_MS);
    });
    this.#switch = change;
  }

  #listen(signal: SignalClient): void {
    signal.on('participant-joined', (info) => this.#addParticipant(info, true));
    signal.on('participant-present', (info) => this.#addParticipant(info, false));
    signal.on('participant-left', ({ participantId, reason }) => this.#removeParticipant(participantId, reason));
    signal.on('media-state', ({ participantId, audio, video, screen }) => {
      const participant = this.participants.get(participantId);
      participant?.setMediaState(audio, video);
      participant?.setScreenSharing(screen ?? false);
    });
    signal.on('meeting-ended', () => this.#end('ended'));
    signal.on('removed', () => this.#end('removed'));
    signal.on('mute-requested', ({ by }) => {
      // Honoured at once: the host's request is the user's only notice, through the event.
      this.toggleMicrophone(false).catch(this.#warn);
      this.emit('mute-requested', this.participants.get(by) ?? null);
    });
    signal.on('host-changed', ({ participantId, isHost }) => {
      const participant = this.#participant(participantId);
      if (!participant) return;
      participant.isHost = isHost;
      this.emit('host-changed', participant);
    });
    signal.on('meeting-updated', (settings) => this.#setSettings(settings));
    signal.on('waiting-list', ({ waiting }) => this.#setWaiting(waiting));
    signal.on('hands-changed', ({ hands }) => this.#setHands(hands));
    signal.on('recording-changed', ({ recording }) => this.#setRecording(recording));
    signal.on('media-path', (path) => this.#followMediaPath(path));
    signal.on('reaction', ({ from, emoji }) => this.participants.get(from)?.reacted(emoji));
    signal.on('resume-token', ({ resumeToken }) => {
      this.#resumeToken = resumeToken;
    });
    signal.on('disconnect', (reason) => {
      if (this.#signal !== signal || reason === 'io client disconnect') return;
      // While joining, the pending join request fails by itself; there is nothing to resume yet.
      if (!this.inMeeting) return;
      // The server closes a socket itself only when it speaks for nobody (dropped, or replaced): no way back.
      if (reason === 'io server disconnect') this.#fail('the server closed the connection');
      else this.#onSignalingLost(signal, reason);
    });
    signal.on('connect', () => {
      if (this.#signal === signal && this.#state === 'reconnecting') void this.#resume(signal);
    });
  }

  #onSignalingLost(signal: SignalClient, reason: string): void {
    signal.setReady(false);
    this.#transport?.setSignalingUp(false);
    this.#switch?.transport.setSignalingUp(false);
    if (this.#state !== 'reconnecting') {
      this.#setState('reconnecting');
      this.emit('reconnecting', reason);
      this.#giveUpTimer = setTimeout(() => {
        this.#pastResumeWindow = true;
        this.#giveUpIfAlone();
      }, this.#resumeWindowMs);
    }
  }

  /**
   * The media never needed the server: while a peer is still connected the call goes on, and the room keeps trying
   * to get back in for as long as it does. Alone past the resume window, there is no call left to keep.
   */
  #giveUpIfAlone(): void {
    if (this.#state !== 'reconnecting' || !this.#pastResumeWindow) return;
    if (!this.#transport?.connected) this.#fail('not back within the resume window');
  }

  /** Back in touch with the server: take our place in the meeting again. */
  async #resume(signal: SignalClient, retryMs = 500): Promise<void> {
    if (!signal.recovered) {
      // Socket.IO could not restore the session (it expired, or another server took the connection): use the token.
      let joined: JoinedMeeting;
      const { audioEnabled: audio, videoEnabled: video, screenSharing: screen } = this.localParticipant;
      try {
        joined = await signal.request('resume-meeting', { resumeToken: this.#resumeToken, audio, video, screen });
      } catch (error) {
        if (this.#signal !== signal) return;
        const code = error instanceof ParleyError ? error.code : ErrorCode.Internal;
        // The server could not answer for now (its store is down, say): ask again shortly, for as long as we are
        // reconnecting (alone past the resume window, the room gives up). A timeout on a socket that dropped again is
        // for the next `connect` to retry.
        if (code === ErrorCode.Internal || code === ErrorCode.Timeout) {
          if (signal.connected) {
            setTimeout(() => {
              if (this.#signal === signal && this.#state === 'reconnecting' && signal.connected) {
                void this.#resume(signal, Math.min(retryMs * 2, 4000));
              }
            }, retryMs);
          }
          return;
        }
        const final = RESUME_REFUSALS[code];
        if (final) this.#end(final);
        else this.#fail(error instanceof Error ? error.message : String(error));
        return;
      }
      if (this.#signal !== signal || this.#state !== 'reconnecting') return;
      this.#reconcile(joined);
    }
    clearTimeout(this.#giveUpTimer);
    this.#pastResumeWindow = false;
    signal.setReady(true);
    this.#transport?.setSignalingUp(true);
    this.#switch?.transport.setSignalingUp(true);
    this.#setState('joined');
    this.emit('reconnected');
    // A mute sent as the connection died may never have arrived: say again what we send.
    this.#announceMediaState().catch(this.#warn);
  }

  /**
   * Brings our view of the meeting up to date with the server's after missing its broadcasts. A server that is
   * still taking back the participants of a crashed one lists only those back so far: the others keep their peer
   * connections, untouched, until the server announces them or a resume window passes.
   */
  #reconcile(joined: JoinedMeeting): void {
    this.#resumeToken = joined.resumeToken;
    this.#joined = joined;
    this.#followMediaPath(joined.media);
    const present = new Set(joined.participants.map((info) => info.id));
    for (const id of [...this.participants.keys()]) {
      if (present.has(id)) this.#unconfirmed.delete(id);
      else if (joined.recovering) this.#unconfirmed.add(id);
      else this.#removeParticipant(id, 'disconnected');
    }
    if (this.#unconfirmed.size > 0) {
      clearTimeout(this.#unconfirmedTimer);
      this.#unconfirmedTimer = setTimeout(() => {
        for (const id of this.#unconfirmed) this.#removeParticipant(id, 'disconnected');
      }, joined.resumeWindowMs);
    }
    if (joined.self.isHost !== this.localParticipant.isHost) {
      this.localParticipant.isHost = joined.self.isHost;
      this.emit('host-changed', this.localParticipant);
    }
    this.#setSettings(joined.settings);
    this.#setWaiting(joined.waiting);
    // Updates those we know. Someone we never heard of joined while we were away, and expects us, who were here
    // first, to offer.
    for (const info of joined.participants) this.#addParticipant(info, true);
    this.#setHands(joined.hands);
    this.#setRecording(joined.recording);
  }

  #setSettings(settings: MeetingSettings): void {
    this.#settings = settings;
    this.emit('meeting-updated', settings);
  }

  #setWaiting(waiting: readonly WaitingParticipant[]): void {
    this.#waiting = waiting;
    this.emit('waiting-list-changed', waiting);
  }

  #fail(reason: string): void {
    this.emit('disconnected', reason);
    this.emit('error', ParleyError.connectionLost(reason));
    this.#end('connection-lost');
  }

  *#peers(): Iterable<[RemoteParticipant, MediaStats]> {
    for (const [id, stats] of this.#transport?.stats() ?? []) {
      const participant = this.participants.get(id);
      if (participant) yield [participant, stats];
    }
  }

  async #startMonitor(signal: SignalClient): Promise<void> {
    const { createMediaMonitor } = await import('./stats/media-monitor.js');
    if (this.#signal !== signal || this.#monitor) return;
    this.#monitor = createMediaMonitor({
      local: () => this.localParticipant,
      peers: () => this.#peers(),
      onSpeakers: (state) => this.#onSpeakers(state),
      onQuality: (participant, quality) => participant.setConnectionQuality(quality),
    });
    this.#monitor.start();
  }

  #onSpeakers(state: SpeakerState): void {
    this.localParticipant.setSpeaking(state.speaking.has(this.localParticipant.id));
    for (const participant of this.participants.values()) participant.setSpeaking(state.speaking.has(participant.id));
    if (state.activeSpeakerChanged) this.#setActiveSpeaker(state.activeSpeaker);
  }

  #setActiveSpeaker(id: string | null): void {
    if (id === this.#activeSpeakerId) return;
    this.#activeSpeakerId = id;
    this.emit('active-speaker-changed', this.activeSpeaker);
  }

  /** Anyone in the meeting by id, you included. */
  #participant(id: string): Participant | undefined {
    return id === this.localParticipant.id ? this.localParticipant : this.participants.get(id);
  }

  #forward(participant: Participant): void {
    const emit = this.emit.bind(this) as (event: string, ...args: unknown[]) => void;
    for (const event of PARTICIPANT_EVENTS) participant.on(event, (...args: unknown[]) => emit(event, participant, ...args));
  }

  #addChatMessage(message: ChatMessage): void {
    // Ids are chosen by senders: only the pair is unique, and a peer can never pass for another.
    const messages = this.#chatMessages;
    if (messages.some(({ id, senderId }) => id === message.id && senderId === message.senderId)) return;
    if (messages.push(message) > MAX_CHAT_HISTORY) messages.shift();
    this.emit('chat-message', message);
  }

  /** `initiator`: whether we were here first and so open the negotiation. */
  #addParticipant(info: ParticipantInfo, initiator: boolean): void {
    const known = this.participants.get(info.id);
    if (known) {
      // Back on a restarted server after us (the connection we kept is theirs, and stays as it is), or back in after
    // our own drop.
      this.#unconfirmed.delete(info.id);
      known.setMediaState(info.audioEnabled, info.videoEnabled);
      known.setScreenSharing(info.screenSharing);
      return;
    }
    if (!this.#transport) return;
    const participant = new RemoteParticipant(info);
    this.#forward(participant);
    participant.on('connection-state-changed', () => this.#giveUpIfAlone());
    participant.setPeer({
      stats: () => this.getStats(info.id),
      // The object of someone who left and came back under the same id must not touch their new connection.
      repair: () => {
        if (this.#state === 'joined' && this.participants.get(info.id) === participant) {
          this.#transport?.repairVideo(info.id);
        }
      },
    });
    this.participants.set(info.id, participant);
    // During a move, only to the new path (its switch, once made, takes everyone in the room).
    if (!this.#moving) this.#transport.addParticipant(info.id, initiator);
    else this.#switch?.transport.addParticipant(info.id, initiator);
    this.emit('participant-joined', participant);
  }

  #removeParticipant(participantId: string, reason: ParticipantLeftReason): void {
    const participant = this.participants.get(participantId);
    if (!participant) return;
    this.#unconfirmed.delete(participantId);
    this.#wanted.delete(participantId);
    this.#switch?.forget(participantId);
    this.#switch?.transport.removeParticipant(participantId);
    this.#transport?.removeParticipant(participantId);
    this.participants.delete(participantId);
    if (this.#activeSpeakerId === participantId) this.#setActiveSpeaker(null);
    this.emit('participant-left', participant, reason);
  }

  /** In the waiting room until a host decides; `leave()` or a lost connection ends the wait. */
  #waitForAdmission(signal: SignalClient): Promise<JoinedMeeting> {
    this.#setState('waiting');
    this.emit('waiting');
    return new Promise<JoinedMeeting>((resolve, reject) => {
      const stops = [
        signal.on('admitted', (joined) => settle(() => resolve(joined))),
        signal.on('denied', () =>
          settle(() => reject(new ParleyError(ErrorCode.Denied, 'A host turned down the request to join'))),
        ),
        signal.on('disconnect', (reason) =>
          settle(() =>
            reject(reason === 'io client disconnect' ? ParleyError.invalidState('leave() was called while waiting') : ParleyError.connectionLost(reason)),
          ),
        ),
      ];
      const settle = (outcome: () => void): void => {
        for (const stop of stops) stop();
        outcome();
      };
    });
  }

  async #hostRequest<E extends HostEvent>(action: string, event: E, ...args: RequestArgs<E>): Promise<RequestData<E>> {
    this.#assertInMeeting(action);
    if (!this.localParticipant.isHost) throw new ParleyError(ErrorCode.NotHost, `Only a host can ${action}`);
    return this.#signal!.request(event, ...args);
  }

  #assertStillJoining(signal: SignalClient): void {
    if (this.#signal !== signal) throw ParleyError.invalidState('leave() was called while joining');
  }

  #end(reason: LeaveReason): void {
    this.#teardown();
    this.#setState('left');
    this.emit('left', reason);
  }

  /** Stops everything this room started: tracks, the transport, the socket. */
  #teardown(): void {
    clearTimeout(this.#giveUpTimer);
    this.#pastResumeWindow = false;
    clearTimeout(this.#unconfirmedTimer);
    this.#unconfirmed.clear();
    this.#monitor?.stop();
    this.#monitor = null;
    this.#activeSpeakerId = null;
    this.#stopWatchingPageHide?.();
    this.#stopWatchingPageHide = null;
    this.#stopWatchingDevices?.();
    this.#stopWatchingDevices = null;
    this.#switches++;
    this.#moving = false;
    this.#switch?.close();
    this.#switch = null;
    for (const old of this.#retired) old.close();
    this.#retired.clear();
    this.#wanted.clear();
    this.#transport?.close();
    this.#transport = null;
    this.#context = null;
    this.#joined = null;
    this.participants.clear();
    this.localParticipant.stopTracks();
    this.#signal?.disconnect();
    this.#signal = null;
    this.#meetingCode = null;
    this.#resumeToken = '';
    this.#chatMessages.length = 0;
    this.#setHands();
    this.#setRecording();
  }

  #setState(state: RoomState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state-changed', state);
  }
}
