import type { MediaEnvironment } from './environment.js';
import type { RemoteParticipant } from './remote-participant.js';

/** How a peer session reaches the other side: through the signaling server. */
export interface PeerSignals {
  sendDescription(type: 'offer' | 'answer', sdp: string): void;
  sendCandidate(candidate: RTCIceCandidateInit): void;
}

export interface PeerSessionOptions {
  remote: RemoteParticipant;
  /**
   * Whether this side opens the negotiation. The participant already in the room initiates and is the impolite
   * peer; the newcomer answers and is polite. Both sides know their role without a round trip.
   */
  initiator: boolean;
  configuration: RTCConfiguration;
  environment: MediaEnvironment;
  /** The local camera/microphone stream; either kind may be missing. */
  localStream: MediaStream | null;
  signals: PeerSignals;
  onError(error: unknown): void;
}

const MEDIA_KINDS = ['audio', 'video'] as const;
type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * One RTCPeerConnection to one remote participant, negotiated with the "perfect negotiation" pattern
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): either side may renegotiate at any time,
 * and an offer collision is settled by politeness instead of failing.
 *
 * Each connection carries exactly one audio and one video transceiver, both `sendrecv` from the first offer,
 * even when the local track is missing or off: turning a camera on later is a `replaceTrack`, never a
 * renegotiation.
 */
export class PeerSession {
  readonly #pc: RTCPeerConnection;
  readonly #options: PeerSessionOptions;
  readonly #polite: boolean;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswerPending = false;
  /** Inbound signals are applied one at a time, in arrival order. */
  #inbound: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: PeerSessionOptions) {
    this.#options = options;
    this.#polite = !options.initiator;
    const pc = options.environment.createPeerConnection(options.configuration);
    this.#pc = pc;
    pc.onnegotiationneeded = () => void this.#negotiate();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) options.signals.sendCandidate(candidate.toJSON());
    };
    pc.ontrack = ({ track }) => options.remote.addTrack(track);
    pc.onconnectionstatechange = () => options.remote.setConnectionState(pc.connectionState);

    if (options.initiator) {
      const streams = options.localStream ? [options.localStream] : [];
      for (const kind of MEDIA_KINDS) {
        pc.addTransceiver(this.#localTrack(kind) ?? kind, { direction: 'sendrecv', streams });
      }
    }
  }

  get connectionState(): RTCPeerConnectionState {
    return this.#pc.connectionState;
  }

  /** The underlying connection, for statistics. */
  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  handleDescription(type: 'offer' | 'answer', sdp: string): void {
    this.#enqueue(async () => {
      const pc = this.#pc;
      const readyForOffer =
        !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswerPending);
      const offerCollision = type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.#polite && offerCollision;
      if (this.#ignoreOffer) return;

      this.#settingRemoteAnswerPending = type === 'answer';
      await pc.setRemoteDescription({ type, sdp });
      this.#settingRemoteAnswerPending = false;
      if (type === 'offer') {
        this.#sendOnOfferedTransceivers();
        await pc.setLocalDescription();
        this.#sendLocalDescription();
      }
    });
  }

  handleCandidate(candidate: RTCIceCandidateInit): void {
    this.#enqueue(async () => {
      try {
        await this.#pc.addIceCandidate(candidate);
      } catch (error) {
        // Candidates for an offer we ignored in a collision are expected to fail.
        if (!this.#ignoreOffer) throw error;
      }
    });
  }

  /** Sends `track` (or nothing) on this connection's transceiver of that kind, without renegotiating. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.#transceiver(kind);
    if (transceiver && !this.#closed) await transceiver.sender.replaceTrack(track);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const pc = this.#pc;
    pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
    pc.close();
    this.#options.remote.setConnectionState('closed');
  }

  async #negotiate(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      this.#sendLocalDescription();
    } catch (error) {
      this.#reportError(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** The answering side starts sending on the transceivers the offer created, so one round trip carries both ways. */
  #sendOnOfferedTransceivers(): void {
    for (const kind of MEDIA_KINDS) {
      const transceiver = this.#transceiver(kind);
      if (!transceiver || transceiver.direction === 'sendrecv') continue;
      transceiver.direction = 'sendrecv';
      const { localStream } = this.#options;
      if (localStream) transceiver.sender.setStreams(localStream);
      transceiver.sender.replaceTrack(this.#localTrack(kind)).catch((error: unknown) => this.#reportError(error));
    }
  }

  #sendLocalDescription(): void {
    const description = this.#pc.localDescription;
    if (!description || this.#closed) return;
    if (description.type !== 'offer' && description.type !== 'answer') return;
    this.#options.signals.sendDescription(description.type, description.sdp);
  }

  #transceiver(kind: MediaKind): RTCRtpTransceiver | undefined {
    return this.#pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === kind);
  }

  #localTrack(kind: MediaKind): MediaStreamTrack | null {
    const stream = this.#options.localStream;
    return (kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0]) ?? null;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#inbound = this.#inbound.then(async () => {
      if (this.#closed) return;
      try {
        await task();
      } catch (error) {
        this.#reportError(error);
      }
    });
  }

  #reportError(error: unknown): void {
    if (!this.#closed) this.#options.onError(error);
  }
}
