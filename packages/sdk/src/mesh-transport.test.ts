import { expect } from '@esm-bundle/chai';
import type { JoinedMeeting } from '@parley/protocol';
import { browserEnvironment } from './environment.js';
import { MeshTransport } from './mesh-transport.js';
import type { MediaTransportContext } from './media-transport.js';
import type { SignalClient } from './signal-client.js';
import { framesDecoded, sleep, waitFor } from '../test/support/peer-wire.js';

type Listener = (message: Record<string, unknown>) => void;

/**
 * The part of the signaling server the mesh uses, in memory: what one participant sends `to` another reaches that
 * one's listeners `from` the sender, a few milliseconds later (as over a socket).
 */
class Switchboard {
  readonly #listeners = new Map<string, Map<string, Listener[]>>();

  signalFor(id: string): SignalClient {
    const listeners = new Map<string, Listener[]>();
    this.#listeners.set(id, listeners);
    const deliver = (event: string, { to, ...message }: Record<string, unknown>) => {
      setTimeout(() => {
        for (const listener of this.#listeners.get(to as string)?.get(event) ?? []) listener({ ...message, from: id });
      }, 2);
    };
    const fake = {
      on: (event: string, listener: Listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
      send: async (event: string, message: Record<string, unknown>) => deliver(event, message),
      post: async (event: string, message: Record<string, unknown>) => deliver(event, message),
    };
    // The mesh needs only these three of the client's methods.
    return fake as unknown as SignalClient;
  }
}

interface Side {
  transport: MeshTransport;
  /** The peer connections this side opened, oldest first. */
  connections: RTCPeerConnection[];
  /** Remote camera video tracks as the `track` events brought them, latest last. */
  videos: MediaStreamTrack[];
  messages: string[];
  /** What this side sent on its data channels, keep-alives left out. */
  sent: string[];
}

const sides: Side[] = [];
const tracks: MediaStreamTrack[] = [];

async function side(switchboard: Switchboard, id: string): Promise<Side> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 } });
  tracks.push(...stream.getTracks());
  const connections: RTCPeerConnection[] = [];
  const sent: string[] = [];
  const context: MediaTransportContext = {
    signal: switchboard.signalFor(id),
    environment: {
      ...browserEnvironment,
      createPeerConnection: (configuration) => {
        const pc = new RTCPeerConnection(configuration);
        connections.push(pc);
        const createDataChannel = pc.createDataChannel.bind(pc);
        pc.createDataChannel = (label, options) => {
          const channel = createDataChannel(label, options);
          const send = channel.send.bind(channel) as (data: string) => void;
          channel.send = ((data: string) => {
            if (data) sent.push(data);
            send(data);
          }) as RTCDataChannel['send'];
          return channel;
        };
        return pc;
      },
    },
    logger: console,
    iceTransportPolicy: 'all',
    local: { stream, screenStream: null },
  };
  const transport = new MeshTransport(context);
  transport.start({ iceServers: [] } as unknown as JoinedMeeting);
  const result: Side = { transport, connections, videos: [], messages: [], sent };
  transport.on('track', (_from, track, screen) => {
    if (track.kind === 'video' && !screen) result.videos.push(track);
  });
  transport.on('message', (_from, message) => result.messages.push(message));
  sides.push(result);
  return result;
}

/** `a` (there first, offers) and `b`, connected, each receiving the other's camera. */
async function connectedPair(): Promise<[Side, Side]> {
  const switchboard = new Switchboard();
  const a = await side(switchboard, 'a');
  const b = await side(switchboard, 'b');
  a.transport.addParticipant('b', true);
  b.transport.addParticipant('a', false);
  await waitFor(() => a.transport.connected && b.transport.connected, 'both connected', 10_000);
  await waitFor(() => a.videos.length > 0 && b.videos.length > 0, 'remote cameras', 10_000);
  return [a, b];
}

/** Whether the camera's encoding on the side's latest connection is active. */
function sendingCamera(side: Side): boolean {
  const pc = side.connections.at(-1)!;
  const sender = pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'video')!.sender;
  return sender.getParameters().encodings.every((encoding) => encoding.active !== false);
}

