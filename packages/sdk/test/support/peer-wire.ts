/**
 * A test bench for `PeerSession`: two sessions with real RTCPeerConnections in the test page, wired to each other
 * through an in-memory "signaling wire" instead of a server. Each direction of the wire can delay messages, reorder
 * ICE candidates within a bound, hold everything (a signaling outage) and drop chosen messages.
 *
 * The wire keeps the one ordering guarantee the real signaling (Socket.IO) gives: descriptions are never overtaken and
 * never overtake; only candidates between two descriptions may be shuffled among themselves.
 */
import type { ParticipantInfo } from '@parley/protocol';
import { browserEnvironment, type Environment } from '../../src/environment.js';
import { videoEncodingFor } from '../../src/adaptation/encoding-policy.js';
import { PeerSession } from '../../src/peer-session.js';
import { RemoteParticipant } from '../../src/remote-participant.js';

// Captured at load, so a test that wraps the globals to count the SDK's timers does not count the bench's.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);
const realSetInterval = globalThis.setInterval.bind(globalThis);
const realClearInterval = globalThis.clearInterval.bind(globalThis);

export type WireMessage =
  | { kind: 'description'; type: 'offer' | 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: RTCIceCandidateInit }
  | { kind: 'restart-request' };

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Polls `condition` every 20 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface LinkOptions {
  /** Every message takes this long. */
  delayMs?: number;
  /** Candidates take up to this much longer, at random: they may overtake each other, but never a description. */
  jitterMs?: number;
  seed?: number;
}

/** One event on the wire, in the order they happened on both directions. */
export interface WireEvent {
  from: string;
  event: 'sent' | 'delivered' | 'dropped' | 'held';
  message: WireMessage;
}

interface Scheduled {
  message: WireMessage;
  due: number;
  seq: number;
}

/** One direction of the wire. */
export class Link {
  delayMs: number;
  jitterMs: number;
  /** Everything handed to the wire, in order, dropped or not. */
  readonly sent: WireMessage[] = [];
  /** When each of `sent` was handed to the wire (`performance.now()`). */
  readonly sentAt: number[] = [];
  /** Everything that reached the other side, in order. */
  readonly delivered: WireMessage[] = [];
  readonly dropped: WireMessage[] = [];
  #random: () => number;
  #deliver: ((message: WireMessage) => void) | null = null;
  #held = false;
  #holdBuffer: WireMessage[] = [];
  #drops: ((message: WireMessage) => boolean)[] = [];
  #queue: Scheduled[] = [];
  #seq = 0;
  #lastDescriptionDue = 0;
  #maxDue = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  readonly #from: string;
  readonly #log: WireEvent[];

  constructor(options: LinkOptions = {}, from = '?', log: WireEvent[] = []) {
    this.#from = from;
    this.#log = log;
    this.delayMs = options.delayMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.#random = seededRandom(options.seed ?? 1);
  }

  connect(deliver: (message: WireMessage) => void): void {
    this.#deliver = deliver;
  }

  send(message: WireMessage): void {
    if (this.#disposed) return;
    this.sent.push(message);
    this.sentAt.push(performance.now());
    this.#log.push({ from: this.#from, event: 'sent', message });
    const drop = this.#drops.findIndex((matches) => matches(message));
    if (drop >= 0) {
      this.#drops.splice(drop, 1);
      this.dropped.push(message);
      this.#log.push({ from: this.#from, event: 'dropped', message });
      return;
    }
    if (this.#held) {
      this.#holdBuffer.push(message);
      this.#log.push({ from: this.#from, event: 'held', message });
    } else this.#schedule(message);
  }

  /** Drops the next message that `matches` (once). */
  dropNext(matches: (message: WireMessage) => boolean): void {
    this.#drops.push(matches);
  }

  /** Signaling down: messages wait (in order) until `release`. */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    const held = this.#holdBuffer;
    this.#holdBuffer = [];
    for (const message of held) this.#schedule(message);
  }

  get held(): number {
    return this.#holdBuffer.length;
  }

  /** Messages on their way (scheduled or held). */
  get inFlight(): number {
    return this.#queue.length + this.#holdBuffer.length;
  }

  count(list: 'sent' | 'delivered' | 'dropped', type: 'offer' | 'answer' | 'candidate' | 'restart-request'): number {
    return this[list].filter((message) =>
      message.kind === 'description' ? message.type === type : message.kind === type,
    ).length;
  }

