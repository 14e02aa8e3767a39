import type { Page } from 'playwright-core';

export interface FloorOptions {
  /** The SDK's own capture constraints, so both sides encode the same picture. */
  constraints: MediaStreamConstraints;
  timeoutMs: number;
}

/** One run, in ms from just before createOffer. */
export interface FloorRun {
  /** Offer and answer both applied. */
  negotiatedMs: number;
  /** The receiving connection's ICE transport found a working pair (`iceConnectionState` `connected`). */
  iceConnectedMs: number | null;
  /** The receiving connection reached `connected` (ICE and DTLS done). */
  connectedMs: number;
  /** The last packet of the first frame arrived (rVFC `receiveTime`), when the browser says. */
  frameReceivedMs: number | null;
  /** The first decoded remote frame was presented (rVFC `presentationTime`). */
  firstFrameMs: number;
  /** Its width in pixels: the encoder may start below the capture's 1280. */
  firstFrameWidth: number;
}

declare global {
  interface Window {
    /** Set by {@link prepareFloor}: one measured negotiation per call. */
    __benchFloor?: { run(fastStart: boolean): Promise<FloorRun> };
  }
}

/**
 * The WebRTC floor: two peer connections in one page, signaled by direct calls. The media is captured once,
 * before any clock, and sent by the offerer as Parley's first participant sends its long-running camera.
 * Returns a function that makes one run per call, so the bench can interleave them with Parley's joins under the
 * same machine load. The camera stops with the page.
 */
export async function prepareFloor(page: Page, options: FloorOptions): Promise<(fastStart: boolean) => Promise<FloorRun>> {
  await page.evaluate(installFloorInPage, options);
  return (fastStart) => page.evaluate((fastStart) => window.__benchFloor!.run(fastStart), fastStart);
}

/** Runs in the page: everything it needs is inside. */
async function installFloorInPage(options: FloorOptions): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia(options.constraints);
  window.__benchFloor = { run: runOnce };

  /** `fastStart`: the offerer sends frames of at most 320×240, as the SDK does for a connection's first second. */
  async function runOnce(fastStart: boolean): Promise<FloorRun> {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    // The same configuration as the SDK's connections (no ICE servers on loopback).
    const offerer = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const answerer = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    try {
      return await negotiate(offerer, answerer, video, fastStart);
    } finally {
      offerer.close();
      answerer.close();
      video.srcObject = null;
      video.remove();
    }
  }

  async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection, video: HTMLVideoElement, fastStart: boolean) {
    for (const track of stream.getTracks()) {
      const { width = 0, height = 0 } = track.getSettings();
      const scaleResolutionDownBy = 2 ** Math.max(0, Math.ceil(Math.log2(Math.sqrt((width * height) / (320 * 240)))));
      const sendEncodings = fastStart && track.kind === 'video' ? [{ scaleResolutionDownBy }] : undefined;
      offerer.addTransceiver(track, { direction: 'sendrecv', streams: [stream], ...(sendEncodings && { sendEncodings }) });
    }
    // Trickle ICE: a candidate may be gathered before the other side has the description it belongs to.
    let offerApplied!: () => void;
    let answerApplied!: () => void;
    const answererReady = new Promise<void>((resolve) => (offerApplied = resolve));
    const offererReady = new Promise<void>((resolve) => (answerApplied = resolve));
    offerer.onicecandidate = ({ candidate }) => {
      if (candidate) void answererReady.then(() => answerer.addIceCandidate(candidate));
    };
    answerer.onicecandidate = ({ candidate }) => {
      if (candidate) void offererReady.then(() => offerer.addIceCandidate(candidate));
    };
    answerer.ontrack = ({ streams: [remote] }) => {
      if (remote && video.srcObject !== remote) video.srcObject = remote;
    };
    const firstFrame = new Promise<VideoFrameCallbackMetadata>((resolve) =>
      video.requestVideoFrameCallback((_now, metadata) => resolve(metadata)),
    );
    let iceConnectedAt: number | null = null;
    answerer.oniceconnectionstatechange = () => {
      if (answerer.iceConnectionState === 'connected') iceConnectedAt ??= performance.now();
    };
    const connected = new Promise<number>((resolve) => {
      answerer.onconnectionstatechange = () => {
        if (answerer.connectionState === 'connected') resolve(performance.now());
      };
    });

    const t0 = performance.now();
    await offerer.setLocalDescription(await offerer.createOffer());
    await answerer.setRemoteDescription(offerer.localDescription!);
    offerApplied();
    // The answerer sends too, as Parley's newcomer does: one round trip carries media both ways.
    for (const transceiver of answerer.getTransceivers()) {
      transceiver.direction = 'sendrecv';
      const track = stream.getTracks().find((candidate) => candidate.kind === transceiver.receiver.track.kind);
      void transceiver.sender.replaceTrack(track ?? null);
    }
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription!);
    answerApplied();
    const negotiatedAt = performance.now();

    let timer = 0;
    const timeout = new Promise<never>((_, reject) => {
      const error = new Error(`floor: no frame within ${options.timeoutMs} ms`);
      timer = window.setTimeout(() => reject(error), options.timeoutMs);
    });
    try {
      const [frame, connectedAt] = await Promise.race([Promise.all([firstFrame, connected]), timeout]);
      return {
        negotiatedMs: negotiatedAt - t0,
        iceConnectedMs: iceConnectedAt === null ? null : iceConnectedAt - t0,
        connectedMs: connectedAt - t0,
        frameReceivedMs: frame.receiveTime === undefined ? null : frame.receiveTime - t0,
        firstFrameMs: frame.presentationTime - t0,
        firstFrameWidth: frame.width,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
