import { DEGRADATION_PREFERENCE, type VideoEncoding } from './adaptation/encoding-policy.js';
import type { Environment } from './environment.js';
import { averageLevel, type AudioEnergy } from './stats/audio-level.js';
import type { QualityStats } from './stats/connection-quality.js';

/** How a peer session reaches the other side: through the signaling server. */
export interface PeerSignals {
  sendDescription(type: 'offer' | 'answer', sdp: string): void;
  sendCandidate(candidate: RTCIceCandidateInit): void;
  /** Asks the other side to restart ICE (see {@link PeerSession.restartIce}). */
  requestIceRestart(): void;
}

/** Where a peer session delivers what arrives from the other side (a `RemoteParticipant` is one). */
export interface RemoteMedia {
  addTrack(track: MediaStreamTrack): void;
  setScreenTrack(track: MediaStreamTrack): void;
  setConnectionState(state: RTCPeerConnectionState): void;
}

export interface PeerSessionOptions {
  remote: RemoteMedia;
  /**
   * Whether this side opens the negotiation. The participant already in the room initiates and is the impolite
   * peer; the newcomer answers and is polite. Both sides know their role without a round trip.
   */
  initiator: boolean;
  configuration: RTCConfiguration;
  environment: Environment;
  /** The local camera/microphone stream; either kind may be missing. */
  localStream: MediaStream | null;
  /** Limits for the camera's encoder to start with; {@link PeerSession.setVideoEncoding} changes them. */
  videoEncoding: VideoEncoding;
  signals: PeerSignals;
  /** A message arrived on the data channel from this participant. */
  onData(message: string): void;
  onError(error: unknown): void;
}

const MEDIA_KINDS = ['audio', 'video'] as const;

/**
 * The path is checked once a second with one `getStats`: a path that has received nothing for
 * {@link PATH_STALL_MS} is lost, long before Chromium reports `disconnected` (5–7 s after a TURN server dies).
 * Each check also sends an empty message on the data channel, so that something arrives every second even when
 * both sides' media is off.
 */
const PATH_CHECK_MS = 1000;
const PATH_STALL_MS = 2000;
/**
 * While a path stays down, restarts go at once, then 1, 1, 3, 8 and 16 s apart (a TURN server back up within 3 s is
 * found within a second). Every restart counts, done here or on request, and none starts while the previous one is
 * negotiating or, for {@link RESTART_CHECKS_MS}, still checking: a slow link gets to finish its checks.
 * Server budget (`SOCKET_EVENT_LIMIT`, 300 events per 10 s per socket): any 10 s holds at most 4 restarts per pair
 * (at 0, 1, 2 and 5 s; the next is at 13 s). Each costs one socket an offer or an answer and its candidates (at most
 * 8 with policy `all`), and the polite side a request: at most 4 × (1 + 8 + 1) = 40 events per pair, 200 for the
 * 5 pairs of a mesh of 6.
 */
const RESTART_BACKOFF_MS = [1000, 1000, 1000, 3000, 8000, 16000];
const RESTART_CHECKS_MS = 3000;
/** An offer unanswered this long (with signaling up) was lost, or its answer was: send it again. */
const NEGOTIATION_TIMEOUT_MS = 8000;
/**
 * Fast start: until the connection has been up for `durationMs`, the camera is sent at no more than `maxPixels`.
 * WebRTC starts its bandwidth estimate at 300 kbps, of which audio takes a share, and below 300 kbps libwebrtc's
 * encoder drops every frame larger than 320×240 (its "initial frame drop") until it has scaled itself down, which
 * costs the first ~100 ms of video. Sent that small from the start, the first frame goes out at once
 * (bench/join.ts). By the time full resolution is allowed the estimate has grown, and the switch shows no gap.
 */
const FAST_START = { maxPixels: 320 * 240, durationMs: 1000 } as const;
/**
 * Both sides create the data channel themselves with this id (`negotiated`), so it needs no in-band handshake and
 * rides on the first offer.
 */
