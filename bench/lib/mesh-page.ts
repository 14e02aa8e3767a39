/**
 * What runs inside one participant's page of the mesh bench: a tile (`<video>`) for every remote participant, a
 * frame-gap watch on each, and snapshots of the peer connections' stats. Joined through `SdkPage`, so the room is
 * `window.__room`. Functions here are shipped with `page.evaluate`: everything they need is inside them.
 */

/** One remote participant's inbound video at one instant. */
export interface PeerSnapshot {
  remoteId: string;
  framesDecoded: number;
  freezeCount: number;
  /** Seconds. */
  totalFreezesDuration: number;
  frameHeight: number | null;
  /** Video bytes received, RTP payload and headers. */
  bytesReceived: number;
}

/** What the page sends, over all its peer connections (one per peer in the mesh, one publisher to Janus in SFU mode). */
export interface UplinkSnapshot {
  /** Every outbound RTP stream, audio and video. */
  bytesSent: number;
  videoBytesSent: number;
  /** Each outbound video stream's (a peer's copy, or a simulcast layer's) frame height. */
  sentHeights: number[];
  /** Each local video encoder's reason to send less, e.g. `cpu` or `bandwidth`. */
  limitations: string[];
  /** Frames sent so far of each outbound video stream, by simulcast rid (or ssrc without simulcast). */
  framesSent: Record<string, number>;
}

declare global {
  interface Window {
    /** Longest time between two presented frames of each remote tile since the last `resetGaps`, ms. */
    __gaps?: Map<string, { last: number; longest: number; frames: number }>;
    /** Every peer connection the page made since `trackPeerConnections`. */
    __benchConnections?: RTCPeerConnection[];
    /** What each of them had sent at the last `snapshotUplink`. */
    __lastSent?: Map<RTCPeerConnection, { bytesSent: number; videoBytesSent: number }>;
  }
}

/**
 * Keeps every peer connection the page makes, for `snapshotUplink`: the SDK creates them through the global
 * constructor at call time, so a subclass put there sees them. Before the room joins.
 */
export function trackPeerConnections(): void {
  const connections: RTCPeerConnection[] = (window.__benchConnections = []);
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      connections.push(this);
    }
  };
}

/**
 * Outbound bytes of every peer connection the page made, and the encoders of its open ones, now. A connection
 * closed since (a peer left, or the SDK replaced it) counts with the bytes it had last time.
 */
export async function snapshotUplink(): Promise<UplinkSnapshot> {
  const uplink: UplinkSnapshot = { bytesSent: 0, videoBytesSent: 0, sentHeights: [], limitations: [], framesSent: {} };
  const lastSent = (window.__lastSent ??= new Map());
  const open = (window.__benchConnections ?? []).filter((pc) => pc.connectionState !== 'closed');
  const reports = await Promise.all(open.map((pc) => pc.getStats()));
  for (const [index, report] of reports.entries()) {
    const sent = { bytesSent: 0, videoBytesSent: 0 };
    report.forEach((stats: RTCOutboundRtpStreamStats) => {
      if (stats.type !== 'outbound-rtp') return;
      sent.bytesSent += stats.bytesSent ?? 0;
      if (stats.kind !== 'video') return;
      sent.videoBytesSent += stats.bytesSent ?? 0;
      if (stats.frameHeight !== undefined) uplink.sentHeights.push(stats.frameHeight);
      uplink.limitations.push(stats.qualityLimitationReason ?? '?');
      const key = stats.rid ?? String(stats.ssrc);
      uplink.framesSent[key] = (uplink.framesSent[key] ?? 0) + (stats.framesSent ?? 0);
    });
    lastSent.set(open[index]!, sent);
  }
  for (const sent of lastSent.values()) {
    uplink.bytesSent += sent.bytesSent;
    uplink.videoBytesSent += sent.videoBytesSent;
  }
  return uplink;
}

