/**
 * A Parley signaling server faked inside the test page, below the SDK: it replaces the page's `WebSocket` for
 * addresses under `.parley.test` and speaks Engine.IO 4 / Socket.IO 5 on them (text frames, as the SDK sends), so
 * the SDK's real `SignalClient` and Socket.IO client run unchanged, whatever their internals.
 *
 * `Environment` has no seam for the signaling socket, hence this. IMPORT THIS MODULE BEFORE THE SDK: Socket.IO's
 * client looks up `WebSocket` once, when it loads.
 *
 * The fake keeps meetings the way the real server does, for what these tests need: joins (with waiting rooms),
 * relaying offers, answers and candidates, media state, leaving, resuming with a token, raised hands. Any request can be answered
 * differently per test with `answer(event, handler)`, and the server can push any event with `emit`.
 */
import {
  normalizeMeetingCode,
  type ClientToServerEvents,
  type JoinedMeeting,
  type MediaPath,
  type MeetingSettings,
  type ParticipantInfo,
  type ProtocolErrorCode,
  type RaisedHand,
  type Result,
  type ServerToClientEvents,
  type WaitingForHost,
} from '@parley/protocol';

const FAKE_HOST = /\.parley\.test(:\d+)?$/;
const RealWebSocket = globalThis.WebSocket;
const servers = new Map<string, FakeSignalingServer>();
let serverCount = 0;

// Everything on the wire is asynchronous, in order, as over a real socket.
const later = (deliver: () => void): void => void setTimeout(deliver, 0);

/** The page's end of a connection to the fake: what Socket.IO's WebSocket transport uses. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  readyState = FakeWebSocket.CONNECTING;
  binaryType: BinaryType = 'blob';
  readonly protocol = '';
  readonly extensions = '';
  readonly bufferedAmount = 0;
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  /** The server's end, once accepted. */
  connection: ServerConnection | null = null;

  constructor(url: string) {
    super();
    this.url = url;
    const server = servers.get(new URL(url).host);
    later(() => {
      if (!server || server.refuseConnections) return this.fail();
      this.readyState = FakeWebSocket.OPEN;
      this.connection = server.accept(this);
      this.onopen?.(new Event('open'));
      this.connection.open();
    });
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new DOMException('not open', 'InvalidStateError');
    const connection = this.connection!;
    later(() => connection.receive(data));
  }

  /** Closed by the page (Socket.IO's `disconnect()`). */
  close(): void {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSED;
    // After what was sent before: a socket delivers its data before its close.
    const connection = this.connection;
    later(() => connection?.closedByClient());
  }

  /** @internal From the server's end. */
  deliver(data: string): void {
    later(() => {
      if (this.readyState === FakeWebSocket.OPEN) this.onmessage?.(new MessageEvent('message', { data }));
    });
  }

  /** @internal The connection dropped, as when the network or the server goes away. */
  drop(): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    later(() => this.onclose?.(new CloseEvent('close', { code: 1006, wasClean: false })));
  }

  private fail(): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006, wasClean: false }));
  }
}

globalThis.WebSocket = new Proxy(RealWebSocket, {
  construct(target, args: [string | URL, (string | string[])?]) {
    const url = String(args[0]);
    if (FAKE_HOST.test(new URL(url).hostname)) return new FakeWebSocket(url);
    return new target(...args);
  },
});

export type RequestEvent = keyof ClientToServerEvents;
type Payload<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
type Answer<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], ((result: infer R) => void) | undefined] ? R : never;
/** How the server answers one request: a result, `undefined` to stay silent (the client times out). */
export type Handler<E extends RequestEvent> = (
  payload: Payload<E>,
  connection: ServerConnection,
) => Answer<E> | undefined | Promise<Answer<E> | undefined>;

/** One request as the server received it. */
export interface ReceivedRequest {
  event: RequestEvent;
  payload: unknown;
  connection: ServerConnection;
}