/** Frames of `side`'s latest remote camera decoded in `ms`. */
async function framesIn(side: Side, ms: number): Promise<number> {
  const pc = side.connections.at(-1)!;
  const track = side.videos.at(-1)!;
  const before = await framesDecoded(pc, track);
  await sleep(ms);
  return (await framesDecoded(pc, track)) - before;
}

describe('MeshTransport: wanted videos', function () {
  this.timeout(40_000);

  afterEach(() => {
    for (const { transport } of sides.splice(0)) transport.close();
    for (const track of tracks.splice(0)) track.stop();
  });

  it('pauses the camera a participant shows nowhere, and resumes it when shown again', async () => {
    const [a, b] = await connectedPair();
    await waitFor(async () => (await framesIn(a, 500)) > 0, "b's camera decoding at a", 10_000);
    expect(sendingCamera(b)).to.equal(true);

    a.transport.setVideoWanted('b', null);
    await waitFor(() => !sendingCamera(b), "b's camera paused toward a", 5000);
    // What a person sees: the picture no longer moves (nothing arrives to decode); b still receives a's camera.
    await sleep(500);
    expect(await framesIn(a, 1500), "frames of b's camera decoded at a while unwanted").to.equal(0);
    expect(await framesIn(b, 1000), "frames of a's camera decoded at b").to.be.greaterThan(0);
    expect(sendingCamera(a), "a's own camera toward b").to.equal(true);

    a.transport.setVideoWanted('b', { width: 320, height: 180 });
    await waitFor(() => sendingCamera(b), "b's camera resumed toward a", 5000);
    await waitFor(async () => (await framesIn(a, 500)) > 0, "b's camera decoding at a again", 10_000);
    // The control messages are the mesh's own: none reaches the application as a chat message.
    expect(a.messages).to.deep.equal([]);
    expect(b.messages).to.deep.equal([]);
  });

  it('keeps a participant unwanted across a renewed connection (repairVideo)', async () => {
    const [a, b] = await connectedPair();
    a.transport.setVideoWanted('b', null);
    await waitFor(() => !sendingCamera(b), "b's camera paused toward a", 5000);

    a.transport.repairVideo('b');
    await waitFor(() => a.connections.length === 2 && b.connections.length === 2, 'a renewed connection', 10_000);
    await waitFor(() => a.transport.connected && b.connections[1]!.connectionState === 'connected', 'connected again', 10_000);
    await waitFor(() => !sendingCamera(b), "b's camera paused on the new connection", 5000);
    await sleep(500);
    expect(sendingCamera(b)).to.equal(false);

    a.transport.setVideoWanted('b', { width: 640, height: 360 });
    await waitFor(() => sendingCamera(b), "b's camera resumed on the new connection", 5000);
  });

  it('asks again only when the answer changes, and forgets a participant who left', async () => {
    const [a, b] = await connectedPair();
    a.transport.setVideoWanted('b', { width: 320, height: 180 });
    a.transport.setVideoWanted('b', { width: 640, height: 360 });
    a.transport.setVideoWanted('nobody', null);
    expect(a.sent, 'wanted from the start: nothing to ask').to.deep.equal([]);

    a.transport.setVideoWanted('b', null);
    a.transport.setVideoWanted('b', null);
    await waitFor(() => !sendingCamera(b), 'paused', 5000);
    expect(a.sent).to.deep.equal(['pause-video']);

    // b leaves and comes back under the same id: its camera is wanted again until said otherwise.
    a.transport.removeParticipant('b');
    b.transport.removeParticipant('a');
    a.transport.addParticipant('b', true);
    b.transport.addParticipant('a', false);
    await waitFor(() => b.connections.length === 2 && b.connections[1]!.connectionState === 'connected', 'reconnected', 10_000);
    await waitFor(() => b.videos.length === 2, "a's camera at b again", 10_000);
    await sleep(500);
    expect(sendingCamera(b)).to.equal(true);
    expect(a.sent).to.deep.equal(['pause-video']);
  });
});
