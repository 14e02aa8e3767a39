import type { Page } from 'playwright-core';

export interface ParleyJoinOptions {
  parleyUrl: string;
  code: string;
  /** Captured before the clock starts, as `<meeting-room>`'s prejoin preview does, and handed to `join()`. */
  constraints: MediaStreamConstraints;
  timeoutMs: number;
}

/** One join, in ms from the call to `room.join()`; `null` for a step the run never saw. */
export interface ParleyRun {
  /** The WebSocket to the server opened (TCP and HTTP upgrade done). */
  socketOpenMs: number | null;
  /** join() resolved: the server acknowledged `join-meeting`. */
  joinedMs: number | null;
  /** The first participant created its connection to us (it heard of us from the server). */
  hostConnectionMs: number | null;
  /** The first participant's offer was set as its local description: it goes out now. */
  hostOfferMs: number | null;
  /** The first participant's offer reached our connection. */
  offerMs: number | null;
  /** Our answer was set as local description (and is sent). */
  answerMs: number | null;
  /** Our connection's ICE transport found a working pair. */
  iceConnectedMs: number | null;
  /** `connection-state-changed` to `connected` for the first participant (ICE and DTLS done). */
  connectedMs: number;
  /** The last packet of the first frame arrived (rVFC `receiveTime`), when the browser says. */
  frameReceivedMs: number | null;
  /** The first decoded frame of the first participant's video was presented (rVFC `presentationTime`). */
  firstFrameMs: number;
  /** Its width in pixels: the encoder may start below the capture's 1280. */
  firstFrameWidth: number;
  /** Signaling round trips the join waited on before `connected`; see {@link countRoundTrips}. */
  roundTrips: number;
  /** Socket.IO messages before `connected`, each way. */
  messagesSent: number;
  messagesReceived: number;
}

/** A Socket.IO packet on the joiner's WebSocket, as the page saw it. */
export interface SignalFrame {
  direction: 'sent' | 'received';
  /** `connect`, an event name, `ack` or `other` (Engine.IO open, ping, pong). */
  kind: string;
  /** The ack id a request carries, or the id an ack answers. */
  ackId: number | null;
}

/**
 * Signaling round trips the joiner waited on, from the frames it sent and received before `connected`: the
 * WebSocket's HTTP upgrade, each request whose ack came back (the Socket.IO connect, `join-meeting`; relayed
 * messages' acks are not waited on), and half a round trip for each session description each way (an offer in
 * and the answer out make one).
 */
export function countRoundTrips(frames: readonly SignalFrame[], upgraded: boolean): number {
  const awaited = new Set<number>();
  // A room connected before the clock (`connect()`) did its upgrade and Socket.IO connect before it.
  let roundTrips = upgraded ? 1 : 0;
  for (const frame of frames) {
    if (frame.direction === 'received' && frame.kind === 'connect') roundTrips += 1;
    if (frame.direction === 'sent' && frame.ackId !== null && !['offer', 'answer', 'ice-candidate'].includes(frame.kind)) {
      awaited.add(frame.ackId);
    }
    if (frame.direction === 'received' && frame.kind === 'ack' && frame.ackId !== null && awaited.has(frame.ackId)) roundTrips += 1;
    if (frame.kind === 'offer' || frame.kind === 'answer') roundTrips += 0.5;
  }
  return roundTrips;
}

declare global {
  interface Window {
    /** Set by {@link prepareParleyJoins}: one measured join per call. */
    __benchParley?: { run(index: number, preconnect: boolean): Promise<Omit<ParleyRun, 'hostConnectionMs' | 'hostOfferMs' | 'roundTrips'> & { t0: number; frames: SignalFrame[] }> };
    /** Set by {@link watchHostConnections}: when the host page created each connection and set its first offer. */
    __benchHost?: { created: number; offered: number | null }[];
  }
}

/**
 * Prepares `page` to join the meeting with the SDK's `Room`, as loaded from the server's `/parley.js`, and returns
 * a function that joins once, leaves, and reports the run. The first participant, in `hostPage`, must already be in
 * the meeting, sending video; its connections are timed too, on the shared wall clock.
 */
