import { expect } from '@esm-bundle/chai';
import type { JoinedMeeting, MediaPath, SfuMediaPath } from '@parley/protocol';
import type { MediaTransport, MediaTransportContext, MediaTransportEventMap, MediaTransportFactory, VideoWanted } from './media-transport.js';
import { MeshTransport } from './mesh-transport.js';
import { TypedEmitter } from './typed-emitter.js';
import { CODE, RoomFixture, nextEvent, sleep, waitFor } from '../test/support/room-fixture.js';

const SFU: SfuMediaPath = {
  mode: 'sfu',
  // Nothing listens there: the real transport's session fails, which the room only logs.
  janusUrl: 'ws://127.0.0.1:9',
  room: 'meeting-room-1',
  token: 'token-1',
  roomToken: 'room-token-1',
  tokenExpiresAt: Date.now() + 60_000,
};

/** A transport that records what the room asks of it. */
class RecordingTransport extends TypedEmitter<MediaTransportEventMap> implements MediaTransport {
  readonly calls: unknown[][] = [];
  started: JoinedMeeting | null = null;
  closed = false;
  follows = true;

  constructor(readonly context: MediaTransportContext) {
    super();
  }

  start(meeting: JoinedMeeting): void {
    this.started = meeting;
  }
  updatePath(path: MediaPath): boolean {
    this.calls.push(['updatePath', path]);
    return this.follows;
  }
  addParticipant(id: string): void {
    this.calls.push(['addParticipant', id]);
  }
  removeParticipant(id: string): void {
    this.calls.push(['removeParticipant', id]);
  }
  async publishTrack(): Promise<void> {}
  send(message: string): void {
    this.calls.push(['send', message]);
  }
  setVideoWanted(id: string, wanted: VideoWanted): void {
    this.calls.push(['setVideoWanted', id, wanted]);
  }
  repairVideo(): void {}
  setSignalingUp(): void {}
  readonly connected = true;
  async getStats(): Promise<RTCStatsReport | null> {
    return null;
  }
  stats(): Iterable<[string, never]> {
    return [];
  }
  close(): void {
    this.closed = true;
  }
  /** As if a remote track (`screen`: a shared screen) or a new connection state arrived on this path. */
  receive<E extends keyof MediaTransportEventMap>(event: E, ...args: Parameters<MediaTransportEventMap[E]>): void {
    this.emit(event, ...args);
  }
}

/** A camera track as a peer connection hands it over: muted until its first frames arrive (`flow()`). */
function remoteVideo(): { track: MediaStreamTrack; flow(): void } {
  const canvas = document.createElement('canvas');
  const track = canvas.captureStream(5).getVideoTracks()[0]!;
  Object.defineProperty(track, 'muted', { value: true, configurable: true });
  return {
    track,
    flow: () => {
      Object.defineProperty(track, 'muted', { value: false, configurable: true });
      track.dispatchEvent(new Event('unmute'));
    },
  };
}

/** A factory that keeps every transport it made. */
function recording(): { made: RecordingTransport[]; factory: MediaTransportFactory } {
  const made: RecordingTransport[] = [];
  return { made, factory: (context) => made[made.push(new RecordingTransport(context)) - 1]! };
}