  dispose(): void {
    this.#disposed = true;
    realClearTimeout(this.#timer);
    this.#queue = [];
    this.#holdBuffer = [];
  }

  #schedule(message: WireMessage): void {
    let due = performance.now() + this.delayMs;
    if (message.kind !== 'description') {
      due = Math.max(due + this.#random() * this.jitterMs, this.#lastDescriptionDue);
    } else {
      due = Math.max(due, this.#maxDue);
      this.#lastDescriptionDue = due;
    }
    this.#maxDue = Math.max(this.#maxDue, due);
    this.#queue.push({ message, due, seq: this.#seq++ });
    this.#queue.sort((x, y) => x.due - y.due || x.seq - y.seq);
    this.#pump();
  }

  #pump(): void {
    realClearTimeout(this.#timer);
    const next = this.#queue[0];
    if (!next || this.#disposed) return;
    this.#timer = realSetTimeout(
      () => {
        this.#timer = undefined;
        const now = performance.now();
        while (this.#queue[0] && this.#queue[0].due <= now + 0.5 && !this.#disposed) {
          const { message } = this.#queue.shift()!;
          this.delivered.push(message);
          this.#log.push({ from: this.#from, event: 'delivered', message });
          this.#deliver?.(message);
        }
        this.#pump();
      },
      Math.max(0, next.due - performance.now()),
    );
  }
}

/**
 * `browserEnvironment`, keeping every peer connection and data channel it creates, and counting sends. A connection
 * in `stalled` reports its transports' `bytesReceived` frozen, as if its network path were gone.
 */
export class RecordingEnvironment implements Environment {
  readonly peerConnections: RTCPeerConnection[] = [];
  readonly stalled = new Set<RTCPeerConnection>();
  readonly channels = new Map<RTCPeerConnection, RTCDataChannel[]>();
  readonly channelSends = new Map<RTCDataChannel, string[]>();

  getUserMedia = browserEnvironment.getUserMedia;
  getDisplayMedia = browserEnvironment.getDisplayMedia;
  enumerateDevices = browserEnvironment.enumerateDevices;
  onDeviceChange = browserEnvironment.onDeviceChange;
  onPageHide = browserEnvironment.onPageHide;
  watchPermission = browserEnvironment.watchPermission;

  createPeerConnection(configuration: RTCConfiguration): RTCPeerConnection {
    const pc = browserEnvironment.createPeerConnection(configuration);
    this.peerConnections.push(pc);
    const getStats = pc.getStats.bind(pc) as (selector?: MediaStreamTrack | null) => Promise<RTCStatsReport>;
    const frozen = new Map<string, number>();
    pc.getStats = async (selector?: MediaStreamTrack | null) => {
      const report = await getStats(selector);
      if (!this.stalled.has(pc)) {
        frozen.clear();
        return report;
      }
      const stalled = new Map<string, RTCStats>();
      report.forEach((stats: RTCTransportStats) => {
        if (stats.type === 'transport') {
          if (!frozen.has(stats.id)) frozen.set(stats.id, stats.bytesReceived ?? 0);
          stalled.set(stats.id, { ...stats, bytesReceived: frozen.get(stats.id) } as RTCStats);
        } else stalled.set(stats.id, stats);
      });
      return stalled as unknown as RTCStatsReport;
    };
    const channels: RTCDataChannel[] = [];
    this.channels.set(pc, channels);
    const createDataChannel = pc.createDataChannel.bind(pc);
    pc.createDataChannel = (label: string, init?: RTCDataChannelInit) => {
      const channel = createDataChannel(label, init);
      channels.push(channel);
      const sends: string[] = [];
      this.channelSends.set(channel, sends);
      const send = channel.send.bind(channel) as (data: string) => void;
      (channel as { send: (data: string) => void }).send = (data: string) => {
        sends.push(data);
        send(data);
      };
      return channel;
    };
    return pc;
  }
}

export interface Side {
  session: PeerSession;
  /** The other participant as this side sees it. */
  remote: RemoteParticipant;
  /** This side's outgoing direction of the wire. */
  out: Link;
  localStream: MediaStream | null;
  errors: unknown[];
  received: string[];
  pc: RTCPeerConnection;
}

export interface PairOptions {
  streamA?: MediaStream | null;
  streamB?: MediaStream | null;
  /** Applied to both directions unless `linkB` is given. */
  link?: LinkOptions;
  /** B → A, if different. */
  linkB?: LinkOptions;
  environment?: RecordingEnvironment;
}

const info = (id: string): ParticipantInfo => ({
  id,
  name: id,
  isHost: false,
  audioEnabled: true,
  videoEnabled: true,
  screenSharing: false,
});

/** A connected-by-wire pair: `a` initiates (impolite), `b` answers (polite). */
export class Pair {
  readonly environment: RecordingEnvironment;
  readonly a: Side;
  readonly b: Side;
  /** Both directions of the wire, interleaved in the order things happened. */
  readonly log: WireEvent[] = [];

  constructor(options: PairOptions = {}) {
    this.environment = options.environment ?? new RecordingEnvironment();
    const aToB = new Link(options.link, 'a', this.log);
    const bToA = new Link(options.linkB ?? { ...options.link, seed: (options.link?.seed ?? 1) + 1 }, 'b', this.log);
    this.a = this.#side('a', true, options.streamA ?? null, aToB, new RemoteParticipant(info('b')));
    this.b = this.#side('b', false, options.streamB ?? null, bToA, new RemoteParticipant(info('a')));
    aToB.connect((message) => deliver(this.b.session, message));
    bToA.connect((message) => deliver(this.a.session, message));
  }

  get sides(): [Side, Side] {
    return [this.a, this.b];
  }

  /** Both connections `connected` and both signaling states `stable`, nothing on the wire. */
  settled(): boolean {
    return this.sides.every(
      (side) =>
        side.pc.connectionState === 'connected' && side.pc.signalingState === 'stable' && side.out.inFlight === 0,
    );
  }

  async untilSettled(what = 'both sides connected and stable', timeoutMs = 8000): Promise<void> {
    await waitFor(() => this.settled(), what, timeoutMs);
  }

  setSignalingUp(up: boolean): void {
    for (const side of this.sides) {
      if (up) {
        side.session.setSignalingUp(true);
        side.out.release();
      } else {
        side.out.hold();
        side.session.setSignalingUp(false);
      }
    }
  }

  close(): void {
    for (const side of this.sides) {
      side.out.dispose();
      side.session.close();
    }
  }

  #side(name: string, initiator: boolean, localStream: MediaStream | null, out: Link, remote: RemoteParticipant): Side {
    const errors: unknown[] = [];
    const received: string[] = [];
    const session = new PeerSession({
      remote,
      initiator,
      configuration: { iceServers: [], bundlePolicy: 'max-bundle' },
      environment: this.environment,
      localStream,
      videoEncoding: videoEncodingFor(2),
      signals: {
        sendDescription: (type, sdp) => out.send({ kind: 'description', type, sdp }),
        // The same shape the room sends through the server (JSON, no class instance).
        sendCandidate: (candidate) => out.send({ kind: 'candidate', candidate: JSON.parse(JSON.stringify(candidate)) }),
        requestIceRestart: () => out.send({ kind: 'restart-request' }),
      },
      onData: (message) => received.push(message),
      onError: (error) => {
        errors.push(error);
        console.warn(`[peer-wire] side ${name} reported`, error);
      },
    });
    return { session, remote, out, localStream, errors, received, pc: session.peerConnection };
  }
}

function deliver(session: PeerSession, message: WireMessage): void {
  if (message.kind === 'description') session.handleDescription(message.type, message.sdp);
  else if (message.kind === 'candidate') session.handleCandidate(message.candidate);
  else session.handleIceRestartRequest();
}

/** Everything a test created that must be released, released in `afterEach`. */
export class Resources {
  #pairs: Pair[] = [];
  #tracks: MediaStreamTrack[] = [];
  #intervals: ReturnType<typeof setInterval>[] = [];