const DATA_CHANNEL = { label: 'parley', id: 0 } as const;
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
  /** Whether this side opens the negotiation (the impolite side); see {@link PeerSessionOptions.initiator}. */
  readonly initiator: boolean;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswerPending = false;
  /** Inbound signals are applied one at a time, in arrival order. */
  #inbound: Promise<void> = Promise.resolve();
  #closed = false;
  #signalingUp = true;
  #pathTimer: ReturnType<typeof setInterval> | undefined;
  #checkingPath = false;
  /** The transport's `bytesReceived` at the last path check, and when it last changed. */
  #bytesReceived = 0;
  #receivedAt = 0;
  /** When this side last restarted ICE, or asked the other side to. */
  #repairedAt = 0;
  /** Watchdog expiries since the last stable state: the first resends the offer, the next starts over. */
  #stalledOffers = 0;
  /** Restarts (done or asked for) since the path last worked, for the backoff. */
  #restarts = 0;
  /** The path was restarted (here, or on request): a keyframe is due once data flows again. */
  #keyframeDue = false;
  /** The `setParameters` update under way and those queued behind it (one at a time: each reads what the last left). */
  #senderUpdates: Promise<void> | null = null;
  #negotiationTimer: ReturnType<typeof setTimeout> | undefined;
  #channel: RTCDataChannel | null = null;
  /** Audio energy counters at the previous `audioLevels()` call. */
  #lastAudioEnergy: { remote?: AudioEnergy | undefined; local?: AudioEnergy | undefined } = {};
  /** Limits for the camera's encoder, set by the room as it grows and shrinks. */
  #videoEncoding: VideoEncoding;
  /** See {@link FAST_START}: true until its duration has passed since the connection first came up. */
  #fastStart = true;
  #fastStartTimer: ReturnType<typeof setTimeout> | undefined;
  /** A screen share started before the first offer arrived (answering side), sent once it is answered. */
  #pendingScreen: { track: MediaStreamTrack; stream: MediaStream } | null = null;
  /** Messages sent before the channel opened, delivered in order when it does. */
  #outbox: string[] = [];
  /** Whether the other side shows our camera at all; see {@link setVideoWanted}. */
  #videoWanted = true;

  constructor(options: PeerSessionOptions) {
    this.#options = options;
    this.initiator = options.initiator;
    this.#videoEncoding = options.videoEncoding;
    const pc = options.environment.createPeerConnection(options.configuration);
    this.#pc = pc;
    pc.onnegotiationneeded = () => void this.#negotiate();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) options.signals.sendCandidate(candidate.toJSON());
    };
    pc.ontrack = ({ track, transceiver }) => {
      // Camera and microphone ride the first transceiver of their kind; a second video one carries a screen.
      if (track.kind === 'video' && transceiver !== this.#transceiver('video')) options.remote.setScreenTrack(track);
      else options.remote.addTrack(track);
    };
    pc.onconnectionstatechange = () => this.#onConnectionStateChange();
    pc.onsignalingstatechange = () => this.#watchNegotiation();

    if (options.initiator) {
      const streams = options.localStream ? [options.localStream] : [];
      for (const kind of MEDIA_KINDS) {
        // The encoder limits are in place before the encoder starts: set later, they would race its first frames.
        const sendEncodings = kind === 'video' ? [this.#encoding(this.#localTrack('video'))] : undefined;
        pc.addTransceiver(this.#localTrack(kind) ?? kind, { direction: 'sendrecv', streams, ...(sendEncodings && { sendEncodings }) });
      }
      this.#openDataChannel();
      // Offer now rather than on `negotiationneeded`, a task later: by then the page has reacted to the newcomer
      // (the room emits `participant-joined` right after this, and a UI renders a tile) — time the newcomer waits.
      // The queued event then finds an offer under way and is dropped (the spec's negotiation-needed steps).
      void this.#negotiate();
    }
  }

  /** Sends a message to this participant over the data channel, now or as soon as it opens. */
  sendData(message: string): void {
    if (this.#closed) return;
    const state = this.#channel?.readyState ?? 'connecting';
    if (state === 'open') this.#channel!.send(message);
    // A channel that is closing never opens again: queueing for it would only grow.
    else if (state === 'connecting') this.#outbox.push(message);
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
      this.#ignoreOffer = this.initiator && offerCollision;
      if (this.#ignoreOffer) return;

      this.#settingRemoteAnswerPending = type === 'answer';
      await pc.setRemoteDescription({ type, sdp });
      this.#settingRemoteAnswerPending = false;
      if (type === 'offer') {
        this.#sendOnOfferedTransceivers();
        // Before the answer, so the limits are in place when the encoder starts.
        void this.#applyVideoEncoding();
        // Created only now: before the offer, it would make this side want to negotiate too.
        if (!this.#channel) this.#openDataChannel();
        await pc.setLocalDescription();
        this.#sendLocalDescription();
        const pending = this.#pendingScreen;
        this.#pendingScreen = null;
        if (pending) await this.setScreenTrack(pending.track, pending.stream);
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

  /**
   * Sends a shared screen (or stops sending it). The first share adds a transceiver and renegotiates; later ones
   * reuse it with `replaceTrack`.
   */
  async setScreenTrack(track: MediaStreamTrack | null, stream: MediaStream | null): Promise<void> {
    if (this.#closed) return;
    // The answering side must not offer before it has answered: the first offer decides the transceivers.
    if (!this.initiator && !this.#pc.remoteDescription) {
      this.#pendingScreen = track && stream ? { track, stream } : null;
      return;
    }
    const transceiver = this.#transceiver('video', 1);
    if (!transceiver) {
      if (track) this.#pc.addTransceiver(track, { direction: 'sendrecv', streams: stream ? [stream] : [] });
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (track && transceiver.direction !== 'sendrecv') transceiver.direction = 'sendrecv';
  }

  /** Limits the camera's encoding toward this participant (applied now, and again after each negotiation). */
  setVideoEncoding(encoding: VideoEncoding): void {
    this.#videoEncoding = encoding;
    void this.#applyVideoEncoding();
  }

  /**
   * Whether the other side shows our camera anywhere: while it does not, the camera's encoding toward it pauses
   * (no bits on the wire, no encoder work), and resumes with a keyframe when it is wanted again.
   */
  setVideoWanted(wanted: boolean): void {
    this.#videoWanted = wanted;
    void this.#applyVideoEncoding();
  }

  /**
   * Loudness (0–1, root mean square) of what we received from this participant and of what we send, averaged since
   * the previous call: steadier than the instantaneous level of the last packet, which flickers between syllables.
   */
  async audioLevels(): Promise<{ remote: number; local: number }> {
    let remote: AudioEnergy | undefined;
    let local: AudioEnergy | undefined;
    (await this.#pc.getStats()).forEach((stats) => {
      if (stats.kind !== 'audio' || typeof stats.totalAudioEnergy !== 'number') return;
      if (stats.type === 'inbound-rtp') remote = stats;
      else if (stats.type === 'media-source') local = stats;
    });
    const levels = {
      remote: averageLevel(this.#lastAudioEnergy.remote, remote),
      local: averageLevel(this.#lastAudioEnergy.local, local),
    };
    this.#lastAudioEnergy = { remote, local };
    return levels;
  }

  /** Cumulative counters and current transport figures, for the connection-quality score. */
  async qualityStats(): Promise<QualityStats> {
    const result: QualityStats = { packetsReceived: 0, packetsLost: 0 };
    let selectedPairId: string | undefined;
    const pairs = new Map<string, RTCIceCandidatePairStats>();
    (await this.#pc.getStats()).forEach((stats) => {
      if (stats.type === 'inbound-rtp') {
        result.packetsReceived += stats.packetsReceived ?? 0;
        result.packetsLost += stats.packetsLost ?? 0;
        if (stats.kind === 'audio' && typeof stats.jitter === 'number') result.jitterMs = stats.jitter * 1000;
      } else if (stats.type === 'transport') {
        selectedPairId = stats.selectedCandidatePairId;
      } else if (stats.type === 'candidate-pair') {
        pairs.set(stats.id, stats);
      }
    });
    const pair = selectedPairId ? pairs.get(selectedPairId) : undefined;
    if (typeof pair?.currentRoundTripTime === 'number') result.roundTripTimeMs = pair.currentRoundTripTime * 1000;
    if (typeof pair?.availableOutgoingBitrate === 'number') result.availableOutgoingBitrate = pair.availableOutgoingBitrate;
    return result;
  }

  /** Sends `track` (or nothing) on this connection's transceiver of that kind, without renegotiating. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.#transceiver(kind);
    if (!transceiver || this.#closed) return;
    await transceiver.sender.replaceTrack(track);
    // The fast start's scale depends on the camera's size.
    if (kind === 'video' && this.#fastStart) await this.#applyVideoEncoding();
  }

  /**
   * Gathers fresh ICE candidates and renegotiates the transport, keeping the media tracks: how a connection whose
   * network path failed (a TURN server restart, a Wi-Fi change) comes back without anyone re-joining.
   */
  restartIce(): void {
    if (this.#closed) return;
    this.#repairedAt = Date.now();
    this.#keyframeDue = true;
    this.#pc.restartIce();
  }

  /** The other side lost the path and asks this one, its impolite side, to restart ICE. */
  handleIceRestartRequest(): void {
    // A polite side that restarted would make the very glare this avoids; a restart of our own answers it already.
    if (this.initiator && this.#restartDue()) this.#repairPath();
  }

  /** Told by the room when signaling drops and comes back; negotiation watchdogs pause meanwhile. */
  setSignalingUp(up: boolean): void {
    this.#signalingUp = up;
    this.#watchNegotiation();
    if (up && ['failed', 'disconnected'].includes(this.#pc.connectionState)) this.#repairPath();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pathTimer);
    clearTimeout(this.#negotiationTimer);
    clearTimeout(this.#fastStartTimer);
    this.#outbox = [];
    if (this.#channel) this.#channel.onopen = this.#channel.onmessage = null;
    const pc = this.#pc;
    pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = null;
    pc.onconnectionstatechange = pc.onsignalingstatechange = null;
    pc.close();
    this.#options.remote.setConnectionState('closed');
  }

  #openDataChannel(): void {
    // #region data-channel
    const channel = this.#pc.createDataChannel(DATA_CHANNEL.label, {
      negotiated: true,
      id: DATA_CHANNEL.id,
      ordered: true,
    });
    // #endregion data-channel
    channel.onopen = () => {
      const outbox = this.#outbox;
      this.#outbox = [];
      for (const message of outbox) channel.send(message);
    };
    channel.onmessage = ({ data }) => {
      // Empty messages are the path checks' keep-alives.
      if (typeof data === 'string' && data) this.#options.onData(data);
    };
    this.#channel = channel;
  }

  #onConnectionStateChange(): void {
    const state = this.#pc.connectionState;
    this.#options.remote.setConnectionState(state);
    if (state !== 'new' && state !== 'connecting' && !this.#pathTimer) {
      this.#receivedAt = Date.now();
      this.#pathTimer = setInterval(() => void this.#checkPath().catch((error: unknown) => this.#reportError(error)), PATH_CHECK_MS);
    }
    if (state === 'connected') {
      if (this.#fastStart && this.#fastStartTimer === undefined) {
        this.#fastStartTimer = setTimeout(() => {
          this.#fastStart = false;
          void this.#applyVideoEncoding();
        }, FAST_START.durationMs);
      }
    }
  }

  /** See {@link PATH_CHECK_MS}: restarts ICE (or asks for it) as soon as the path is lost, and while it stays so. */
  async #checkPath(): Promise<void> {
    // A slow `getStats` must not let the next check overlap this one (pausing the camera twice, restarting twice).
    if (this.#checkingPath) return;
    this.#checkingPath = true;
    try {
      const channel = this.#channel;
      if (channel?.readyState === 'open' && !channel.bufferedAmount) channel.send('');
      let bytes = 0;
      (await this.#pc.getStats()).forEach((stats) => {
        if (stats.type === 'transport') bytes += stats.bytesReceived ?? 0;
      });
      if (this.#closed) return;
      const now = Date.now();
      if (bytes !== this.#bytesReceived) {
        this.#bytesReceived = bytes;
        this.#receivedAt = now;
      }
      if (this.#pc.connectionState === 'connected' && now - this.#receivedAt < PATH_STALL_MS) {
        this.#restarts = 0;
        // Back after a restart: the other side's decoder waits for a keyframe, and Chromium asks for one only every
        // 3 s or so. Pausing and resuming the camera's encoding makes one at once (no other way is open to a page),
        // once the restart's negotiation is done (the path it set up is the one that needs it).
        if (this.#keyframeDue && this.#pc.signalingState === 'stable') {
          this.#keyframeDue = false;
          void this.#applyVideoEncoding(true);
          await this.#applyVideoEncoding();
        }
      } else if (this.#restartDue()) {
        this.#repairPath();
      }
    } finally {
      this.#checkingPath = false;
    }
  }

  /** See {@link RESTART_BACKOFF_MS}. */
  #restartDue(): boolean {
    const pc = this.#pc;
    const age = Date.now() - this.#repairedAt;
    return (
      this.#signalingUp &&
      pc.signalingState === 'stable' &&
      !(pc.iceConnectionState === 'checking' && age < RESTART_CHECKS_MS) &&
      age >= RESTART_BACKOFF_MS[Math.min(this.#restarts, RESTART_BACKOFF_MS.length - 1)]!
    );
  }

  /**
   * Glare-free ICE restarts: only the impolite side restarts; the polite one asks it to, over signaling (the data
   * channel rides the lost path). When both sides lose the path together, as when a TURN server dies, both used to
   * restart at once; the polite one then rolled its offer back to answer, and Chromium sometimes never presented
   * its remote video again (issue 13).
   */
  #repairPath(): void {
    if (this.#closed) return;
    this.#restarts += 1;
    if (!this.initiator) {
      this.#repairedAt = Date.now();
      this.#keyframeDue = true;
      this.#options.signals.requestIceRestart();
    } else {
      this.restartIce();
    }
  }

  /**
   * Brings the camera's sender to the limits now wanted, `active` unless `paused` (or not wanted), queued behind earlier updates:
   * an update that copied `active` from a read taken during a keyframe's pause could land after its resume.
   */
  #applyVideoEncoding(paused = false): Promise<void> {
    // Started at once when nothing is under way, so that limits set before an answer precede the encoder's start.
    const update = this.#senderUpdates?.then(() => this.#updateVideoSender(paused)) ?? this.#updateVideoSender(paused);
    this.#senderUpdates = update;
    void update.then(() => {
      if (this.#senderUpdates === update) this.#senderUpdates = null;
    });
    return update;
  }

  async #updateVideoSender(paused: boolean): Promise<void> {
    const sender = this.#transceiver('video')?.sender;
    if (!sender || this.#closed) return;
    // On the answering side the camera may still be on its way to the sender (replaceTrack is asynchronous).
    const encoding = this.#encoding(sender.track ?? this.#localTrack('video'));
    const active = !paused && this.#videoWanted;
    const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    // Before the first negotiation there are no encodings to limit yet; the next stable state applies them.
    if (!parameters.encodings?.length) return;
    // Every stable state lands here, the one that starts the first call's ICE and DTLS too: a `setParameters` that
    // changes nothing would still be a trip to WebRTC's threads then.
    const applied = parameters.encodings.every(
      (target) =>
        target.maxBitrate === encoding.maxBitrate &&
        target.scaleResolutionDownBy === encoding.scaleResolutionDownBy &&
        target.maxFramerate === encoding.maxFramerate &&
        target.active === active,
    );
    if (applied && parameters.degradationPreference === DEGRADATION_PREFERENCE) return;
    for (const target of parameters.encodings) Object.assign(target, encoding, { active });
    parameters.degradationPreference = DEGRADATION_PREFERENCE;
    try {
      await sender.setParameters(parameters);
    } catch (error) {
      this.#reportError(error);
    }
  }

  /**
   * The camera's encoder limits now: the room's, scaled down during the fast start by the power of two that brings
   * `track`'s frames within {@link FAST_START}'s size (a power of two keeps the dimensions whole).
   */
  #encoding(track: MediaStreamTrack | null): VideoEncoding {
    const limits = this.#videoEncoding;
    if (!this.#fastStart) return limits;
    const { width = 1280, height = 720 } = track?.getSettings() ?? {};
    const fastStartScale = 2 ** Math.max(0, Math.ceil(Math.log2(Math.sqrt((width * height) / FAST_START.maxPixels))));
    return { ...limits, scaleResolutionDownBy: Math.max(limits.scaleResolutionDownBy, fastStartScale) };
  }

  #watchNegotiation(): void {
    if (this.#pc.signalingState === 'stable') {
      this.#stalledOffers = 0;
      void this.#applyVideoEncoding();
    }
    clearTimeout(this.#negotiationTimer);
    if (this.#closed || !this.#signalingUp || this.#pc.signalingState === 'stable') return;
    this.#negotiationTimer = setTimeout(() => {
      this.#enqueue(async () => {
        if (this.#pc.signalingState !== 'have-local-offer') return;
        this.#stalledOffers += 1;
        if (this.#stalledOffers === 1) {
          // The offer or its answer was lost. Sending the same offer again repairs both: a peer that already
          // applied it simply answers again.
          this.#sendLocalDescription();
        } else {
          // Still no answer: roll back and negotiate afresh. The restart makes sure an offer goes out even when
          // nothing else is pending, and asks for fresh ICE credentials in case the path is gone too; the polite
          // side asks for it rather than restarting itself (see #repairPath).
          await this.#pc.setLocalDescription({ type: 'rollback' });
          this.#repairPath();
        }
        this.#watchNegotiation();
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

  /** The `index`th transceiver receiving `kind`: camera video is the first, a screen share the second. */
  #transceiver(kind: MediaKind, index = 0): RTCRtpTransceiver | undefined {
    return this.#pc.getTransceivers().filter((transceiver) => transceiver.receiver.track.kind === kind)[index];
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