/**
 * Shows every remote participant in a small muted `<video>` as it arrives, as a meeting's tiles would (and says so
 * with `setVideoWanted`, as the grid does: in SFU mode Janus then forwards the simulcast layer that fits), and
 * watches each with requestVideoFrameCallback: the longest gap between two presented frames is the longest
 * freeze a viewer saw. Waits until `expected` remote tiles have media (a presented frame, or frames decoded per
 * getStats), or `timeoutMs`; resolves with how many do, and the connection state of those that do not.
 */
export async function showTiles({ expected, timeoutMs }: { expected: number; timeoutMs: number }): Promise<string[]> {
  const room = window.__room;
  const gaps = (window.__gaps = new Map());
  document.body.style.cssText = 'margin:0;display:flex;flex-wrap:wrap;gap:4px;background:#000';
  const videos = new Map<string, HTMLVideoElement>();
  const watch = (id: string, video: HTMLVideoElement) => {
    const onFrame = (now: number) => {
      const gap = gaps.get(id);
      if (gap) {
        if (gap.last > 0) gap.longest = Math.max(gap.longest, now - gap.last);
        gap.last = now;
        gap.frames++;
      } else gaps.set(id, { last: now, longest: 0, frames: 1 });
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const attach = () => {
    for (const [id, participant] of room.participants) {
      let video = videos.get(id);
      if (!video) {
        video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        video.style.cssText = 'width:320px;height:180px;object-fit:cover';
        document.body.append(video);
        videos.set(id, video);
        watch(id, video);
        room.setVideoWanted(id, { width: 320, height: 180 });
      }
      if (participant.stream && video.srcObject !== participant.stream) video.srcObject = participant.stream;
    }
  };
  room.on('participant-joined', attach);
  room.on('stream-changed', attach);
  const decoding = async (id: string) => {
    let frames = 0;
    (await room.getStats(id))?.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video') frames += stats.framesDecoded ?? 0;
    });
    return frames > 0;
  };
  const started = performance.now();
  for (;;) {
    attach();
    const ids = [...room.participants.keys()];
    const ready = await Promise.all(ids.map(async (id) => gaps.has(id) || (await decoding(id))));
    const missing = ids.filter((_, index) => !ready[index]);
    const count = ids.length - missing.length;
    if (count >= expected || performance.now() - started > timeoutMs) {
      return [
        `${count}/${expected}`,
        ...missing.map((id) => `${id}: ${room.participants.get(id)?.connectionState ?? 'absent'}`),
      ];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a new frame-gap window: the longest gaps measured so far are forgotten. */
export function resetGaps(): void {
  for (const gap of window.__gaps?.values() ?? []) {
    gap.longest = 0;
    gap.frames = 0;
  }
}

/** The longest gap per remote tile since `resetGaps`, and the frames presented, by remote id. */
export function readGaps(): Record<string, { longestMs: number; frames: number }> {
  return Object.fromEntries(
    [...(window.__gaps ?? new Map())].map(([id, { longest, frames }]) => [id, { longestMs: longest, frames }]),
  );
}

/** Inbound video from every remote participant, now: of the page's room, or of its receive-only room `receiver`. */
export async function snapshotPeers(receiver?: number): Promise<PeerSnapshot[]> {
  const room = receiver === undefined ? window.__room : window.__receivers![receiver]!;
  return Promise.all(
    [...room.participants.keys()].map(async (remoteId) => {
      const snapshot: PeerSnapshot = {
        remoteId,
        framesDecoded: 0,
        freezeCount: 0,
        totalFreezesDuration: 0,
        frameHeight: null,
        bytesReceived: 0,
      };
      const report = await room.getStats(remoteId);
      report?.forEach((stats) => {
        if (stats.type === 'inbound-rtp' && stats.kind === 'video') {
          snapshot.framesDecoded += stats.framesDecoded ?? 0;
          snapshot.freezeCount += stats.freezeCount ?? 0;
          snapshot.totalFreezesDuration += stats.totalFreezesDuration ?? 0;
          snapshot.frameHeight = stats.frameHeight ?? snapshot.frameHeight;
          snapshot.bytesReceived += (stats.bytesReceived ?? 0) + (stats.headerBytesReceived ?? 0);
        }
      });
      return snapshot;
    }),
  );
}