export async function prepareParleyJoins(
  page: Page,
  hostPage: Page,
  options: ParleyJoinOptions,
): Promise<(index: number, preconnect: boolean) => Promise<ParleyRun>> {
  // The host page is not one of ours: it lacks the helper tsx's keepNames calls (see pages.ts).
  await hostPage.evaluate('globalThis.__name ??= (fn) => fn');
  await hostPage.evaluate(watchHostConnections);
  await page.evaluate(installParleyInPage, options);
  return async (index, preconnect) => {
    const { t0, frames, ...run } = await page.evaluate(([at, early]) => window.__benchParley!.run(at, early), [index, preconnect] as const);
    const host = await hostPage.evaluate(() => window.__benchHost!.at(-1));
    // In SFU mode the host makes no connection for a newcomer: its last one is older than the clock.
    const since = (at: number | null | undefined) => (at == null || host === undefined || at < t0 ? null : at - t0);
    return {
      ...run,
      hostConnectionMs: since(host?.created),
      hostOfferMs: since(host?.offered),
      roundTrips: countRoundTrips(frames, run.socketOpenMs !== null),
    };
  };
}

/** Runs in the host page: records, on the wall clock, when each new connection is made and offers. */
function watchHostConnections(): void {
  const marks: NonNullable<Window['__benchHost']> = [];
  window.__benchHost = marks;
  const wallClock = () => performance.timeOrigin + performance.now();
  // The SDK creates connections through the global constructor at call time, so a subclass put there sees them.
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      const mark: { created: number; offered: number | null } = { created: wallClock(), offered: null };
      marks.push(mark);
      this.addEventListener('signalingstatechange', () => {
        if (this.signalingState === 'have-local-offer') mark.offered ??= wallClock();
      });
    }
  };
}

