import { Participant } from './participant.js';
import type { ConnectionQuality } from './stats/connection-quality.js';

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
