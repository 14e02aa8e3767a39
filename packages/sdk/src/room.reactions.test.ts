// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import '../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import { LIMITS, REACTIONS, type Reaction } from '@parley/protocol';
import { refusal } from '../test/support/fake-signaling-server.js';
import { CODE, expectParleyError, nextEvent, recordEvents, rejectionOf, RoomFixture, sleep } from '../test/support/room-fixture.js';
import { ErrorCode } from './errors.js';

describe('Room reactions', function () {
  this.timeout(20_000);
  const world = RoomFixture.perTest();

  it('sends the emoji, and tells of your own reaction only once the server took it', async () => {
    const room = await world.joined();
    const events = recordEvents(room, ['reaction']);
    let answer!: () => void;
    world.server.answer('send-reaction', () => new Promise((resolve) => (answer = () => resolve({ ok: true, data: undefined }))));
    const reacting = room.react('🎉');
    await sleep(50);
    expect(world.server.received('send-reaction')).to.deep.equal([{ emoji: '🎉' }]);
    expect(events, 'nothing shown before the server took it').to.deep.equal([]);
    answer();
    await reacting;
    expect(events).to.deep.equal([{ name: 'reaction', args: [room.localParticipant, '🎉'] }]);
  });

  it('tells of a remote reaction on the room and on the participant; one from nobody in the meeting is dropped', async () => {
    const bea = world.server.addRemoteParticipant(CODE, 'Bea');
    const room = await world.joined();
    const remote = room.participants.get(bea.id)!;
    const onParticipant: Reaction[] = [];
    remote.on('reaction', (emoji) => onParticipant.push(emoji));
    const events = recordEvents(room, ['reaction']);
    const connection = world.server.connectionOf(room.localParticipant.id);
    connection.emit('reaction', { from: 'p404', emoji: '👍' });
    const heard = nextEvent(room, 'reaction');
    connection.emit('reaction', { from: bea.id, emoji: '❤️' });
    expect(await heard).to.deep.equal([remote, '❤️']);
    expect(onParticipant).to.deep.equal(['❤️']);
    expect(events).to.have.length(1);
  });

  it(`holds a held key to ${LIMITS.reactionBurst - 1} at once, refusing the rest as rate-limited without asking the server; one more a second later`, async () => {
    const room = await world.joined();
    const events = recordEvents(room, ['reaction']);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => room.react('👏')));
    const sent = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    // One fewer than the server allows: the network may bunch them up on the way.
    expect(sent).to.have.length(LIMITS.reactionBurst - 1);
    for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected')) {
      expectParleyError((outcome as PromiseRejectedResult).reason, ErrorCode.RateLimited);
    }
    expect(world.server.received('send-reaction')).to.have.length(LIMITS.reactionBurst - 1);
    expect(events).to.have.length(LIMITS.reactionBurst - 1);

    await sleep(LIMITS.reactionIntervalMs + 50);
    await room.react('😮');
    expectParleyError(await rejectionOf(room.react('😮')), ErrorCode.RateLimited);
    expect(world.server.received('send-reaction')).to.have.length(LIMITS.reactionBurst);
  });

  it('rejects with the typed error the server refuses with, and shows nothing', async () => {
    const room = await world.joined();
    const events = recordEvents(room, ['reaction']);
    world.server.answer('send-reaction', () => ({ ok: false as const, error: { code: 'rate-limited' as const, message: 'Too many reactions', retryAfter: 1 } }));
    const limited = await rejectionOf(room.react('👍'));
    expectParleyError(limited, ErrorCode.RateLimited);
    expect((limited as Error).cause).to.deep.equal({ code: 'rate-limited', message: 'Too many reactions', retryAfter: 1 });
    world.server.answer('send-reaction', () => refusal('invalid-payload'));
    expectParleyError(await rejectionOf(room.react('👎' as Reaction)), ErrorCode.InvalidRequest);
    expect(events).to.deep.equal([]);
  });

  it('refuses to react outside a meeting with `invalid-state`', async () => {
    const room = world.room();
    expectParleyError(await rejectionOf(room.react(REACTIONS[0])), ErrorCode.InvalidState);
    await room.join({ code: CODE, name: 'Ada' });
    await room.leave();
    expectParleyError(await rejectionOf(room.react(REACTIONS[0])), ErrorCode.InvalidState);
    expect(world.server.received('send-reaction')).to.deep.equal([]);
  });
});
