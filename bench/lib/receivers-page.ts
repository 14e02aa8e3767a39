/**
 * Receive-only participants of the SFU meeting bench, several in one page: SDK rooms joined without camera or
 * microphone, each showing every camera it receives in a small muted `<video>` (and saying so with
 * `setVideoWanted`, as the grid does, so Janus forwards the thumbnail layer). Shipped with `page.evaluate`:
 * everything a function needs is inside it. `snapshotPeers(index)` (mesh-page.ts) reads room `index`.
 */
import type { Room } from '@parley/sdk';

declare global {
  interface Window {
    /** The page's receive-only rooms, in joining order. */
    __receivers?: Room[];
  }
}

export interface ReceiverOptions {
  parleyUrl: string;
  code: string;
  names: string[];
  /** The size each camera is shown at, CSS pixels. */
  tile: { width: number; height: number };
}

/**
 * Joins one room per name, one after the other, without devices. Resolves with the errors of the rooms that could
 * not join (a loaded machine may time one out): they are left out, and counted.
 */
export async function joinReceivers({ parleyUrl, code, names, tile }: ReceiverOptions): Promise<string[]> {
  const failures: string[] = [];
  const { Room } = (await import(`${parleyUrl}/parley.js`)) as typeof import('@parley/sdk');
  const rooms = (window.__receivers ??= []);
  document.body.style.cssText = 'margin:0;display:flex;flex-wrap:wrap;gap:2px;background:#000';
  for (const name of names) {
    const room = new Room({ server: parleyUrl });
    const videos = new Map<string, HTMLVideoElement>();
    const attach = () => {
      for (const [id, participant] of room.participants) {
        const stream = participant.stream;
        if (!stream || stream.getVideoTracks().length === 0 || videos.get(id)?.srcObject === stream) continue;
        let video = videos.get(id);
        if (!video) {
          video = document.createElement('video');
          video.muted = true;
          video.autoplay = true;
          video.playsInline = true;
          video.style.cssText = `width:${tile.width}px;height:${tile.height}px;object-fit:cover`;
          document.body.append(video);
          videos.set(id, video);
          room.setVideoWanted(id, tile);
        }
        video.srcObject = stream;
      }
    };
    room.on('participant-joined', attach);
    room.on('stream-changed', attach);
    try {
      await room.join({ code, name, audio: false, video: false });
    } catch (error) {
      failures.push(`${name}: ${String(error)}`);
      continue;
    }
    attach();
    rooms.push(room);
  }
  return failures;
}

/** How many of `publishers` each receive-only room decodes video of, now. */
export async function receiversDecoding(publishers: string[]): Promise<number[]> {
  return Promise.all(
    (window.__receivers ?? []).map(async (room) => {
      let decoding = 0;
      for (const id of publishers) {
        let frames = 0;
        (await room.getStats(id))?.forEach((stats) => {
          if (stats.type === 'inbound-rtp' && stats.kind === 'video') frames += stats.framesDecoded ?? 0;
        });
        if (frames > 0) decoding++;
      }
      return decoding;
    }),
  );
}

/** Every receive-only room leaves. */
export async function leaveReceivers(): Promise<void> {
  await Promise.all((window.__receivers ?? []).map((room) => room.leave()));
}
