import { expect } from '@esm-bundle/chai';
import type { JoinedMeeting, MediaPath, SfuMediaPath } from '@parley/protocol';
import type { MediaTransport, MediaTransportContext, MediaTransportEventMap, MediaTransportFactory, VideoWanted } from './media-transport.js';
import { MeshTransport } from './mesh-transport.js';
import { TypedEmitter } from './typed-emitter.js';
import { CODE, RoomFixture, nextEvent, waitFor } from '../test/support/room-fixture.js';

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
}

/** A factory that keeps every transport it made. */
function recording(): { made: RecordingTransport[]; factory: MediaTransportFactory } {
  const made: RecordingTransport[] = [];
  return { made, factory: (context) => made[made.push(new RecordingTransport(context)) - 1]! };
}

describe('Room media path', () => {
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

  it('hands a fresh Janus token to the transport, and warns when the media moves elsewhere mid-call', async () => {
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

    transport.follows = false;
    world.server.connectionOf(room.localParticipant.id).emit('media-path', { mode: 'mesh' });
    await waitFor(() => warnings.length > 0, 'a warning');
    expect(String(warnings[0])).to.contain('mesh');
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
