import type { JoinedMeeting, MediaPath, SfuMediaPath } from '@parley/protocol';
import type { LocalTrackKind } from '../local-participant.js';
import type { MediaStats, MediaTransport, MediaTransportContext, MediaTransportEventMap, VideoWanted } from '../media-transport.js';
import { averageLevel, type AudioEnergy } from '../stats/audio-level.js';
import type { QualityStats } from '../stats/connection-quality.js';
import { TypedEmitter } from '../typed-emitter.js';
import { connectJanus, type JanusConnect, type JanusHandlePort, type JanusSessionPort, type Jsep, type PluginData } from './janus-link.js';
import { SIMULCAST_LAYERS } from './substream.js';
export { TransportSwitch } from './transport-switch.js';
import { SCREEN_DESCRIPTION, SubscriptionPlan, type PublishedStream, type SubscribedStream } from './subscription-plan.js';

const VIDEOROOM = 'janus.plugin.videoroom';
/** A connection that stays failed (or disconnected) is restarted this often, the first time at once. */
const RESTART_EVERY_MS = 3000;
/**
 * A connection to Janus whose ICE is up but whose DTLS is not this long after is made afresh. On a loaded machine
 * Janus's ICE agent (libnice, controlling on the subscription) can miss the nomination the browser already took:
 * the browser's ICE reads connected, Janus never starts DTLS, and neither side ever fails.
 */
const DTLS_TIMEOUT_MS = 15_000;
/** A layer Janus has not switched to is asked for again this long after, then twice as long each time, this many times. */
const LAYER_RETRY_MS = 1000;
const LAYER_RETRIES = 3;
/** One `getStats` per connection serves every participant's measurements taken within this time. */
const STATS_REUSE_MS = 150;
/** After its Janus session is lost, the transport opens one again this soon, then further apart up to the max. */
const REOPEN_MIN_MS = 500;
const REOPEN_MAX_MS = 2000;

/** One of the two connections to Janus: a plugin handle and its peer connection. */
interface Leg {
  handle: JanusHandlePort;
  pc: RTCPeerConnection;
  /** When its connection last failed and has not come back since, for the restarts. */
  restartTimer?: ReturnType<typeof setInterval>;
  /** From when its ICE is up until its DTLS is: then it is made afresh. */
  dtlsTimer?: ReturnType<typeof setTimeout> | undefined;
  stats?: { at: number; report: Promise<RTCStatsReport> };
}

/**
 * SFU mode: media goes through the meeting's Janus VideoRoom. One Janus session holds two handles, each with its
 * peer connection: the publisher (our camera as three simulcast layers, microphone, and screen when shared) under
 * our participant id, and one multistream subscriber that receives every other publisher's streams. The subscription
 * follows who publishes what (the VideoRoom's `publishers`, `unpublished`, `leaving` events) and which cameras the
 * page shows at what size (`setVideoWanted`: the layer, or none). Chat goes through the signaling server.
 *
 * A lost session (Janus died or restarted) is opened again by itself, every 0.5–2 s, and at once on a `media-path`:
 * one to another Janus or room (the meeting moved) replaces the session. Either way everyone's tracks end and come
 * anew once published and subscribed again.
 */
export class SfuTransport extends TypedEmitter<MediaTransportEventMap> implements MediaTransport {
  readonly #context: MediaTransportContext;
  readonly #connect: JanusConnect;
  readonly #dtlsTimeoutMs: number;
  readonly #plan = new SubscriptionPlan();
  /** Who is in the meeting besides us, as the room says. */
  readonly #participants = new Set<string>();
  /**
   * The tracks received of each publisher, by source (camera, microphone, screen): to renew a stream when one is
   * replaced, and for the room to get them again when it takes the participant back (their feed stayed in Janus).
   */
  readonly #tracks = new Map<string, Map<string, MediaStreamTrack>>();
  readonly #audioEnergy = new Map<string, { remote?: AudioEnergy | undefined; local?: AudioEnergy | undefined }>();
  #path: SfuMediaPath | null = null;
  #selfId = '';
  /** Our publisher's `private_id`: a room may require subscriptions to name it (`require_pvtid`). */
  #privateId: unknown;
  #configuration: RTCConfiguration = {};
  #session: JanusSessionPort | null = null;
  #publisher: Leg | null = null;
  #subscriber: Leg | null = null;
  /** The subscription change under way; another is made after it when more changed meanwhile. */
  #updating: Promise<void> | null = null;
  #updateAgain = false;
  #layerRetry: ReturnType<typeof setTimeout> | undefined;
  /** Counts the sessions opened: work for an older one stops when it sees a newer. */
  #generation = 0;
  /** The session is down (lost, or its opening failed) and being opened again. */
  #down = false;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** `connect`: how to reach Janus (tests give a fake, and a shorter `dtlsTimeoutMs`). */
  constructor(context: MediaTransportContext, connect: JanusConnect = connectJanus, dtlsTimeoutMs = DTLS_TIMEOUT_MS) {
    super();
    this.#context = context;
    this.#connect = connect;
    this.#dtlsTimeoutMs = dtlsTimeoutMs;
    context.signal.on('app-message', ({ from, data }) => {
      if (!this.#closed) this.emit('message', from, data);
    });
  }

  start(meeting: JoinedMeeting): void {
    this.#path = meeting.media as SfuMediaPath;
    this.#selfId = meeting.self.id;
    this.#configuration = {
      iceServers: meeting.iceServers,
      iceTransportPolicy: this.#context.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
    };
    this.#reopen();
  }

