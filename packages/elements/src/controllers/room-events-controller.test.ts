import { expect } from '@esm-bundle/chai';
import { FakeRoom } from '../../test/support/fake-room.js';
import { RoomEventsController } from './room-events-controller.js';

describe('RoomEventsController', () => {
  it('listens to the room it follows, and to no other; null lets go', () => {
    const heard: string[] = [];
    const events = new RoomEventsController<FakeRoom>((room) => ({
      'participant-joined': (participant) => heard.push(`${room === first ? 'first' : 'second'}:${participant.name}`),
      left: (reason) => heard.push(`left:${reason}`),
    }));
    const first = new FakeRoom();
    const second = new FakeRoom();

    events.follow(first);
    expect(events.room).to.equal(first);
    first.join('a', 'Ada');
    events.follow(second);
    first.join('b', 'Bob');
    second.join('c', 'Cy');
    expect(first.listenerCount(), 'nothing left on the room before').to.equal(0);

    events.follow(null);
    expect(events.room).to.equal(null);
    second.emit('left', 'ended');
    expect(second.listenerCount()).to.equal(0);
    expect(heard).to.deep.equal(['first:Ada', 'second:Cy']);
  });
});
