import type { Page } from 'playwright-core';

export interface ParleyJoinOptions {
  parleyUrl: string;
  code: string;
  runs: number;
  timeoutMs: number;
  pauseMs: number;
}

/** One join, in ms from the call to `room.join()`; `null` for a step the run never saw. */
export interface ParleyRun {
  /** getUserMedia resolved (the SDK captures in parallel with the socket connection). */
  mediaMs: number | null;
  /** join() resolved: the server acknowledged `join-meeting`. */
  joinedMs: number | null;
  /** The first participant's offer reached our connection. */
  offerMs: number | null;
  /** `connection-state-changed` to `connected` for the first participant. */
  connectedMs: number;
  /** The last packet of the first frame arrived (rVFC `receiveTime`), when the browser says. */
  frameReceivedMs: number | null;
  /** The first decoded frame of the first participant's video was presented (rVFC `presentationTime`). */
  firstFrameMs: number;
}

/**
 * Joins the meeting `runs` times from `page` with the SDK's `Room`, as loaded from the server's `/parley.js`,
 * leaving after each run. The first participant must already be in the meeting, sending video.
 */
export function measureParleyJoins(page: Page, options: ParleyJoinOptions): Promise<ParleyRun[]> {
  return page.evaluate(parleyRunsInPage, options);
}

/** Runs in the page: everything it needs is inside. */
async function parleyRunsInPage(options: ParleyJoinOptions): Promise<ParleyRun[]> {
  // Loaded once, before any clock: a page that joins has its script already.
  const { Room, browserEnvironment } = (await import(`${options.parleyUrl}/parley.js`)) as typeof import('@parley/sdk');
  const runs: ParleyRun[] = [];
  for (let index = 0; index < options.runs; index++) {
    runs.push(await joinOnce(index));
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return runs;

  async function joinOnce(index: number): Promise<ParleyRun> {
    const marks: { media?: number; joined?: number; offer?: number; connected?: number } = {};
    let t0 = 0;
    const mark = (step: keyof typeof marks) => (marks[step] ??= performance.now() - t0);
    // The SDK's own seam for browser APIs: the real ones, with timestamps of steps the events do not show.
    const room = new Room({
      server: options.parleyUrl,
      environment: {
        ...browserEnvironment,
        getUserMedia: async (constraints) => {
          const stream = await navigator.mediaDevices.getUserMedia(constraints);
          mark('media');
          return stream;
        },
        createPeerConnection: (configuration) => {
          const pc = new RTCPeerConnection(configuration);
          pc.addEventListener('signalingstatechange', () => {
            if (pc.signalingState === 'have-remote-offer') mark('offer');
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
        if (state === 'connected') resolve(mark('connected'));
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
      t0 = performance.now();
      const joined = room.join({ code: options.code, name: 'Bench' });
      const [frame, connectedMs] = await Promise.race([Promise.all([firstFrame, connected, joined]), timeout]);
      return {
        mediaMs: marks.media ?? null,
        joinedMs: marks.joined ?? null,
        offerMs: marks.offer ?? null,
        connectedMs,
        frameReceivedMs: frame.receiveTime === undefined ? null : frame.receiveTime - t0,
        firstFrameMs: frame.presentationTime - t0,
      };
    } finally {
      clearTimeout(timer);
      await room.leave();
      video.srcObject = null;
      video.remove();
    }
  }
}