  pair(options: PairOptions = {}): Pair {
    const pair = new Pair(options);
    this.#pairs.push(pair);
    return pair;
  }

  /** The fake camera and microphone, small to keep the encoders cheap. */
  async camera(): Promise<MediaStream> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 320, height: 240, frameRate: 15 },
    });
    this.#tracks.push(...stream.getTracks());
    return stream;
  }

  /** A video track from a canvas repainted 15 times a second (a stand-in for a shared screen). */
  canvasStream(width: number, height: number, color = '#3a7'): MediaStream {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d')!;
    let frame = 0;
    const paint = () => {
      frame += 1;
      context.fillStyle = color;
      context.fillRect(0, 0, width, height);
      context.fillStyle = '#fff';
      context.fillRect((frame * 4) % width, 0, 8, height);
    };
    paint();
    this.#intervals.push(realSetInterval(paint, 66));
    const stream = canvas.captureStream(15);
    this.#tracks.push(...stream.getTracks());
    return stream;
  }

  track(track: MediaStreamTrack): MediaStreamTrack {
    this.#tracks.push(track);
    return track;
  }

  release(): void {
    for (const pair of this.#pairs) {
      pair.close();
      for (const pc of pair.environment.peerConnections) pc.close();
      for (const side of pair.sides) {
        side.remote.stream?.getTracks().forEach((track) => track.stop());
        side.remote.screenStream?.getTracks().forEach((track) => track.stop());
      }
    }
    for (const track of this.#tracks) track.stop();
    for (const interval of this.#intervals) realClearInterval(interval);
    this.#pairs = [];
    this.#tracks = [];
    this.#intervals = [];
  }
}

/** Stats of the inbound RTP stream that feeds `track` (a receiver's track), or undefined before any packet. */
export async function inboundStats(pc: RTCPeerConnection, track: MediaStreamTrack): Promise<RTCInboundRtpStreamStats | undefined> {
  let inbound: RTCInboundRtpStreamStats | undefined;
  (await pc.getStats(track)).forEach((stats) => {
    if (stats.type === 'inbound-rtp') inbound = stats as RTCInboundRtpStreamStats;
  });
  return inbound;
}

export async function framesDecoded(pc: RTCPeerConnection, track: MediaStreamTrack): Promise<number> {
  return (await inboundStats(pc, track))?.framesDecoded ?? 0;
}

/** Waits until more frames than now have been decoded for `track`. */
export async function untilDecodingMore(
  pc: RTCPeerConnection,
  track: MediaStreamTrack,
  what: string,
  by = 5,
  timeoutMs = 5000,
): Promise<void> {
  const before = await framesDecoded(pc, track);
  await waitFor(async () => (await framesDecoded(pc, track)) >= before + by, what, timeoutMs);
}

/** The `a=ice-ufrag` values of a description, in order of the m-sections. */
export function iceUfrags(description: RTCSessionDescription | null): string[] {
  return [...(description?.sdp ?? '').matchAll(/^a=ice-ufrag:(\S+)/gm)].map((match) => match[1]!);
}

export interface SdkTimers {
  /** Timers and intervals set from peer-session.ts that have neither fired nor been cleared, with their delay. */
  readonly pending: Map<ReturnType<typeof setTimeout>, number>;
  /** Every delay peer-session.ts asked for, in order. */
  readonly requested: number[];
  restore(): void;
}

/**
 * Wraps the global setTimeout/clearTimeout to follow the timers that peer-session.ts itself sets (recognised by the
 * caller's frame), optionally running them `speedUp` times faster, and setInterval/clearInterval to follow its
 * intervals. Every other timer passes through untouched.
 */
export function trackSdkTimers(speedUp = 1): SdkTimers {
  const pending = new Map<ReturnType<typeof setTimeout>, number>();
  const requested: number[] = [];
  const original = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  };
  const fromSdk = (): boolean => /peer-session\.ts/.test(new Error().stack?.split('\n')[3] ?? '');
  globalThis.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    if (!fromSdk() || typeof handler !== 'function') return realSetTimeout(handler, ms, ...args);
    const id = realSetTimeout(() => {
      pending.delete(id);
      (handler as (...a: unknown[]) => void)(...args);
    }, (ms ?? 0) / speedUp);
    pending.set(id, ms ?? 0);
    requested.push(ms ?? 0);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: ReturnType<typeof setTimeout>) => {
    if (id !== undefined) pending.delete(id);
    realClearTimeout(id);
  }) as typeof clearTimeout;
  // Intervals run at their own pace (the path check measures real time); they are only followed.
  globalThis.setInterval = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    // In the browser, timeouts and intervals share one id space.
    const id = realSetInterval(handler, ms, ...args) as unknown as ReturnType<typeof setTimeout>;
    if (fromSdk()) {
      pending.set(id, ms ?? 0);
      requested.push(ms ?? 0);
    }
    return id;
  }) as unknown as typeof setInterval;
  globalThis.clearInterval = ((id?: ReturnType<typeof setTimeout>) => {
    if (id !== undefined) pending.delete(id);
    realClearInterval(id);
  }) as typeof clearInterval;
  return {
    pending,
    requested,
    restore: () => Object.assign(globalThis, original),
  };
}

export { realSetTimeout, realClearTimeout };