export const refusal = (code: ProtocolErrorCode, message: string = code): Result<never> => ({ ok: false, error: { code, message } });
const ok = <T>(data: T): Result<T> => ({ ok: true, data });

/** The server's end of one connection. */
export class ServerConnection {
  readonly #socket: FakeWebSocket;
  readonly #server: FakeSignalingServer;
  /** Set once the client's Socket.IO namespace connected. */
  connected = false;
  /** The page closed it (`leave()`, `disconnect()`). */
  closedByClient = (): void => {
    this.connected = false;
    this.closed = true;
    this.#server.onClosed(this);
  };
  closed = false;
  /** The participant this connection speaks for, once joined (or waiting). */
  participantId: string | null = null;

  constructor(socket: FakeWebSocket, server: FakeSignalingServer) {
    this.#socket = socket;
    this.#server = server;
  }

  /** @internal Engine.IO's handshake; pings are far enough apart that no test sees one. */
  open(): void {
    const handshake = { sid: crypto.randomUUID(), upgrades: [], pingInterval: 300_000, pingTimeout: 60_000, maxPayload: 1e6 };
    this.#socket.deliver(`0${JSON.stringify(handshake)}`);
  }

  /** Sends an event to the page. */
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    if (!this.closed) this.#socket.deliver(`42${JSON.stringify([event, ...args])}`);
  }

  /** Drops the connection without a word, as a lost network does: the client sees `transport close`. */
  drop(): void {
    this.connected = false;
    this.closed = true;
    this.#socket.drop();
    this.#server.onClosed(this);
  }

  /** Closes the Socket.IO session from the server's side (`io server disconnect`), as the real server does. */
  disconnect(): void {
    this.#socket.deliver('41');
    this.connected = false;
    this.closed = true;
    this.#server.onClosed(this);
  }

  /** @internal A frame from the page. */
  receive(frame: string): void {
    if (this.closed) return;
    if (frame === '2') return this.#socket.deliver('3');
    if (!frame.startsWith('4')) return;
    const packet = frame.slice(1);
    const type = packet[0];
    if (type === '0') {
      this.connected = true;
      this.#socket.deliver(`40${JSON.stringify({ sid: crypto.randomUUID() })}`);
      return;
    }
    if (type === '1') return this.closedByClient();
    if (type !== '2') return;
    const [, ackId, json] = /^2(\d*)(.*)$/s.exec(packet)!;
    const [event, ...args] = JSON.parse(json!) as [RequestEvent, ...unknown[]];
    void this.#server.handle(event, args[0], this).then((answer) => {
      if (ackId && answer !== undefined && !this.closed) this.#socket.deliver(`43${ackId}${JSON.stringify([answer])}`);
    });
  }
}

interface FakeParticipant {
  info: ParticipantInfo;
  connection: ServerConnection | null;
  resumeToken: string;
}

interface FakeMeeting {
  code: string;
  settings: MeetingSettings;
  participants: Map<string, FakeParticipant>;
  /** Waiting for a host, with the connection each waits on. */
  waiting: Map<string, { name: string; connection: ServerConnection; audio: boolean; video: boolean }>;
  ended: boolean;
  /** Raised hands, first raised first. */
  hands: RaisedHand[];
}

export interface MeetingOptions {
  waitingRoom?: boolean;
  /** Given to joiners in their join answer. */
  resumeWindowMs?: number;
  /** How the meeting's media travels, as join answers say (absent: the mesh). */
  media?: MediaPath;
}

/** A fake Parley server at `url`; `close()` it after the test. */
export class FakeSignalingServer {
  readonly url: string;
  readonly connections: ServerConnection[] = [];
  /** Every request, in arrival order. */
  readonly requests: ReceivedRequest[] = [];
  /** New connections fail (`connect_error`), as with a server that is down. */
  refuseConnections = false;
  readonly #host: string;
  readonly #meetings = new Map<string, FakeMeeting>();
  /** Per meeting code: what join answers say. */
  readonly #resumeWindowMs = new Map<string, number>();
  readonly #media = new Map<string, MediaPath>();
  readonly #handlers = new Map<RequestEvent, Handler<RequestEvent>>();
  #nextId = 1;