/** Runs in the page: everything it needs is inside. */
async function installParleyInPage(options: ParleyJoinOptions): Promise<void> {
  // Loaded once, before any clock: a page that joins has its script already.
  const { Room, browserEnvironment } = (await import(`${options.parleyUrl}/parley.js`)) as typeof import('@parley/sdk');
  const wallClock = () => performance.timeOrigin + performance.now();
  let frames: SignalFrame[] = [];
  let socketOpenedAt: number | null = null;
  /** The Socket.IO connect packet (`40…`) arrived: the connection is ready for requests. */
  let socketIoConnected = false;
  let recording = false;
  window.__benchParley = { run: joinOnce };

  /** Engine.IO message `4`, Socket.IO packet type, optional ack id, JSON payload: `42` + `7` + `["join-meeting",…]`. */
  function parseFrame(direction: SignalFrame['direction'], data: unknown): SignalFrame {
    const match = typeof data === 'string' ? /^4([023])(\d*)(.*)$/s.exec(data) : null;
    if (!match) return { direction, kind: 'other', ackId: null };
    const [, type, id, payload] = match;
    const ackId = id ? Number(id) : null;
    if (type === '0') return { direction, kind: 'connect', ackId };
    if (type === '3') return { direction, kind: 'ack', ackId };
    const [name] = JSON.parse(payload!) as [string];
    return { direction, kind: name, ackId };
  }

  // The bundle took its WebSocket constructor when the embedder page loaded it, so the prototype is where to
  // look: Engine.IO sets `onopen` and `onmessage` and calls `send`.
  const proto = WebSocket.prototype;
  const { send } = proto;
  proto.send = function (this: WebSocket, data) {
    if (recording) frames.push(parseFrame('sent', data));
    send.call(this, data);
  };
  const handler = (name: 'onopen' | 'onmessage', before: (event: Event) => void) => {
    const property = Object.getOwnPropertyDescriptor(proto, name)!;
    Object.defineProperty(proto, name, {
      ...property,
      set(this: WebSocket, listener: ((event: Event) => void) | null) {
        property.set!.call(this, listener && ((event: Event) => (before(event), listener.call(this, event))));
      },
    });
  };
  handler('onopen', () => (socketOpenedAt ??= performance.now()));
  handler('onmessage', (event) => {
    const { data } = event as MessageEvent;
    if (typeof data === 'string' && data.startsWith('40')) socketIoConnected = true;
    if (recording) frames.push(parseFrame('received', data));
  });

  /** `preconnect`: `room.connect()` first, as `<meeting-room>` does while its prejoin screen shows; the clock starts once connected. */
  async function joinOnce(index: number, preconnect: boolean) {
    const stream = await navigator.mediaDevices.getUserMedia(options.constraints);
    const marks: { joined?: number; offer?: number; answer?: number; iceConnected?: number; connected?: number } = {};
    let t0 = 0;
    const mark = (step: keyof typeof marks) => (marks[step] ??= performance.now() - t0);
    // The SDK's own seam for browser APIs: the real ones, with timestamps of steps the events do not show.
    const room = new Room({
      server: options.parleyUrl,
      environment: {
        ...browserEnvironment,
        createPeerConnection: (configuration) => {
          const pc = new RTCPeerConnection(configuration);
          pc.addEventListener('signalingstatechange', () => {
            if (pc.signalingState === 'have-remote-offer') mark('offer');
            if (pc.signalingState === 'stable' && marks.offer !== undefined) mark('answer');
          });
          pc.addEventListener('iceconnectionstatechange', () => {
            if (pc.iceConnectionState === 'connected') mark('iceConnected');
          });
          return pc;
        },
      },
    });
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);

    room.on('joined', () => mark('joined'));
    const connected = new Promise<number>((resolve) =>
      room.on('connection-state-changed', (_participant, state) => {
        if (state !== 'connected') return;
        recording = false;
        resolve(mark('connected'));
      }),
    );
    room.on('stream-changed', () => {
      const remote = [...room.participants.values()][0]?.stream;
      if (remote && remote.getVideoTracks().length > 0 && video.srcObject !== remote) video.srcObject = remote;
    });
    const firstFrame = new Promise<VideoFrameCallbackMetadata>((resolve) =>
      video.requestVideoFrameCallback((_now, metadata) => resolve(metadata)),
    );

    let timer = 0;
    const timeout = new Promise<never>((_, reject) => {
      timer = window.setTimeout(() => {
        const reached = JSON.stringify(marks);
        reject(new Error(`parley run ${index + 1}: no frame within ${options.timeoutMs} ms; reached ${reached}`));
      }, options.timeoutMs);
    });
    try {
      socketIoConnected = false;
      if (preconnect) {
        room.connect();
        for (let waited = 0; !socketIoConnected; waited += 10) {
          if (waited > options.timeoutMs) throw new Error(`parley run ${index + 1}: connect() did not connect`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      frames = [];
      socketOpenedAt = null;
      recording = true;
      t0 = performance.now();
      const wallClockAtStart = wallClock();
      const joined = room.join({ code: options.code, name: 'Bench', stream });
      const [frame, connectedMs] = await Promise.race([Promise.all([firstFrame, connected, joined]), timeout]);
      return {
        t0: wallClockAtStart,
        frames,
        socketOpenMs: socketOpenedAt === null ? null : socketOpenedAt - t0,
        joinedMs: marks.joined ?? null,
        offerMs: marks.offer ?? null,
        answerMs: marks.answer ?? null,
        iceConnectedMs: marks.iceConnected ?? null,
        connectedMs,
        frameReceivedMs: frame.receiveTime === undefined ? null : frame.receiveTime - t0,
        firstFrameMs: frame.presentationTime - t0,
        firstFrameWidth: frame.width,
        messagesSent: frames.filter((frame) => frame.direction === 'sent' && frame.kind !== 'other').length,
        messagesReceived: frames.filter((frame) => frame.direction === 'received' && frame.kind !== 'other').length,
      };
    } finally {
      recording = false;
      clearTimeout(timer);
      await room.leave();
      video.srcObject = null;
      video.remove();
    }
  }
}
