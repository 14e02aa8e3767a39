import { Participant } from './participant.js';
import type { ConnectionQuality } from './stats/connection-quality.js';

/** What a remote participant asks of the peer connection that carries its media. */
interface PeerLink {
  stats(): Promise<RTCStatsReport | null>;
  repair(): void;
}

/** Another person in the meeting, reached over their own peer connection. */
export class RemoteParticipant extends Participant {
  readonly isLocal = false;
  /** State of the peer connection that carries this participant's media. */
  connectionState: RTCPeerConnectionState = 'new';
  /**
   * How good the connection to this participant is, from 1 (unusable) to 5 (excellent), from round-trip time,
   * loss, jitter and available bandwidth; 0 until measured.
   */
  connectionQuality: ConnectionQuality = 0;

  /** The track the screen arrives on; it stays, muted, between shares. */
  #screenStream: MediaStream | null = null;
  /** How the room reaches this participant's peer connection. */
  #peer: PeerLink | null = null;

  /**
   * Video frames decoded so far from this participant's camera (`inbound-rtp` `framesDecoded`), or `null` while
   * there are none. If they advance while a `<video>` showing `stream` presents no frame
   * (`requestVideoFrameCallback` stays silent), the picture is frozen on this side: {@link repairVideo} heals it.
   */
  async framesDecoded(): Promise<number | null> {
    const trackId = this.stream?.getVideoTracks()[0]?.id;
    let frames: number | null = null;
    (await this.#peer?.stats())?.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.trackIdentifier === trackId) frames = stats.framesDecoded ?? 0;
    });
    return frames;
  }

  /**
   * Renews the peer connection to this participant: for video that decodes but no longer shows (see
   * {@link framesDecoded}), which no keyframe or ICE restart heals. Their media pauses for about a second and
   * `stream` is replaced (`stream-changed`); chat messages meanwhile are queued. Does nothing while the room is not
   * `joined`: the new connection is negotiated through the server.
   */
  repairVideo(): void {
    this.#peer?.repair();
  }

  /** @internal Called by the room when it connects to this participant. */
  setPeer(peer: PeerLink): void {
    this.#peer = peer;
  }

  get screenStream(): MediaStream | null {
    return this.screenSharing ? this.#screenStream : null;
  }

  /** @internal Called by the peer connection when the track carrying this participant's screen arrives. */
  setScreenTrack(track: MediaStreamTrack): void {
    if (this.#screenStream?.getTrackById(track.id)) return;
    this.#screenStream = new MediaStream([track]);
    if (this.screenSharing) this.emit('screen-share-changed');
  }

  /** @internal From the participant's broadcast media state. */
  setScreenSharing(sharing: boolean): void {
    if (sharing === this.screenSharing) return;
    this.screenSharing = sharing;
    this.emit('screen-share-changed');
  }

  /** @internal Called by the peer connection as remote tracks arrive. */
  addTrack(track: MediaStreamTrack): void {
    if (!this.stream) this.stream = new MediaStream();
    if (this.stream.getTrackById(track.id)) return;
    this.stream.addTrack(track);
    this.emit('stream-changed');
  }

  /** @internal */
  setConnectionQuality(quality: ConnectionQuality): void {
    if (quality === this.connectionQuality) return;
    this.connectionQuality = quality;
    this.emit('connection-quality-changed', quality);
  }

  /** @internal */
  setConnectionState(state: RTCPeerConnectionState): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.emit('connection-state-changed', state);
  }
}