describe('Room media path', function () {
  // A switch of path waits up to 4 s for the new one, then the old one lingers 4 s.
  this.timeout(20_000);
  const world = RoomFixture.perTest();

  it('stays on the mesh when the join answer names no media path, and never loads the SFU transport', async () => {
    const sfu = recording();
    const room = await world.joined({}, { sfuTransport: sfu.factory });
    expect(sfu.made).to.have.length(0);
    const bob = world.server.addRemoteParticipant(CODE, 'Bob');
    await waitFor(() => room.participants.has(bob.id), 'Bob in the room');
    expect(await room.getStats(bob.id), 'a mesh connection to Bob').to.be.instanceOf(RTCStatsReport);
  });

  it('puts a meeting in SFU mode on the SFU transport: started with the Janus room, told who is there, the mesh one closed', async () => {
    world.server.createMeeting(CODE, { media: SFU });
    const bob = world.server.addRemoteParticipant(CODE, 'Bob');
    const mesh = recording();
    const sfu = recording();
    const room = await world.joined({}, { transport: mesh.factory, sfuTransport: sfu.factory });
    expect(mesh.made[0]!.closed, 'the mesh made while joining').to.equal(true);
    const transport = sfu.made[0]!;
    expect(transport.started?.media).to.deep.equal(SFU);
    expect(transport.context.signal, 'the room’s signaling').to.exist;
    expect(transport.calls).to.deep.include(['addParticipant', bob.id]);

    room.setVideoWanted(bob.id, { width: 320, height: 180 });
    expect(transport.calls).to.deep.include(['setVideoWanted', bob.id, { width: 320, height: 180 }]);
    room.sendChatMessage('hello');
    expect(transport.calls.some(([name]) => name === 'send')).to.equal(true);

    await room.leave();
    expect(transport.closed).to.equal(true);
  });

  it('hands a fresh Janus token to the transport', async () => {
    world.server.createMeeting(CODE, { media: SFU });
    const sfu = recording();
    const warnings: unknown[][] = [];
    const room = await world.joined({}, { sfuTransport: sfu.factory, logger: { warn: (...args: unknown[]) => warnings.push(args) } });
    const transport = sfu.made[0]!;
    const renewed = { ...SFU, token: 'token-2', tokenExpiresAt: SFU.tokenExpiresAt + 60_000 };
    world.server.connectionOf(room.localParticipant.id).emit('media-path', renewed);
    await waitFor(() => transport.calls.some(([name]) => name === 'updatePath'), 'the path handed over');
    expect(transport.calls).to.deep.include(['updatePath', renewed]);
    expect(warnings).to.deep.equal([]);
    expect(transport.closed).to.equal(false);
  });

  it('moves a call to another mode make-before-break: the old path shows Bob until the new one carries his video', async () => {
    const bob = world.server.addRemoteParticipant(CODE, 'Bob');
    const mesh = recording();
    const sfu = recording();
    const room = await world.joined({}, { transport: mesh.factory, sfuTransport: sfu.factory });
    const old = mesh.made[0]!;
    old.follows = false;
    const before = remoteVideo();
    before.flow();
    old.receive('track', bob.id, before.track, false);
    const shown = () => room.participants.get(bob.id)!.stream?.getVideoTracks()[0];
    expect(shown()).to.equal(before.track);

    world.server.connectionOf(room.localParticipant.id).emit('media-path', SFU);
    await waitFor(() => sfu.made[0]?.started != null, 'the SFU transport made and started');
    const next = sfu.made[0]!;
    expect(next.started?.media, 'started on the new path').to.deep.equal(SFU);
    expect(next.calls).to.deep.include(['addParticipant', bob.id]);
    const after = remoteVideo();
    next.receive('track', bob.id, after.track, false);
    next.receive('connection-state-changed', bob.id, 'connected');
    // Someone who comes during the switch is told to the new path only.
    const cyd = world.server.addRemoteParticipant(CODE, 'Cyd');
    await waitFor(() => room.participants.has(cyd.id), 'Cyd in the room');
    expect(next.calls).to.deep.include(['addParticipant', cyd.id]);
    expect(old.calls).not.to.deep.include(['addParticipant', cyd.id]);
    const cydVideo = remoteVideo();
    next.receive('track', cyd.id, cydVideo.track, false);
    expect(room.participants.get(cyd.id)!.stream?.getVideoTracks()[0], 'a newcomer is shown at once').to.equal(cydVideo.track);
    await sleep(300);
    expect(shown(), 'still the old path: nothing flows on the new one yet').to.equal(before.track);
    expect(old.closed).to.equal(false);

    after.flow();
    await waitFor(() => shown() === after.track, "Bob's video from the new path");
    expect(room.participants.get(bob.id)!.stream!.getTracks(), 'the old track gone with it').to.deep.equal([after.track]);
    expect(room.participants.get(bob.id)!.connectionState).to.equal('connected');
    // The old path is no longer shown, and goes a few seconds later (the others may still be showing it).
    old.receive('track', bob.id, remoteVideo().track, false);
    expect(shown()).to.equal(after.track);
    expect(old.closed).to.equal(false);
    await waitFor(() => old.closed, 'the old path closed', 8000);
    room.setVideoWanted(bob.id, null);
    expect(next.calls).to.deep.include(['setVideoWanted', bob.id, null]);
  });

  it('takes the new path after a few seconds even if a video never comes on it', async () => {
    const bob = world.server.addRemoteParticipant(CODE, 'Bob');
    const mesh = recording();
    const sfu = recording();
    const room = await world.joined({}, { transport: mesh.factory, sfuTransport: sfu.factory });
    mesh.made[0]!.follows = false;
    world.server.connectionOf(room.localParticipant.id).emit('media-path', SFU);
    await waitFor(() => sfu.made[0]?.started != null, 'the SFU transport made and started');
    const stalled = remoteVideo();
    sfu.made[0]!.receive('track', bob.id, stalled.track, false);
    await sleep(2000);
    expect(room.participants.get(bob.id)!.stream, 'not yet').to.equal(null);
    await waitFor(() => room.participants.get(bob.id)!.stream?.getVideoTracks()[0] === stalled.track, 'the new path taken', 6000);
  });

  it('a move overtaken by another leaks nothing: back to the path it is on, the half-made transport closes', async () => {
    world.server.createMeeting(CODE, { media: SFU });
    world.server.addRemoteParticipant(CODE, 'Bob');
    const mesh = recording();
    const sfu = recording();
    const room = await world.joined({}, { transport: mesh.factory, sfuTransport: sfu.factory });
    const current = sfu.made[0]!;
    const connection = world.server.connectionOf(room.localParticipant.id);
    current.follows = false;
    connection.emit('media-path', { mode: 'mesh' });
    await waitFor(() => mesh.made.length === 2, 'a mesh transport made for the move');
    const halfMade = mesh.made[1]!;
    halfMade.follows = false;
    current.follows = true;
    connection.emit('media-path', { ...SFU, token: 'token-2' });
    await waitFor(() => halfMade.closed, 'the mesh of the overtaken move closed');
    // And a move whose transport is still loading when it is overtaken: closed as soon as it is made.
    current.follows = false;
    let loaded!: () => void;
    const slow = recording();
    const room2 = await world.joined({ name: 'Bea' }, {
      sfuTransport: sfu.factory,
      transport: async (context) => {
        if (slow.made.length > 0) await new Promise<void>((resolve) => (loaded = resolve));
        return slow.factory(context);
      },
    });
    const bea = sfu.made.at(-1)!;
    bea.follows = false;
    world.server.connectionOf(room2.localParticipant.id).emit('media-path', { mode: 'mesh' });
    await waitFor(() => typeof loaded === 'function', 'the mesh loading');
    bea.follows = true;
    world.server.connectionOf(room2.localParticipant.id).emit('media-path', SFU);
    await sleep(100);
    loaded();
    await waitFor(() => slow.made[1]?.closed === true, 'the late transport closed');
    await sleep(200);
    expect(bea.closed, 'the current path stays').to.equal(false);
    expect(current.closed).to.equal(false);
  });

  it('relays chat through the server in SFU mode: what one room sends, the other receives', async () => {
    world.server.createMeeting(CODE, { media: SFU });
    world.server.answer('app-message', ({ data }, connection) => {
      for (const other of world.server.openConnections) {
        if (other !== connection && other.participantId) other.emit('app-message', { from: connection.participantId!, data });
      }
      return { ok: true as const, data: undefined };
    });
    const logger = { warn: () => undefined };
    const ada = await world.joined({ name: 'Ada' }, { logger });
    const bea = await world.joined({ name: 'Bea' }, { logger });
    await waitFor(() => bea.participants.size === 1 && ada.participants.size === 1, 'both in the meeting');
    const received = nextEvent(bea, 'chat-message');
    const sent = ada.sendChatMessage('through the server');
    const [message] = await received;
    expect(message).to.include({ text: 'through the server', senderId: ada.localParticipant.id, senderName: 'Ada' });
    expect(message.id).to.equal(sent.id);
    expect(world.server.received('app-message')).to.have.length(1);
  });
});

// The mesh follows only the mesh: anything else needs another transport.
describe('MeshTransport.updatePath', () => {
  it('follows the mesh and nothing else', () => {
    const mesh = Object.create(MeshTransport.prototype) as MeshTransport;
    expect(mesh.updatePath({ mode: 'mesh' })).to.equal(true);
    expect(mesh.updatePath(SFU)).to.equal(false);
  });
});
