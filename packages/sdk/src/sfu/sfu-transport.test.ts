import { expect } from '@esm-bundle/chai';
import type { JoinedMeeting, SfuMediaPath } from '@parley/protocol';
import { JanusError } from '@parley/protocol/janus';
import type { MediaTransportContext } from '../media-transport.js';
import type { SignalClient } from '../signal-client.js';
import { FakeEnvironment } from '../../test/support/fake-environment.js';
import { waitFor } from '../../test/support/peer-wire.js';
import type { JanusConnect, JanusHandlePort, Jsep, PluginData } from './janus-link.js';
import { SfuTransport } from './sfu-transport.js';

const PATH: SfuMediaPath = {
  mode: 'sfu',
  janusUrl: 'ws://janus.test',
  room: 'room-1',
  token: 'core-1',
  roomToken: 'room-1-token',
  tokenExpiresAt: Date.now() + 60_000,
};

type Answer = { data: PluginData; jsep?: Jsep };

/** One VideoRoom handle of the fake Janus: every request is recorded and answered as the VideoRoom would. */
class FakeHandle implements JanusHandlePort {
  readonly requests: { body: PluginData; jsep?: Jsep }[] = [];
  detached = false;
  readonly #listeners: ((data: PluginData, jsep: Jsep | undefined) => void)[] = [];

  constructor(readonly janus: FakeJanus) {}

  async request<Data extends PluginData = PluginData>(body: object, jsep?: Jsep): Promise<{ data: Data; jsep?: Jsep }> {
    this.requests.push({ body: body as PluginData, ...(jsep && { jsep }) });
    return (await this.janus.answer(body as PluginData, jsep)) as { data: Data; jsep?: Jsep };
  }

  async trickle(): Promise<void> {}

  async detach(): Promise<void> {
    this.detached = true;
  }

  on(_event: 'event', listener: (data: PluginData, jsep: Jsep | undefined) => void): unknown {
    this.#listeners.push(listener);
    return this;
  }

  /** An event of the room nobody's request waits for. */
  emit(data: PluginData, jsep?: Jsep): void {
    for (const listener of this.#listeners) listener(data, jsep);
  }

  /** The bodies of the requests named `request`. */
  sent(request: string): PluginData[] {
    return this.requests.map(({ body }) => body).filter((body) => body['request'] === request);
  }
}

/**
 * A Janus VideoRoom in the page: publishes are answered by a peer connection of its own, and a subscription is offered
 * from one that sends a test camera and microphone per publisher stream.
 */
class FakeJanus {
  /** The sessions opened, oldest first, with the handles attached in each. */
  readonly sessions: { url: string; handles: FakeHandle[]; closed: boolean; lose(): void }[] = [];
  readonly tokens: string[] = [];
  /** How many of the next connections fail (Janus unreachable). */
  unreachable = 0;
  /** The publishers a publisher's `joined` lists. */
  publishers: { id: string; streams: { type: string; mid: string; description?: string }[] }[] = [];
  readonly #environment: FakeEnvironment;
  readonly #connections: RTCPeerConnection[] = [];
  #subscriberSide: RTCPeerConnection | null = null;
  /** The subscription's m-lines, as `attached` and `updated` list them. */
  #subscription: { mid: string; type: string; feed_id: string; feed_mid: string }[] = [];

  constructor(environment: FakeEnvironment) {
    this.#environment = environment;
  }

  readonly connect: JanusConnect = async (url, token) => {
    this.tokens.push(token);
    if (this.unreachable > 0) {
      this.unreachable--;
      throw new Error(`cannot reach ${url}`);
    }
    const closedListeners: ((error: JanusError | undefined) => void)[] = [];
    const session = {
      url,
      handles: [] as FakeHandle[],
      closed: false,
      /** The WebSocket closed under it: Janus died. */
      lose: () => {
        session.closed = true;
        for (const listener of closedListeners) listener(new JanusError('closed', 0, 'The connection to Janus closed'));
      },
    };
    this.sessions.push(session);
    return {
      attach: async () => session.handles[session.handles.push(new FakeHandle(this)) - 1]!,
      setToken: (fresh: string) => void this.tokens.push(fresh),
      close: async () => void (session.closed = true),
      on: (_event: 'closed', listener: (error: JanusError | undefined) => void) => closedListeners.push(listener),
    };
  };

