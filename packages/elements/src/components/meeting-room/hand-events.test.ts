import { expect } from '@esm-bundle/chai';
import { en } from '../../i18n/en.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import { until } from '../../../test/support/until.js';
import '../meeting-notices/meeting-notices.js';
import { handEvents } from './hand-events.js';

/** A room, what `<meeting-room>` would be told (events, announcements, panels opened) and its notices. */
function setUp() {
  const room = new FakeRoom();
  room.join('p1', 'Ada');
  room.join('p2', 'Bob');
  const element = document.createElement('div');
  const notices = document.createElement('meeting-notices');
  document.body.append(element, notices);
  const events: string[] = [];
  element.addEventListener('parley-hand-raised', ({ detail }) => events.push(`raised ${detail.participant.name} ${detail.position}`));
  element.addEventListener('parley-hand-lowered', ({ detail }) => events.push(`lowered ${detail.participant.name}`));
  const announced: string[] = [];
  const opened: string[] = [];
  room.on(
    'hands-changed',
    handEvents(element, room, {
      notices: () => notices,
      text: () => en,
      waitingSound: () => false,
      seeWaitingRoom: () => opened.push('participants'),
      rendered: () => notices.updateComplete,
      announce: (message) => announced.push(message),
    }),
  );
  const shown = () => [...(notices.shadowRoot?.querySelectorAll<HTMLElement>('[part~="notice"]') ?? [])].map((notice) => notice.innerText.replace(/\s+/g, ' ').trim());
  return { room, notices, events, announced, opened, shown };
}

describe('hand events', () => {
  afterEach(() => document.body.replaceChildren());

  it('fires raised and lowered with the place in the queue, announces others’ hands, and shows hosts a notice', async () => {
    const { room, notices, events, announced, opened, shown } = setUp();
    room.setHands(['p2']);
    await until(() => shown().length === 1, 'the notice');
    expect(shown()).to.deep.equal(['Bob raised their hand See all']);
    room.setHands(['p2', 'me', 'p1']);
    room.setHands(['me', 'p1']);
    expect(events).to.deep.equal(['raised Bob 1', 'raised Grace 2', 'raised Ada 3', 'lowered Bob']);
    // Your own hand is not announced to you.
    expect(announced).to.deep.equal(['Bob raised their hand', 'Ada raised their hand']);
    await until(() => shown()[0]?.startsWith('Ada'), 'the notice for Ada');
    [...notices.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="action"]')].find((button) => button.textContent === 'See all')!.click();
    expect(opened).to.deep.equal(['participants']);
  });

  it('shows a guest no notice: only hosts give the floor', async () => {
    const { room, events, announced, shown } = setUp();
    room.localParticipant.isHost = false;
    room.setHands(['p1']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(shown()).to.deep.equal([]);
    expect([events, announced]).to.deep.equal([['raised Ada 1'], ['Ada raised their hand']]);
  });
});
