import type { Environment } from './environment.js';
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
  environment: Environment;
  /** The local camera/microphone stream; either kind may be missing. */
  localStream: MediaStream | null;
  signals: PeerSignals;
  onError(error: unknown): void;
}

const MEDIA_KINDS = ['audio', 'video'] as const;
/** `disconnected` often heals by itself (a brief loss); only restart ICE if it lasts this long. */
const DISCONNECTED_RESTART_MS = 3000;
/** An offer unanswered this long (with signaling up) was lost: roll back and negotiate again. */
const NEGOTIATION_TIMEOUT_MS = 8000;
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
  #signalingUp = true;
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  #negotiationTimer: ReturnType<typeof setTimeout> | undefined;

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
    pc.onconnectionstatechange = () => this.#onConnectionStateChange();
    pc.onsignalingstatechange = () => this.#watchNegotiation();

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

  /**
   * Gathers fresh ICE candidates and renegotiates the transport, keeping the media tracks: how a connection whose
   * network path failed (a TURN server restart, a Wi-Fi change) comes back without anyone re-joining.
   */
  restartIce(): void {
    if (this.#closed) return;
    clearTimeout(this.#disconnectedTimer);
    this.#pc.restartIce();
  }

  /** Told by the room when signaling drops and comes back; negotiation watchdogs pause meanwhile. */
  setSignalingUp(up: boolean): void {
    this.#signalingUp = up;
    this.#watchNegotiation();
    if (up && ['failed', 'disconnected'].includes(this.#pc.connectionState)) this.restartIce();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#disconnectedTimer);
    clearTimeout(this.#negotiationTimer);
    const pc = this.#pc;
    pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = null;
    pc.onconnectionstatechange = pc.onsignalingstatechange = null;
    pc.close();
    this.#options.remote.setConnectionState('closed');
  }

  #onConnectionStateChange(): void {
    const state = this.#pc.connectionState;
    this.#options.remote.setConnectionState(state);
    clearTimeout(this.#disconnectedTimer);
    if (state === 'failed') {
      this.restartIce();
    } else if (state === 'disconnected') {
      this.#disconnectedTimer = setTimeout(() => this.restartIce(), DISCONNECTED_RESTART_MS);
    }
  }

  #watchNegotiation(): void {
    clearTimeout(this.#negotiationTimer);
    if (this.#closed || !this.#signalingUp || this.#pc.signalingState === 'stable') return;
    this.#negotiationTimer = setTimeout(() => {
      this.#enqueue(async () => {
        if (this.#pc.signalingState !== 'have-local-offer') return;
        await this.#pc.setLocalDescription({ type: 'rollback' });
        // Back to stable with the restart flag set: negotiationneeded fires and a new offer goes out.
        this.restartIce();
      });
    }, NEGOTIATION_TIMEOUT_MS);
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