  /** The latest session's publisher handle. */
  get publisher(): FakeHandle {
    return this.sessions.at(-1)!.handles[0]!;
  }

  get subscriber(): FakeHandle | undefined {
    return this.sessions.at(-1)!.handles[1];
  }

  async answer(body: PluginData, jsep: Jsep | undefined): Promise<Answer> {
    switch (body['request']) {
      case 'join':
        return body['ptype'] === 'publisher'
          ? { data: { videoroom: 'joined', private_id: 4242, publishers: this.publishers } }
          : this.#offerSubscription(body['streams'] as { feed: string; mid: string }[]);
      case 'publish':
      case 'configure': {
        if (!jsep) return { data: { videoroom: 'event', configured: 'ok' } };
        const pc = this.#connection();
        await pc.setRemoteDescription(jsep);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        return { data: { videoroom: 'event', configured: 'ok' }, jsep: { type: 'answer', sdp: answer.sdp! } };
      }
      case 'start':
        await this.#subscriberSide!.setRemoteDescription(jsep!);
        return { data: { videoroom: 'event', started: 'ok' } };
      case 'update': {
        const unsubscribe = (body['unsubscribe'] as { feed: string; mid: string }[] | undefined) ?? [];
        this.#subscription = this.#subscription.filter((line) => !unsubscribe.some(({ feed, mid }) => feed === line.feed_id && mid === line.feed_mid));
        for (const { feed, mid } of (body['subscribe'] as { feed: string; mid: string }[] | undefined) ?? []) {
          this.#subscription.push({ mid: `new-${this.#subscription.length}`, type: this.#typeOf(feed, mid), feed_id: feed, feed_mid: mid });
        }
        return { data: { videoroom: 'updated', streams: this.#subscription } };
      }
      default:
        return { data: { videoroom: 'event' } };
    }
  }

  close(): void {
    for (const pc of this.#connections) pc.close();
  }

  async #offerSubscription(streams: { feed: string; mid: string }[]): Promise<Answer> {
    const pc = this.#connection();
    this.#subscriberSide = pc;
    const media = await this.#environment.getUserMedia({ audio: true, video: true });
    const listed = streams.map(({ feed, mid }) => {
      const type = this.#typeOf(feed, mid);
      const track = type === 'audio' ? media.getAudioTracks()[0]! : media.getVideoTracks()[0]!;
      return { transceiver: pc.addTransceiver(track, { direction: 'sendonly' }), type, feed, mid };
    });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.#subscription = listed.map(({ transceiver, type, feed, mid }) => ({ mid: transceiver.mid!, type, feed_id: feed, feed_mid: mid }));
    return { data: { videoroom: 'attached', streams: this.#subscription }, jsep: { type: 'offer', sdp: offer.sdp! } };
  }

  #typeOf(feed: string, mid: string): string {
    return this.publishers.find(({ id }) => id === feed)!.streams.find((stream) => stream.mid === mid)!.type;
  }

  #connection(): RTCPeerConnection {
    const pc = new RTCPeerConnection();
    this.#connections.push(pc);
    return pc;
  }
}

/** Makes `pc` report a failed connection, as when the path to Janus is lost. */
function fail(pc: RTCPeerConnection): void {
  Object.defineProperty(pc, 'connectionState', { value: 'failed', configurable: true });
  pc.onconnectionstatechange!(new Event('connectionstatechange'));
  // Back once the restart is under way, so that no second one starts while the test looks.
  Object.defineProperty(pc, 'connectionState', { value: 'connected', configurable: true });
}

/** Makes `pc` report its ICE up while its DTLS is not (its connection still `connecting`). */
function iceWithoutDtls(pc: RTCPeerConnection): void {
  Object.defineProperty(pc, 'iceConnectionState', { value: 'connected', configurable: true });
  Object.defineProperty(pc, 'connectionState', { value: 'connecting', configurable: true });
  pc.oniceconnectionstatechange!(new Event('iceconnectionstatechange'));
}

const CAMERA_AND_MICROPHONE = [
  { type: 'audio', mid: '0' },
  { type: 'video', mid: '1', description: 'camera' },
];

/** What a participant `bob` who publishes `CAMERA_AND_MICROPHONE` is handed: [id, kind, screen]. */
const BOBS_TRACKS = [
  ['bob', 'audio', false],
  ['bob', 'video', false],
];

describe('SfuTransport', function () {
  this.timeout(20_000);
  let environment: FakeEnvironment;
  let janus: FakeJanus;
  let transport: SfuTransport;
  const t = () => transport;

  /** A transport for participant `me`, started in the fake Janus' room. */
  async function started(participants: string[] = [], listen?: (transport: SfuTransport) => void, dtlsTimeoutMs?: number): Promise<SfuTransport> {
    const stream = await environment.getUserMedia({ audio: true, video: true });
    const signal = { on: () => () => undefined, send: async () => undefined } as unknown as SignalClient;
    const context: MediaTransportContext = { signal, environment, logger: console, iceTransportPolicy: 'all', local: { stream, screenStream: null } };
    transport = new SfuTransport(context, janus.connect, dtlsTimeoutMs);
    listen?.(transport);
    for (const id of participants) transport.addParticipant(id);
    transport.start({ self: { id: 'me' }, iceServers: [], media: PATH } as unknown as JoinedMeeting);
    await waitFor(() => janus.sessions.length > 0 && janus.publisher?.sent('publish').length === 1, 'published');
    return transport;
  }

  beforeEach(() => {
    environment = new FakeEnvironment();
    janus = new FakeJanus(environment);
  });

  afterEach(() => {
    transport?.close();
    janus.close();
    environment.dispose();
  });

  it('joins the room as a publisher under the participant id with the room token, and publishes three camera layers', async () => {
    await started();
    expect(janus.tokens).to.deep.equal(['core-1']);
    expect(janus.publisher.sent('join')).to.deep.equal([{ request: 'join', ptype: 'publisher', room: 'room-1', id: 'me', token: 'room-1-token' }]);
    const [publish] = janus.publisher.requests.filter(({ body }) => body['request'] === 'publish');
    expect(publish!.jsep!.sdp).to.match(/a=simulcast:send h;m;l/);
    expect(publish!.body['descriptions']).to.deep.equal([{ mid: '1', description: 'camera' }]);
  });

  it('subscribes to the publishers there, and hands each track to the participant whose mid it came on', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const tracks: [string, string, boolean][] = [];
    await started(['bob'], (t) => t.on('track', (id, track, screen) => tracks.push([id, track.kind, screen])));
    await waitFor(() => tracks.length === 2, 'Bob’s tracks');
    expect(janus.subscriber!.sent('join')).to.deep.equal([
      {
        request: 'join',
        ptype: 'subscriber',
        room: 'room-1',
        streams: [{ feed: 'bob', mid: '0' }, { feed: 'bob', mid: '1' }],
        token: 'room-1-token',
        // The publisher's, for rooms that require it.
        private_id: 4242,
      },
    ]);
    expect(tracks).to.have.deep.members(BOBS_TRACKS);
  });

  it('updates the subscription as publishers come, as tiles are hidden and sized, and ends the tracks of one who leaves', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const ended: string[] = [];
    const t = await started(['bob', 'cem']);
    t.on('tracks-ended', (id) => ended.push(id));
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');

    janus.publishers.push({ id: 'cem', streams: CAMERA_AND_MICROPHONE });
    t.setVideoWanted('cem', { width: 200, height: 112 });
    janus.publisher.emit({ videoroom: 'event', publishers: [janus.publishers[1]] });
    await waitFor(() => janus.subscriber!.sent('update').length === 1, 'an update');
    expect(janus.subscriber!.sent('update')[0]).to.deep.equal({
      request: 'update',
      subscribe: [{ feed: 'cem', mid: '0' }, { feed: 'cem', mid: '1', substream: 0 }],
    });

    t.setVideoWanted('bob', { width: 1280, height: 720 });
    await waitFor(() => janus.subscriber!.sent('configure').length === 1, 'a layer asked for');
    expect(janus.subscriber!.sent('configure')[0]).to.deep.equal({ request: 'configure', streams: [{ mid: '1', substream: 2 }] });

    t.setVideoWanted('bob', null);
    await waitFor(() => janus.subscriber!.sent('update').length === 2, 'a second update');
    expect(janus.subscriber!.sent('update')[1]).to.deep.equal({ request: 'update', unsubscribe: [{ feed: 'bob', mid: '1' }] });

    janus.publisher.emit({ videoroom: 'event', leaving: 'bob' });
    expect(ended).to.deep.equal(['bob']);
  });

  it('hands the tracks it holds to a participant the room takes back, whose feed never left Janus', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const tracks: [string, string, boolean][] = [];
    const t = await started(['bob'], (t) => t.on('track', (id, track, screen) => tracks.push([id, track.kind, screen])));
    await waitFor(() => tracks.length === 2, 'Bob’s tracks');
    // The room dropped Bob and took him back (a restarted server that lists him only once he resumed): nothing
    // changed in Janus, so no track arrives anew.
    t.removeParticipant('bob');
    tracks.length = 0;
    t.addParticipant('bob');
    expect(tracks).to.have.deep.members(BOBS_TRACKS);
  });