  /**
   * A fresh token for the same room is used from the next Janus request on. Another Janus or room (the meeting
   * moved), or any path while the session is down (Janus restarted), opens a session there at once. Not the mesh.
   */
  updatePath(path: MediaPath): boolean {
    const current = this.#path;
    if (path.mode !== 'sfu' || !current) return false;
    this.#path = path;
    if (path.janusUrl === current.janusUrl && path.room === current.room && !this.#down) this.#session?.setToken(path.token);
    else this.#reopen(0);
    return true;
  }

  addParticipant(participantId: string): void {
    this.#participants.add(participantId);
    this.emit('connection-state-changed', participantId, this.#connectionState);
    // Already received (the room learns of them after Janus did, or takes them back): no track will come again.
    for (const [source, track] of this.#tracks.get(participantId) ?? []) {
      if (track.readyState === 'live') this.emit('track', participantId, track, source === 'screen');
    }
  }

  removeParticipant(participantId: string): void {
    this.#participants.delete(participantId);
    this.#audioEnergy.delete(participantId);
  }

  async publishTrack(kind: LocalTrackKind, track: MediaStreamTrack | null): Promise<void> {
    const publisher = this.#publisher;
    if (!publisher) return;
    if (kind !== 'screen') {
      await this.#transceiver(publisher.pc, kind === 'audio' ? 'audio' : 'video')?.sender.replaceTrack(track);
      return;
    }
    // A screen is a second video, negotiated with Janus when it starts or stops.
    const screen = this.#screenTransceiver(publisher.pc);
    if (track && screen) {
      screen.direction = 'sendonly';
      await screen.sender.replaceTrack(track);
    } else if (track) {
      publisher.pc.addTransceiver(track, { direction: 'sendonly', streams: [this.#context.local.screenStream ?? new MediaStream([track])] });
    } else if (screen) {
      await screen.sender.replaceTrack(null);
      screen.direction = 'inactive';
    }
    await this.#negotiatePublisher(publisher, 'configure');
  }

  send(message: string): void {
    this.#context.signal.send('app-message', { data: message }).catch((error) => this.#warn(error));
  }

  setVideoWanted(participantId: string, wanted: VideoWanted): void {
    this.#plan.setWanted(participantId, wanted);
    this.#updateSubscription();
  }

  /**
   * Video that decodes but does not show: asks Janus to send the participant's streams again, which makes it ask the
   * publisher for a keyframe. (A connection of our own to Janus, nothing to renew with the participant.)
   */
  repairVideo(participantId: string): void {
    const subscriber = this.#subscriber;
    const streams = this.#plan.midsOf(participantId).map((mid) => ({ mid, send: true }));
    if (subscriber && streams.length > 0) void this.#request(subscriber, { request: 'configure', streams });
  }

  /** Janus is reached directly, not through signaling. */
  setSignalingUp(): void {}

  get connected(): boolean {
    return [this.#publisher, this.#subscriber].some((leg) => leg?.pc.connectionState === 'connected' || leg?.pc.connectionState === 'disconnected');
  }

  /**
   * The subscriber connection's statistics, narrowed to one participant: their inbound streams (by mid), and what
   * the connection shares (transport, candidate pair, codecs). `null` when nothing of theirs is received.
   */
  async getStats(participantId: string): Promise<RTCStatsReport | null> {
    const subscriber = this.#subscriber;
    const mids = new Set(this.#plan.midsOf(participantId));
    if (!subscriber || mids.size === 0) return null;
    const report = new Map<string, RTCStats>();
    (await this.#report(subscriber)).forEach((stats: RTCStats & { mid?: string }) => {
      if (stats.type !== 'inbound-rtp' || mids.has(stats.mid ?? '')) report.set(stats.id, stats);
    });
    return report as unknown as RTCStatsReport;
  }

  *stats(): Iterable<[string, MediaStats]> {
    for (const id of this.#participants) {
      if (this.#plan.publishers.has(id)) yield [id, { audioLevels: () => this.#audioLevels(id), qualityStats: () => this.#qualityStats(id) }];
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reopenTimer);
    this.#drop();
  }

  /** Ends the session and both connections; everyone's tracks end with them. */
  #drop(): void {
    this.#generation++;
    clearTimeout(this.#layerRetry);
    this.#updating = null;
    this.#updateAgain = false;
    for (const leg of [this.#publisher, this.#subscriber]) if (leg) this.#stop(leg);
    this.#publisher = null;
    this.#subscriber = null;
    // Destroying the session detaches both handles: Janus tells the others we left.
    void this.#session?.close().catch(() => {});
    this.#session = null;
    this.#plan.reset();
    this.#endTracks();
  }

  /** Forgets every track received; the participants hear they ended (unless the transport is closed). */
  #endTracks(): void {
    for (const id of [...this.#tracks.keys()]) {
      this.#tracks.delete(id);
      if (!this.#closed) this.emit('tracks-ended', id);
    }
  }

  /** Drops what there is and opens a session on the current path after `delayMs`; a failure schedules the next. */
  #reopen(delayMs = 0): void {
    clearTimeout(this.#reopenTimer);
    if (this.#closed) return;
    if (this.#session || this.#publisher) this.#drop();
    this.#down = true;
    this.#reopenTimer = setTimeout(() => {
      const generation = ++this.#generation;
      this.#open(generation).then(
        () => {},
        (error) => {
          if (generation !== this.#generation || this.#closed) return;
          this.#warn(error);
          this.#reopen(Math.min(REOPEN_MAX_MS, Math.max(REOPEN_MIN_MS, delayMs * 2)));
        },
      );
    }, delayMs);
  }

  /** Opens the session, joins the room as publisher under our participant id, and publishes. */
  async #open(generation: number): Promise<void> {
    const path = this.#path!;
    const session = await this.#connect(path.janusUrl, path.token);
    if (generation !== this.#generation) return void session.close().catch(() => {});
    this.#session = session;
    session.on('closed', (error) => {
      if (!error || session !== this.#session) return;
      this.#warn(error);
      this.#reopen(REOPEN_MIN_MS);
    });
    const handle = await session.attach(VIDEOROOM);
    if (generation !== this.#generation) return;
    const publisher = this.#leg(
      handle,
      (leg) => this.#negotiatePublisher(leg, 'configure', true),
      () => this.#reopen(0),
    );
    const { pc } = publisher;
    this.#publisher = publisher;
    handle.on('event', (data) => this.#onPublisherEvent(data));
    const { data } = await handle.request({ request: 'join', ptype: 'publisher', room: path.room, id: this.#selfId, token: path.roomToken });
    if (generation !== this.#generation) return;
    this.#down = false;
    this.#privateId = data['private_id'];
    this.#onPublisherEvent(data);
    const { stream, screenStream } = this.#context.local;
    const streams = stream ? [stream] : [];
    pc.addTransceiver(stream?.getAudioTracks()[0] ?? 'audio', { direction: 'sendonly', streams });
    // Sent as three layers even while the camera is off: turning it on is then a track swap, not a renegotiation.
    pc.addTransceiver(stream?.getVideoTracks()[0] ?? 'video', {
      direction: 'sendonly',
      streams,
      sendEncodings: SIMULCAST_LAYERS.map((layer) => ({ ...layer })),
    });
    const screen = screenStream?.getVideoTracks()[0];
    if (screen) pc.addTransceiver(screen, { direction: 'sendonly', streams: [screenStream!] });
    await this.#negotiatePublisher(publisher, 'publish');
  }

  /** Offers what the publisher connection sends (with an ICE restart after a failure) and applies Janus' answer. */
  async #negotiatePublisher(publisher: Leg, request: 'publish' | 'configure', iceRestart = false): Promise<void> {
    const { pc, handle } = publisher;
    const offer = await pc.createOffer({ iceRestart });
    await pc.setLocalDescription(offer);
    // Which video is the screen, for the subscribers' side.
    const descriptions = pc.getTransceivers().flatMap(({ mid, receiver }, index) =>
      mid && receiver.track.kind === 'video' ? [{ mid, description: index === 1 ? 'camera' : SCREEN_DESCRIPTION }] : [],
    );
    const { jsep } = await handle.request({ request, descriptions }, { type: 'offer', sdp: offer.sdp! });
    if (jsep && !this.#closed) await pc.setRemoteDescription(jsep);
  }

  #onPublisherEvent(data: PluginData): void {
    for (const publisher of (data.publishers as { id: string; streams?: PublishedStream[] }[] | undefined) ?? []) {
      if (publisher.id !== this.#selfId) this.#plan.setPublisher(String(publisher.id), publisher.streams ?? []);
    }
    for (const key of ['unpublished', 'leaving', 'kicked']) {
      const gone = data[key];
      if (typeof gone !== 'string' || gone === 'ok' || gone === this.#selfId) continue;
      this.#plan.removePublisher(gone);
      // Their streams stop here; if they publish again, new tracks come.
      if (this.#tracks.delete(gone)) this.emit('tracks-ended', gone);
    }
    this.#updateSubscription();
  }

  /** Brings the subscription in line with the plan, one change at a time. */
  #updateSubscription(): void {
    if (this.#closed || !this.#publisher) return;
    if (this.#updating) {
      this.#updateAgain = true;
      return;
    }
    const updating: Promise<void> = this.#applyPlan()
      .catch((error) => this.#warn(error))
      .finally(() => {
        // A dropped session's change may never end (a closed connection leaves its promises pending).
        if (this.#updating !== updating) return;
        this.#updating = null;
        if (this.#updateAgain) {
          this.#updateAgain = false;
          this.#updateSubscription();
        }
      });
    this.#updating = updating;
  }

  async #applyPlan(): Promise<void> {
    const { subscribe, unsubscribe } = this.#plan.changes();
    let layersAsked = subscribe.some(({ substream }) => substream !== undefined);
    if (!this.#subscriber) {
      // Janus makes a subscription with at least one stream: the first publisher opens it.
      if (subscribe.length > 0) await this.#subscribe(subscribe);
    } else if (subscribe.length > 0 || unsubscribe.length > 0) {
      // Janus refuses an empty list.
      const { handle } = this.#subscriber;
      const { data, jsep } = await handle.request({
        request: 'update',
        ...(subscribe.length > 0 && { subscribe }),
        ...(unsubscribe.length > 0 && { unsubscribe }),
      });
      await this.#onSubscriberEvent(data, jsep, handle);
    }
    const subscriber = this.#subscriber;
    const streams = this.#plan.substreamChanges();
    // Janus asks the publisher for a keyframe itself when it switches a subscriber's layer.
    if (subscriber && streams.length > 0) {
      layersAsked = true;
      await subscriber.handle.request({ request: 'configure', streams });
    }
    if (layersAsked) this.#retryLayers(0);
  }

  /**
   * Janus switches a subscription to the layer asked for on that layer's next keyframe, and asks the publisher for
   * one once. A browser ignores a keyframe request that comes within 300 ms of the last one for that layer
   * (libwebrtc's `EncoderRtcpFeedback`), so after a quick shrink and grow the layer may never come. Asked again,
   * Janus asks again.
   */
  #retryLayers(retried: number): void {
    clearTimeout(this.#layerRetry);
    if (retried === LAYER_RETRIES) return;
    this.#layerRetry = setTimeout(() => {
      const subscriber = this.#subscriber;
      const streams = this.#plan.substreamsBehind();
      if (this.#closed || !subscriber || streams.length === 0) return;
      void this.#request(subscriber, { request: 'configure', streams });
      this.#retryLayers(retried + 1);
    }, LAYER_RETRY_MS * 2 ** retried);
  }

  async #subscribe(streams: { feed: string; mid: string }[]): Promise<void> {
    const path = this.#path!;
    const generation = this.#generation;
    const handle = await this.#session!.attach(VIDEOROOM);
    if (generation !== this.#generation) return;
    // Janus offers afresh, with new ICE credentials, when asked to restart.
    const subscriber = this.#leg(
      handle,
      (leg) => this.#request(leg, { request: 'configure', restart: true }),
      (leg) => this.#resubscribe(leg),
    );
    this.#subscriber = subscriber;
    subscriber.pc.ontrack = ({ track, transceiver }) => this.#onTrack(transceiver.mid, track);
    handle.on('event', (data, jsep) => void this.#onSubscriberEvent(data, jsep, handle).catch((error) => this.#warn(error)));
    const { data, jsep } = await handle.request({
      request: 'join',
      ptype: 'subscriber',
      room: path.room,
      streams,
      token: path.roomToken,
      private_id: this.#privateId,
    });
    await this.#onSubscriberEvent(data, jsep, handle);
  }

  /**
   * A subscription whose connection never came up (ICE without DTLS): dropped, its handle detached so that Janus
   * stops sending to it, and made again with everything the plan holds. Its tracks end; the new one's come.
   */
  #resubscribe(stale: Leg): void {
    if (stale !== this.#subscriber || this.#closed) return;
    this.#warn(new Error('the subscription to Janus connected ICE but not DTLS: subscribing again'));
    this.#stop(stale);
    void stale.handle.detach().catch(() => {});
    this.#subscriber = null;
    this.#plan.setSubscribed([]);
    this.#endTracks();
    // A change waiting on the stale handle's answer does not hold the new subscription back.
    this.#updating = null;
    this.#updateAgain = false;
    this.#updateSubscription();
  }

  /** The subscription as Janus lists it now, and (with `jsep`) its offer to answer; nothing from a dropped one. */
  async #onSubscriberEvent(data: PluginData, jsep: Jsep | undefined, from: JanusHandlePort): Promise<void> {
    const subscriber = this.#subscriber;
    if (subscriber?.handle !== from) return;
    if (Array.isArray(data.streams)) this.#plan.setSubscribed(data.streams as SubscribedStream[]);
    if (typeof data['mid'] === 'string' && typeof data['substream'] === 'number') this.#plan.setSending(data['mid'], data['substream']);
    if (!subscriber || jsep?.type !== 'offer') return;
    const { pc, handle } = subscriber;
    await pc.setRemoteDescription(jsep);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await handle.request({ request: 'start' }, { type: 'answer', sdp: answer.sdp! });
  }

  /** A remote track arrived on the subscription's m-line `mid`: whose it is, and what, the plan knows. */
  #onTrack(mid: string | null, track: MediaStreamTrack): void {
    const from = mid === null ? undefined : this.#plan.source(mid);
    if (!from) return;
    const { participantId, source } = from;
    const tracks = this.#tracks.get(participantId) ?? new Map<string, MediaStreamTrack>();
    this.#tracks.set(participantId, tracks);
    const replaced = tracks.get(source);
    tracks.set(source, track);
    if (replaced === track || !this.#participants.has(participantId)) return;
    if (source === 'screen') return this.emit('track', participantId, track, true);
    // A camera back on another m-line (shown again after being off the page): its stream is made afresh.
    if (replaced) this.emit('tracks-ended', participantId);
    for (const [held, kept] of replaced ? tracks : [[source, track] as const]) {
      if (held !== 'screen') this.emit('track', participantId, kept, false);
    }
  }

  /**
   * A peer connection for a handle: its candidates trickled to Janus, its state reported, ICE restarted (`restart`)
   * when it fails, at once and then every few seconds until it is back, and made afresh (`renew`) when its ICE is up
   * and its DTLS does not follow.
   */
  #leg(handle: JanusHandlePort, restart: (leg: Leg) => Promise<void>, renew: (leg: Leg) => void): Leg {
    const pc = this.#context.environment.createPeerConnection(this.#configuration);
    const leg: Leg = { handle, pc };
    pc.oniceconnectionstatechange = () => {
      if (!['connected', 'completed'].includes(pc.iceConnectionState) || pc.connectionState === 'connected') return;
      leg.dtlsTimer ??= setTimeout(() => {
        if (pc.connectionState !== 'connected') renew(leg);
      }, this.#dtlsTimeoutMs);
    };
    pc.onicecandidate = ({ candidate }) => {
      handle.trickle(candidate?.candidate ? candidate.toJSON() : null).catch((error) => this.#warn(error));
    };
    const run = () => void restart(leg).catch((error) => this.#warn(error));
    pc.onconnectionstatechange = () => {
      const { connectionState } = pc;
      if (connectionState === 'failed' && !leg.restartTimer && !this.#closed) {
        run();
        leg.restartTimer = setInterval(run, RESTART_EVERY_MS);
      } else if (connectionState === 'connected') {
        clearTimeout(leg.dtlsTimer);
        leg.dtlsTimer = undefined;
        clearInterval(leg.restartTimer);
        leg.restartTimer = undefined;
      }
      const state = this.#connectionState;
      for (const id of this.#participants) this.emit('connection-state-changed', id, state);
    };
    return leg;
  }

  /** Closes a leg's connection and ends its timers. */
  #stop(leg: Leg): void {
    clearTimeout(leg.dtlsTimer);
    clearInterval(leg.restartTimer);
    leg.pc.close();
  }

  /** What each participant's connection state is: the subscriber's, or the publisher's before anything is received. */
  get #connectionState(): RTCPeerConnectionState {
    return (this.#subscriber ?? this.#publisher)?.pc.connectionState ?? 'new';
  }

  /** A plugin request whose failure is only worth a warning. */
  #request(leg: Leg, body: PluginData): Promise<void> {
    return leg.handle.request(body).then(
      ({ data, jsep }) => this.#onSubscriberEvent(data, jsep, leg.handle),
      (error) => this.#warn(error),
    );
  }

  #report(leg: Leg): Promise<RTCStatsReport> {
    const now = performance.now();
    if (!leg.stats || now - leg.stats.at > STATS_REUSE_MS) leg.stats = { at: now, report: leg.pc.getStats() };
    return leg.stats.report;
  }

  async #audioLevels(participantId: string): Promise<{ remote: number; local: number }> {
    const [remoteReport, localReport] = await Promise.all([this.getStats(participantId), this.#publisher && this.#report(this.#publisher)]);
    let remote: AudioEnergy | undefined;
    let local: AudioEnergy | undefined;
    remoteReport?.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'audio' && typeof stats.totalAudioEnergy === 'number') remote = stats;
    });
    localReport?.forEach((stats) => {
      if (stats.type === 'media-source' && stats.kind === 'audio' && typeof stats.totalAudioEnergy === 'number') local = stats;
    });
    const previous = this.#audioEnergy.get(participantId) ?? {};
    this.#audioEnergy.set(participantId, { remote, local });
    return { remote: averageLevel(previous.remote, remote), local: averageLevel(previous.local, local) };
  }

  /** Loss and jitter of what we receive from the participant; round trip and uplink estimate of our connections. */
  async #qualityStats(participantId: string): Promise<QualityStats> {
    const result: QualityStats = { packetsReceived: 0, packetsLost: 0 };
    const [received, sent] = await Promise.all([this.getStats(participantId), this.#publisher && this.#report(this.#publisher)]);
    received?.forEach((stats) => {
      if (stats.type !== 'inbound-rtp') return;
      result.packetsReceived += stats.packetsReceived ?? 0;
      result.packetsLost += stats.packetsLost ?? 0;
      if (stats.kind === 'audio' && typeof stats.jitter === 'number') result.jitterMs = stats.jitter * 1000;
    });
    const pair = selectedPair(sent);
    if (typeof pair?.currentRoundTripTime === 'number') result.roundTripTimeMs = pair.currentRoundTripTime * 1000;
    if (typeof pair?.availableOutgoingBitrate === 'number') result.availableOutgoingBitrate = pair.availableOutgoingBitrate;
    return result;
  }

  #transceiver(pc: RTCPeerConnection, kind: 'audio' | 'video'): RTCRtpTransceiver | undefined {
    return pc.getTransceivers().find(({ receiver }) => receiver.track.kind === kind);
  }

  #screenTransceiver(pc: RTCPeerConnection): RTCRtpTransceiver | undefined {
    return pc.getTransceivers().filter(({ receiver }) => receiver.track.kind === 'video')[1];
  }

  #warn(error: unknown): void {
    if (!this.#closed) this.#context.logger.warn('[parley] media server:', error);
  }
}

/** The candidate pair a connection uses, from its stats. */
function selectedPair(report: RTCStatsReport | null | undefined): RTCIceCandidatePairStats | undefined {
  let selectedId: string | undefined;
  const pairs = new Map<string, RTCIceCandidatePairStats>();
  report?.forEach((stats) => {
    if (stats.type === 'transport') selectedId = stats.selectedCandidatePairId;
    else if (stats.type === 'candidate-pair') pairs.set(stats.id, stats);
  });
  return selectedId ? pairs.get(selectedId) : undefined;
}
