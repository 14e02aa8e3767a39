import type { JoinedMeeting, MediaPath } from '@parley/protocol';
import { videoEncodingFor } from './adaptation/encoding-policy.js';
import type { LocalTrackKind } from './local-participant.js';
import type {
  MediaStats,
  MediaTransport,
  MediaTransportContext,
  MediaTransportEventMap,
  VideoWanted,
} from './media-transport.js';
import { PeerSession } from './peer-session.js';
import { TypedEmitter } from './typed-emitter.js';

/** Asks, over the data channel, the participant who offers to renew the connection: see `repairVideo`. */
const REPAIR_VIDEO = 'repair-video';
/** Over the data channel: nobody on this side shows your camera (stop sending it), or someone does again. */
const PAUSE_VIDEO = 'pause-video';
const RESUME_VIDEO = 'resume-video';

/**
 * What ties a session description to its peer connection: its DTLS fingerprint (each connection has its own) and its
 * ICE username fragment (its candidates carry it).
 */
const marks = (sdp = '') => [/^a=fingerprint:.*$/m.exec(sdp)?.[0], /^a=ice-ufrag:(.*)$/m.exec(sdp)?.[1]];
/** A renewal takes about a second: asks within this time after one (from both sides, or two tiles) are the same ask. */
const RENEWAL_GAP_MS = 5000;

/**
 * The peer-to-peer mesh: one {@link PeerSession} (an RTCPeerConnection) per remote participant, negotiated through
 * the signaling server, with a data channel for chat. Every participant sends its camera once per peer, sized for
 * the room (see encoding-policy); a peer that shows nobody's tile for it asks it to pause that copy.
 */
export class MeshTransport extends TypedEmitter<MediaTransportEventMap> implements MediaTransport {
  readonly #context: MediaTransportContext;
  #configuration: RTCConfiguration = {};
  readonly #sessions = new Map<string, PeerSession>();
  /** When we last renewed the connection to each participant; see {@link repairVideo}. */
  readonly #renewedAt = new Map<string, number>();
  /**
   * `${participantId} ${mark}`: the marks of the peer connections we closed on each participant. A description or
   * candidate still in flight from one of those must not reach the new connection.
   */
  readonly #closedMarks = new Set<string>();
  /** Participants whose camera nobody here shows: they were asked to pause it. */
  readonly #unwanted = new Set<string>();
  #signalingUp = true;

