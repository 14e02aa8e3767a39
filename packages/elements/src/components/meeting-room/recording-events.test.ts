import { expect } from '@esm-bundle/chai';
import { en } from '../../i18n/en.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import { recordingEvents } from './recording-events.js';

/** A room with Ada and Bob, and what `<meeting-room>` would be told: events, announcements, its own recording stopped. */
function setUp() {
  const room = new FakeRoom();
  room.join('p1', 'Ada');
  room.join('p2', 'Bob');
  const element = document.createElement('div');
  const events: string[] = [];
  element.addEventListener('parley-recording-started', ({ detail }) => events.push(`started ${detail.participant.name}`));
  element.addEventListener('parley-recording-stopped', ({ detail }) => events.push(`stopped ${detail.participant.name}`));
  const announced: string[] = [];
  let ownStopped = 0;
  room.on(
    'recording-changed',
    recordingEvents(element, room, { text: () => en, announce: (message) => announced.push(message) }, () => (ownStopped += 1)),
  );
  return { room, events, announced, ownStopped: () => ownStopped };
}

describe('recording events', () => {
  it('fires started and stopped for others, and announces them; two recorders at once are each told', () => {
    const { room, events, announced } = setUp();
    room.setRecording({ recorders: ['p1'], allowed: ['p1', 'p2'] });
    room.setRecording({ recorders: ['p1', 'p2'], allowed: ['p1', 'p2'] });
    // A permission given or taken from someone who is not recording says nothing.
    room.setRecording({ recorders: ['p1', 'p2'], allowed: ['p1', 'p2', 'p3'] });
    room.setRecording({ recorders: ['p2'], allowed: ['p1', 'p2'] });
    expect(events).to.deep.equal(['started Ada', 'started Bob', 'stopped Ada']);
    expect(announced).to.deep.equal(['Ada started recording', 'Bob started recording', 'Ada stopped recording']);
  });

  it('a recorder who left is still named when the recording ends with them', () => {
    const { room, events, announced } = setUp();
    room.setRecording({ recorders: ['p2'], allowed: ['p2'] });
    // The server says Bob left before it says the recording ended: he is gone from the room by then.
    room.depart('p2');
    room.setRecording({ recorders: [], allowed: [] });
    expect(events).to.deep.equal(['started Bob', 'stopped Bob']);
    expect(announced.at(-1)).to.equal('Bob stopped recording');
  });

  it('stops this page’s own recording when the server no longer counts it (a host took the permission back), without announcing it', () => {
    const { room, events, announced, ownStopped } = setUp();
    room.setRecording({ recorders: ['me'], allowed: ['me'] });
    expect(ownStopped()).to.equal(0);
    room.setRecording({ recorders: [], allowed: [] });
    expect(ownStopped()).to.equal(1);
    // This page's own start and stop are fired by <meeting-room> itself, with the file.
    expect([events, announced]).to.deep.equal([[], []]);
  });
});