  it('keeps the tracks of a publisher the room does not know yet, and hands them over when it does', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const tracks: [string, string, boolean][] = [];
    const t = await started([], (t) => t.on('track', (id, track, screen) => tracks.push([id, track.kind, screen])));
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    expect(tracks).to.deep.equal([]);
    t.addParticipant('bob');
    expect(tracks).to.have.deep.members(BOBS_TRACKS);
  });

  it('asks again for a layer Janus has not switched to, until it says it sends it', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const t = await started(['bob']);
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    const configures = () => janus.subscriber!.sent('configure');
    t.setVideoWanted('bob', { width: 240, height: 135 });
    await waitFor(() => configures().length === 1, 'the low layer asked for');
    janus.subscriber!.emit({ videoroom: 'event', mid: '1', substream: 0 });
    t.setVideoWanted('bob', { width: 1280, height: 720 });
    await waitFor(() => configures().length === 2, 'the full layer asked for');
    // No keyframe came on the full layer, so Janus did not switch: a second second later, it is asked again.
    await waitFor(() => configures().length === 3, 'the full layer asked for again');
    expect(configures()[2]).to.deep.equal({ request: 'configure', streams: [{ mid: '1', substream: 2 }] });
    janus.subscriber!.emit({ videoroom: 'event', mid: '1', substream: 2 });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(configures(), 'switched: nothing more to ask').to.have.length(3);
  });

  it('asks again for a layer three times at most: a publisher may not send it at all', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const t = await started(['bob']);
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    t.setVideoWanted('bob', { width: 1280, height: 720 });
    // Asked at once, then 1, 2 and 4 s later.
    await new Promise((resolve) => setTimeout(resolve, 8500));
    expect(janus.subscriber!.sent('configure')).to.have.length(4);
  });

  it('restarts ICE on a connection to Janus that failed: the publisher offers afresh, the subscriber asks Janus to', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const states: string[] = [];
    await started(['bob'], (t) => t.on('connection-state-changed', (_id, state) => states.push(state)));
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    const [publisher, subscriber] = environment.peerConnections as [RTCPeerConnection, RTCPeerConnection];
    const ufrag = (pc: RTCPeerConnection) => /a=ice-ufrag:(.*)/.exec(pc.localDescription!.sdp)![1];
    const before = ufrag(publisher);
    fail(publisher);
    await waitFor(() => janus.publisher.sent('configure').length === 1, 'the publisher renegotiated');
    await waitFor(() => publisher.signalingState === 'stable' && ufrag(publisher) !== before, 'new ICE credentials');
    fail(subscriber);
    await waitFor(() => janus.subscriber!.sent('configure').length === 1, 'a restart asked of Janus');
    expect(janus.subscriber!.sent('configure')[0]).to.deep.equal({ request: 'configure', restart: true });
    expect(states, 'each participant hears of it').to.include('failed');
  });

  it('subscribes afresh when the subscription’s ICE comes up and its DTLS does not: the stale handle detached, the tracks renewed', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const tracks: [string, string, boolean][] = [];
    const ended: string[] = [];
    const t = await started(['bob'], (t) => t.on('track', (id, track, screen) => tracks.push([id, track.kind, screen])), 300);
    t.on('tracks-ended', (id) => ended.push(id));
    await waitFor(() => tracks.length === 2, 'Bob’s tracks');
    const [publisher, stuck] = environment.peerConnections as [RTCPeerConnection, RTCPeerConnection];
    const stale = janus.subscriber!;
    // The publisher's connection comes up; the subscription's stops at ICE.
    Object.defineProperty(publisher, 'connectionState', { value: 'connected', configurable: true });
    publisher.onconnectionstatechange!(new Event('connectionstatechange'));
    iceWithoutDtls(stuck);
    await waitFor(() => janus.sessions[0]!.handles.length === 3, 'a second subscription');
    expect(janus.sessions, 'the same session').to.have.length(1);
    expect(stale.detached, 'the stale subscription detached').to.equal(true);
    expect(stuck.signalingState).to.equal('closed');
    expect(janus.sessions[0]!.handles[2]!.sent('join')[0]!['streams']).to.deep.equal([{ feed: 'bob', mid: '0' }, { feed: 'bob', mid: '1' }]);
    await waitFor(() => tracks.length === 4, 'Bob’s tracks again');
    expect(ended).to.deep.equal(['bob']);
    // An event of the stale handle is not taken for the new subscription's.
    stale.emit({ videoroom: 'updated', streams: [] });
    expect(await t.getStats('bob')).to.not.equal(null);
  });

  it('opens its session afresh when the publisher’s ICE comes up and its DTLS does not', async () => {
    await started([], undefined, 300);
    const [publisher] = environment.peerConnections as [RTCPeerConnection];
    iceWithoutDtls(publisher);
    await waitFor(() => janus.sessions.length === 2 && janus.publisher.sent('publish').length === 1, 'published again in a new session');
    expect(janus.sessions[0]!.closed).to.equal(true);
  });

  it('leaves a connection whose DTLS follows its ICE alone', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    await started(['bob'], undefined, 300);
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    for (const pc of environment.peerConnections) {
      iceWithoutDtls(pc);
      Object.defineProperty(pc, 'connectionState', { value: 'connected', configurable: true });
      pc.onconnectionstatechange!(new Event('connectionstatechange'));
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(janus.sessions).to.have.length(1);
    expect(janus.sessions[0]!.handles).to.have.length(2);
  });

  it('uses a fresh token for the same room from then on, and not the mesh', async () => {
    const t = await started();
    const renewed = { ...PATH, token: 'core-2', roomToken: 'room-1-token-2' };
    expect(t.updatePath(renewed)).to.equal(true);
    expect(janus.tokens).to.deep.equal(['core-1', 'core-2']);
    // The next subscriber join carries the new room token.
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    t.addParticipant('bob');
    janus.publisher.emit({ videoroom: 'event', publishers: janus.publishers });
    await waitFor(() => janus.subscriber?.sent('join').length === 1, 'subscribed');
    expect(janus.subscriber!.sent('join')[0]!['token']).to.equal('room-1-token-2');
    expect(janus.sessions).to.have.length(1);

    expect(t.updatePath({ mode: 'mesh' })).to.equal(false);
  });

  it('follows a meeting moved to another Janus: leaves the old session, joins, publishes and subscribes there, tracks end and come anew', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const events: string[] = [];
    const t = await started(['bob'], (transport) => {
      transport.on('track', (id, track) => events.push(`track ${id} ${track.kind}`));
      transport.on('tracks-ended', (id) => events.push(`ended ${id}`));
    });
    await waitFor(() => events.length === 2, 'Bob’s tracks');
    const moved = { ...PATH, janusUrl: 'ws://janus-2.test', room: 'room-1', token: 'core-b', roomToken: 'room-1-token-b' };
    expect(t.updatePath(moved)).to.equal(true);
    await waitFor(() => janus.sessions.length === 2 && janus.publisher.sent('publish').length === 1, 'published on the new Janus');
    expect(janus.sessions[0]!.closed, 'the old session is closed').to.equal(true);
    expect(janus.sessions[1]!.url).to.equal('ws://janus-2.test');
    expect(janus.tokens.at(-1)).to.equal('core-b');
    expect(janus.publisher.sent('join')[0]).to.deep.include({ ptype: 'publisher', id: 'me', token: 'room-1-token-b' });
    await waitFor(() => events.length === 5, 'Bob’s new tracks');
    expect(events.slice(2)).to.have.deep.members(['ended bob', 'track bob audio', 'track bob video']);
    expect(events[2]).to.equal('ended bob');
    expect(janus.subscriber!.sent('join')[0]).to.deep.include({ ptype: 'subscriber', token: 'room-1-token-b' });
  });

  it('opens its session again by itself when it is lost, retrying while Janus is unreachable, and rejoins and republishes', async () => {
    janus.publishers = [{ id: 'bob', streams: CAMERA_AND_MICROPHONE }];
    const ended: string[] = [];
    await started(['bob'], (transport) => transport.on('tracks-ended', (id) => ended.push(id)));
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed');
    janus.unreachable = 2;
    const lostAt = performance.now();
    janus.sessions[0]!.lose();
    expect(ended).to.deep.equal(['bob']);
    await waitFor(() => janus.sessions.length === 2 && janus.publisher.sent('publish').length === 1, 'published again', 10_000);
    // Two failed attempts (after 0.5 and 1 s), the third (2 s later) gets through: about 3.5 s.
    expect(janus.tokens).to.deep.equal(['core-1', 'core-1', 'core-1', 'core-1']);
    expect(performance.now() - lostAt).to.be.within(2500, 8000);
    expect(janus.sessions[1]!.url).to.equal(PATH.janusUrl);
    await waitFor(() => janus.subscriber?.sent('start').length === 1, 'subscribed again');
  });

  it('a media-path while its session is down opens it at once, even to the same Janus and room (Janus restarted)', async () => {
    await started();
    janus.unreachable = 1;
    janus.sessions[0]!.lose();
    // The first attempt (0.5 s later) fails; the next would wait a second more.
    await waitFor(() => janus.tokens.length === 2, 'a first attempt');
    const fresh = { ...PATH, token: 'core-2', roomToken: 'room-1-token-2' };
    const sentAt = performance.now();
    expect(t().updatePath(fresh)).to.equal(true);
    await waitFor(() => janus.sessions.length === 2 && janus.publisher.sent('publish').length === 1, 'published again');
    expect(performance.now() - sentAt).to.be.below(900);
    expect(janus.tokens.at(-1)).to.equal('core-2');
    expect(janus.publisher.sent('join')[0]).to.deep.include({ room: 'room-1', token: 'room-1-token-2' });
  });
});
