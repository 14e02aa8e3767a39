import { setTimeout as delay } from 'node:timers/promises';
import type { RemoteParticipant } from '@parley/sdk';
import type { SdkPage } from './sdk-page.js';

declare global {
  interface Window {
    /** Every RTCPeerConnection the page created, once `recordPeerConnections()` ran. */
    __peerConnections: RTCPeerConnection[];
    /** Frames presented so far by the <video> of each remote participant, by id (requestVideoFrameCallback). */
    __presented: Record<string, number>;
  }
}

/** From now on, keeps every RTCPeerConnection the page creates in `window.__peerConnections`. */
export async function recordPeerConnections(page: SdkPage): Promise<void> {
  await page.page.evaluate(() => {
    window.__peerConnections = [];
    const Native = RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        window.__peerConnections.push(this);
      }
    };
  });
}

/**
 * Shows every remote participant's stream on the page in a <video> (the current stream, as it changes), and counts
 * the frames it presents: what a person sees, not only what the decoder got. Call before joining.
 */
export async function countPresentedFrames(page: SdkPage): Promise<void> {
  await page.page.evaluate(() => {
    window.__presented = {};
    const videos = new Map<string, HTMLVideoElement>();
    const show = (participant: RemoteParticipant) => {
      let video = videos.get(participant.id);
      if (!video) {
        const element = document.createElement('video');
        videos.set(participant.id, (video = element));
        element.muted = element.autoplay = element.playsInline = true;
        element.style.cssText = 'width: 160px; height: 120px';
        document.body.append(element);
        window.__presented[participant.id] = 0;
        const count = () => {
          window.__presented[participant.id]! += 1;
          element.requestVideoFrameCallback(count);
        };
        element.requestVideoFrameCallback(count);
      }
      if (video.srcObject !== participant.stream) video.srcObject = participant.stream;
    };
    // The room is created by the join that follows: watch for it.
    const watch = () => {
      const room = window.__room;
      if (!room) return void setTimeout(watch, 20);
      room.on('stream-changed', (participant) => {
        if (participant !== room.localParticipant) show(participant as RemoteParticipant);
      });
    };
    watch();
  });
}

export function presentedFrames(page: SdkPage, remoteId: string): Promise<number> {
  return page.page.evaluate((id) => window.__presented?.[id] ?? 0, remoteId);
}

/** A <video> showing a live stream presents this many frames at least over a window this long. */
const PRESENTED_WINDOW_MS = 2000;
const MIN_PRESENTED_FRAMES = 5;

/** Waits until `page`'s <video> of `remoteId` presents frames again; fails saying so after `timeoutMs`. */
export async function untilPresenting(page: SdkPage, remoteId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let frames = 0;
  let state = '';
  while (Date.now() < deadline) {
    const before = await presentedFrames(page, remoteId);
    await delay(PRESENTED_WINDOW_MS);
    frames = (await presentedFrames(page, remoteId)) - before;
    if (frames >= MIN_PRESENTED_FRAMES) return;
    state = (await page.received(remoteId)).state;
  }
  const { framesDecoded } = await page.received(remoteId);
  throw new Error(
    `${page.name}'s <video> of the other side presented ${frames} frames in ${PRESENTED_WINDOW_MS} ms ` +
      `(connection ${state}, ${framesDecoded} frames decoded) ${timeoutMs / 1000} s on: frozen`,
  );
}