  /** Listens to the negotiation messages on `context.signal` for as long as it is connected (one join). */
  constructor(context: MediaTransportContext) {
    super();
    this.#context = context;
    const { signal } = context;
    signal.on('offer', ({ from, sdp }) => this.#receiveDescription(from, 'offer', sdp));
    signal.on('answer', ({ from, sdp }) => this.#receiveDescription(from, 'answer', sdp));
    signal.on('ice-candidate', ({ from, candidate }) => {
      if (!this.#closedMarks.has(`${from} ${candidate.usernameFragment}`)) this.#sessions.get(from)?.handleCandidate(candidate);
    });
    signal.on('ice-restart-request', ({ from }) => this.#sessions.get(from)?.handleIceRestartRequest());
  }

  start({ iceServers }: JoinedMeeting): void {
    this.#configuration = { iceServers, iceTransportPolicy: this.#context.iceTransportPolicy, bundlePolicy: 'max-bundle' };
  }

  updatePath({ mode }: MediaPath): boolean {
    return mode === 'mesh';
  }

  addParticipant(participantId: string, initiator: boolean): void {
    this.#connect(participantId, initiator);
    this.#adaptVideoEncoding();
  }

  removeParticipant(participantId: string): void {
    this.#sessions.get(participantId)?.close();
    this.#sessions.delete(participantId);
    this.#unwanted.delete(participantId);
    this.#adaptVideoEncoding();
  }

  async publishTrack(kind: LocalTrackKind, track: MediaStreamTrack | null): Promise<void> {
    const screen = this.#context.local.screenStream;
    await Promise.all(
      [...this.#sessions.values()].map((session) =>
        kind === 'screen' ? session.setScreenTrack(track, screen) : session.replaceTrack(kind, track),
      ),
    );
  }

  send(message: string): void {
    for (const session of this.#sessions.values()) session.sendData(message);
  }

  /** The mesh honours only whether a video is wanted: each copy is already sized for the room, not for a tile. */
  setVideoWanted(participantId: string, wanted: VideoWanted): void {
    if (!wanted === this.#unwanted.has(participantId)) return;
    if (wanted) this.#unwanted.delete(participantId);
    else this.#unwanted.add(participantId);
    this.#sessions.get(participantId)?.sendData(wanted ? RESUME_VIDEO : PAUSE_VIDEO);
  }

  /**
   * Video that decodes but never shows (seen after both sides restarted ICE at once) lives in the peer connection:
   * only a new one heals it. The offering side renews it; the other asks it to over the data channel.
   */
  repairVideo(participantId: string): void {
    // The new connection is negotiated through the server: without it, the old one is better than none.
    const session = this.#sessions.get(participantId);
    if (!this.#signalingUp || !session) return;
    if (Date.now() - (this.#renewedAt.get(participantId) ?? 0) < RENEWAL_GAP_MS) return;
    if (session.initiator) this.#connect(participantId, true);
    else session.sendData(REPAIR_VIDEO);
  }

  setSignalingUp(up: boolean): void {
    this.#signalingUp = up;
    for (const session of this.#sessions.values()) session.setSignalingUp(up);
  }

  get connected(): boolean {
    return [...this.#sessions.values()].some(({ peerConnection: { connectionState } }) =>
      connectionState === 'connected' || connectionState === 'disconnected',
    );
  }

  async getStats(participantId: string): Promise<RTCStatsReport | null> {
    return (await this.#sessions.get(participantId)?.peerConnection.getStats()) ?? null;
  }

  stats(): Iterable<[string, MediaStats]> {
    return this.#sessions;
  }

  /** For good: a room makes a new transport for its next join. */
  close(): void {
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }

  /** Every peer uploads a copy of our video: the bigger the room, the smaller each copy (see encoding-policy). */
  #adaptVideoEncoding(): void {
    const encoding = videoEncodingFor(this.#sessions.size + 1);
    for (const session of this.#sessions.values()) session.setVideoEncoding(encoding);
  }

  /**
   * Opens the peer connection to a participant, replacing any there was. `initiator`: whether this side offers (and
   * is the impolite peer).
   */
  #connect(id: string, initiator: boolean): void {
    const { signal, environment, logger, local } = this.#context;
    const warn = (error: unknown) => {
      if (this.#sessions.has(id)) logger.warn(`[parley] connection to ${id}:`, error);
    };
    // A renewed connection brings new tracks: the old ones never carry anything again.
    const old = this.#sessions.get(id);
    if (old) {
      old.close();
      this.#renewedAt.set(id, Date.now());
      this.#markClosed(id, old.peerConnection.remoteDescription?.sdp);
      this.#sessions.delete(id);
    }
    this.emit('tracks-ended', id);
    const session = new PeerSession({
      remote: {
        addTrack: (track) => this.emit('track', id, track, false),
        setScreenTrack: (track) => this.emit('track', id, track, true),
        setConnectionState: (state) => this.emit('connection-state-changed', id, state),
      },
      initiator,
      configuration: this.#configuration,
      environment,
      localStream: local.stream,
      // The room's size: everyone connected, this participant and us.
      videoEncoding: videoEncodingFor(this.#sessions.size + 2),
      signals: {
        sendDescription: (type, sdp) => {
          signal.send(type, { to: id, sdp }).catch(warn);
        },
        sendCandidate: ({ candidate, sdpMid, sdpMLineIndex, usernameFragment }) => {
          signal
            .post('ice-candidate', {
              to: id,
              candidate: { candidate: candidate ?? '', sdpMid, sdpMLineIndex, usernameFragment },
            })
            .catch(warn);
        },
        requestIceRestart: () => {
          signal.post('ice-restart-request', { to: id }).catch(warn);
        },
      },
      onData: (data) => this.#receive(id, data),
      onError: warn,
    });
    this.#sessions.set(id, session);
    if (this.#unwanted.has(id)) session.sendData(PAUSE_VIDEO);
    const screen = local.screenStream;
    if (screen) void session.setScreenTrack(screen.getVideoTracks()[0] ?? null, screen).catch(warn);
  }

  #receive(from: string, data: string): void {
    if (data === REPAIR_VIDEO) this.repairVideo(from);
    else if (data === PAUSE_VIDEO || data === RESUME_VIDEO) this.#sessions.get(from)?.setVideoWanted(data === RESUME_VIDEO);
    else this.emit('message', from, data);
  }

  /**
   * An offer from a new peer connection (a new DTLS fingerprint) replaces ours: the other side renewed it (see
   * {@link repairVideo}). One from a connection closed since (sent before a renewal) is dropped, and its candidates.
   */
  #receiveDescription(from: string, type: 'offer' | 'answer', sdp: string): void {
    const [fingerprint] = marks(sdp);
    if (this.#closedMarks.has(`${from} ${fingerprint}`)) return this.#markClosed(from, sdp);
    const [known] = marks(this.#sessions.get(from)?.peerConnection.remoteDescription?.sdp);
    if (type === 'offer' && known && known !== fingerprint) this.#connect(from, false);
    this.#sessions.get(from)?.handleDescription(type, sdp);
  }

  #markClosed(participantId: string, sdp: string | undefined): void {
    for (const mark of marks(sdp)) if (mark) this.#closedMarks.add(`${participantId} ${mark}`);
  }
}
