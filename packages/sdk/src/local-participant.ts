import { Participant } from './participant.js';

/** You, in the meeting: the tracks you capture and send to everyone. */
export class LocalParticipant extends Participant {
  readonly isLocal = true;

  constructor() {
    super({ id: '', name: '', isHost: false, audioEnabled: false, videoEnabled: false });
  }

  get audioTrack(): MediaStreamTrack | null {
    return this.stream?.getAudioTracks()[0] ?? null;
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  /** @internal */
  setStream(stream: MediaStream | null): void {
    this.stream = stream;
    this.emit('stream-changed');
  }

  /** @internal Stops every captured track: the camera light goes out. */
  stopTracks(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.setStream(null);
  }
}