  constructor() {
    serverCount += 1;
    this.#host = `server-${serverCount}.parley.test`;
    this.url = `http://${this.#host}`;
    servers.set(this.#host, this);
  }

  /** Creates a meeting to join; returns its canonical code. */
  createMeeting(code = 'abcd-efgh-jkmn', options: MeetingOptions = {}): string {
    const canonical = normalizeMeetingCode(code)!;
    this.#meetings.set(canonical, {
      code: canonical,
      settings: { locked: false, waitingRoom: options.waitingRoom ?? false },
      participants: new Map(),
      waiting: new Map(),
      ended: false,
      hands: [],
    });
    this.#resumeWindowMs.set(canonical, options.resumeWindowMs ?? 30_000);
    if (options.media) this.#media.set(canonical, options.media);
    return canonical;
  }

  /** Answers `event` with `handler` instead of the meeting logic, until `answer(event, null)`. */
  answer<E extends RequestEvent>(event: E, handler: Handler<E> | null): void {
    if (handler) this.#handlers.set(event, handler as unknown as Handler<RequestEvent>);
    else this.#handlers.delete(event);
  }

  /** The requests received for `event`, payloads only. */
  received<E extends RequestEvent>(event: E): Payload<E>[] {
    return this.requests.filter((request) => request.event === event).map((request) => request.payload as Payload<E>);
  }

  /** The connection that speaks for `participantId` now. */
  connectionOf(participantId: string): ServerConnection {
    const connection = this.connections.findLast((candidate) => candidate.participantId === participantId && !candidate.closed);
    if (!connection) throw new Error(`no open connection for ${participantId}`);
    return connection;
  }

  get openConnections(): ServerConnection[] {
    return this.connections.filter((connection) => !connection.closed);
  }

  /** Adds a participant that exists only on the server (no page behind it); returns its info. */
  addRemoteParticipant(code: string, name: string, media: Partial<ParticipantInfo> = {}): ParticipantInfo {
    const meeting = this.#meeting(code);
    const info = this.#info(name, { audioEnabled: true, videoEnabled: true, ...media });
    meeting.participants.set(info.id, { info, connection: null, resumeToken: crypto.randomUUID() });
    this.#broadcast(meeting, info.id, 'participant-joined', info);
    return info;
  }

  /** Takes a participant out of the meeting, telling everyone, as when it left or its resume window passed. */
  removeParticipant(code: string, participantId: string, reason: 'left' | 'disconnected' | 'removed' = 'left'): void {
    const meeting = this.#meeting(code);
    meeting.participants.delete(participantId);
    this.#broadcast(meeting, participantId, 'participant-left', { participantId, reason });
    this.setHand(code, participantId, false);
  }

  /** Raises or lowers a participant's hand as the real server does: to the back of the queue, everyone told. */
  setHand(code: string, participantId: string, raised: boolean): RaisedHand[] {
    const meeting = this.#meeting(code);
    const up = meeting.hands.some((hand) => hand.participantId === participantId);
    if (raised === up) return meeting.hands;
    meeting.hands = raised
      ? [...meeting.hands, { participantId, raisedAt: Date.now() }]
      : meeting.hands.filter((hand) => hand.participantId !== participantId);
    this.#broadcast(meeting, null, 'hands-changed', { hands: meeting.hands });
    return meeting.hands;
  }

  /** The raised hands of a meeting, by participant id, first raised first. */
  handIds(code: string): string[] {
    return this.#meeting(code).hands.map((hand) => hand.participantId);
  }

  /** Everyone in the meeting but `except` gets the event. */
  broadcast<E extends keyof ServerToClientEvents>(code: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.#broadcast(this.#meeting(code), null, event, ...args);
  }

  /** Ends the meeting, as a host would: everyone hears `meeting-ended` and is disconnected. */
  endMeeting(code: string): void {
    const meeting = this.#meeting(code);
    meeting.ended = true;
    for (const { connection } of meeting.participants.values()) {
      connection?.emit('meeting-ended');
      connection?.disconnect();
    }
    meeting.participants.clear();
  }

  /** Lets someone in from the waiting room. */
  admit(code: string, participantId: string): void {
    const meeting = this.#meeting(code);
    const waiting = meeting.waiting.get(participantId)!;
    meeting.waiting.delete(participantId);
    const info = this.#info(waiting.name, { audioEnabled: waiting.audio, videoEnabled: waiting.video }, participantId);
    waiting.connection.emit('admitted', this.#enter(meeting, info, waiting.connection));
  }

  /** Turns someone in the waiting room away. */
  deny(code: string, participantId: string): void {
    const meeting = this.#meeting(code);
    const waiting = meeting.waiting.get(participantId)!;
    meeting.waiting.delete(participantId);
    waiting.connection.emit('denied');
    waiting.connection.disconnect();
  }

  /** Who is in the waiting room, by participant id. */
  waitingIds(code: string): string[] {
    return [...this.#meeting(code).waiting.keys()];
  }

  participantIds(code: string): string[] {
    return [...this.#meeting(code).participants.keys()];
  }

  close(): void {
    for (const connection of this.openConnections) connection.drop();
    servers.delete(this.#host);
  }

  /** @internal */
  accept(socket: FakeWebSocket): ServerConnection {
    const connection = new ServerConnection(socket, this);
    this.connections.push(connection);
    return connection;
  }

  /** @internal The connection is gone: its participant stays, for a resume, as on the real server. */
  onClosed(connection: ServerConnection): void {
    for (const meeting of this.#meetings.values()) {
      for (const participant of meeting.participants.values()) {
        if (participant.connection === connection) participant.connection = null;
      }
      for (const [id, waiting] of meeting.waiting) if (waiting.connection === connection) meeting.waiting.delete(id);
    }
  }

  /** @internal */
  async handle(event: RequestEvent, payload: unknown, connection: ServerConnection): Promise<unknown> {
    this.requests.push({ event, payload, connection });
    const custom = this.#handlers.get(event);
    if (custom) return custom(payload as never, connection);
    return this.#default(event, payload, connection);
  }

  #default(event: RequestEvent, payload: unknown, connection: ServerConnection): unknown {
    const meeting = this.#meetingOf(connection);
    const from = connection.participantId;
    switch (event) {
      case 'join-meeting': {
        const request = payload as Payload<'join-meeting'>;
        const target = this.#meetings.get(normalizeMeetingCode(request.code) ?? '');
        if (!target || target.ended) return refusal('meeting-not-found', 'No meeting with this code');
        if (target.settings.waitingRoom && !request.hostKey) {
          const participantId = `p${this.#nextId++}`;
          target.waiting.set(participantId, { name: request.name, connection, audio: request.audio, video: request.video });
          connection.participantId = participantId;
          return ok<WaitingForHost>({ waiting: true, participantId });
        }
        const info = this.#info(request.name, { isHost: Boolean(request.hostKey), audioEnabled: request.audio, videoEnabled: request.video });
        return ok(this.#enter(target, info, connection));
      }
      case 'resume-meeting': {
        const { resumeToken, audio, video, screen } = payload as Payload<'resume-meeting'>;
        for (const candidate of this.#meetings.values()) {
          for (const participant of candidate.participants.values()) {
            if (participant.resumeToken !== resumeToken) continue;
            participant.connection = connection;
            connection.participantId = participant.info.id;
            Object.assign(participant.info, {
              audioEnabled: audio ?? participant.info.audioEnabled,
              videoEnabled: video ?? participant.info.videoEnabled,
              screenSharing: screen ?? participant.info.screenSharing,
            });
            return ok(this.#joined(candidate, participant));
          }
          if (candidate.ended) return refusal('meeting-ended');
        }
        return refusal('resume-rejected');
      }
      case 'offer':
      case 'answer': {
        const { to, sdp } = payload as Payload<'offer'>;
        meeting?.participants.get(to)?.connection?.emit(event, { from: from!, sdp });
        return ok(undefined);
      }
      case 'ice-candidate': {
        const { to, candidate } = payload as Payload<'ice-candidate'>;
        meeting?.participants.get(to)?.connection?.emit('ice-candidate', { from: from!, candidate });
        return undefined;
      }
      case 'ice-restart-request': {
        const { to } = payload as Payload<'ice-restart-request'>;
        meeting?.participants.get(to)?.connection?.emit('ice-restart-request', { from: from! });
        return undefined;
      }
      case 'media-state': {
        if (!meeting || !from) return refusal('not-in-meeting');
        const state = payload as Payload<'media-state'>;
        const info = meeting.participants.get(from)!.info;
        Object.assign(info, { audioEnabled: state.audio, videoEnabled: state.video, screenSharing: state.screen ?? false });
        this.#broadcast(meeting, from, 'media-state', { participantId: from, ...state });
        return ok(undefined);
      }
      case 'raise-hand': {
        if (!meeting || !from) return refusal('not-in-meeting');
        return ok(this.setHand(meeting.code, from, (payload as Payload<'raise-hand'>).raised));
      }
      case 'lower-hand': {
        if (!meeting || !from) return refusal('not-in-meeting');
        if (!meeting.participants.get(from)!.info.isHost) return refusal('not-host');
        const target = payload as Payload<'lower-hand'>;
        const lowered = 'all' in target ? meeting.hands.map((hand) => hand.participantId) : [target.participantId];
        for (const id of lowered) this.setHand(meeting.code, id, false);
        return ok(meeting.hands);
      }
      case 'leave-meeting': {
        if (meeting && from) this.removeParticipant(meeting.code, from, 'left');
        connection.participantId = null;
        return ok(undefined);
      }
      default:
        // Host controls: what each does is the test's to say (`answer`).
        return ok(undefined);
    }
  }

  #enter(meeting: FakeMeeting, info: ParticipantInfo, connection: ServerConnection): JoinedMeeting {
    const participant = { info, connection, resumeToken: crypto.randomUUID() };
    connection.participantId = info.id;
    this.#broadcast(meeting, null, 'participant-joined', info);
    meeting.participants.set(info.id, participant);
    return this.#joined(meeting, participant);
  }

  #joined(meeting: FakeMeeting, self: FakeParticipant): JoinedMeeting {
    return {
      meeting: { code: meeting.code, expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      self: { ...self.info },
      participants: [...meeting.participants.values()].filter((other) => other !== self).map((other) => ({ ...other.info })),
      iceServers: [],
      resumeToken: self.resumeToken,
      resumeWindowMs: this.#resumeWindowMs.get(meeting.code)!,
      settings: { ...meeting.settings },
      waiting: [],
      hands: meeting.hands,
      ...(this.#media.has(meeting.code) && { media: this.#media.get(meeting.code) }),
    };
  }

  #info(name: string, fields: Partial<ParticipantInfo>, id = `p${this.#nextId++}`): ParticipantInfo {
    return { id, name, isHost: false, audioEnabled: true, videoEnabled: true, screenSharing: false, ...fields };
  }

  #meeting(code: string): FakeMeeting {
    const meeting = this.#meetings.get(normalizeMeetingCode(code) ?? code);
    if (!meeting) throw new Error(`no meeting ${code}`);
    return meeting;
  }

  #meetingOf(connection: ServerConnection): FakeMeeting | undefined {
    if (!connection.participantId) return undefined;
    for (const meeting of this.#meetings.values()) {
      if (meeting.participants.get(connection.participantId)?.connection === connection) return meeting;
    }
    return undefined;
  }

  #broadcast<E extends keyof ServerToClientEvents>(
    meeting: FakeMeeting,
    except: string | null,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    for (const [id, { connection }] of meeting.participants) if (id !== except) connection?.emit(event, ...args);
  }
}
