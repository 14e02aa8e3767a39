import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import './participant-list.js';
import type { ParticipantList } from './participant-list.component.js';

async function render(room: FakeRoom): Promise<ParticipantList> {
  const list = document.createElement('participant-list');
  list.room = room.asRoom();
  document.body.append(list);
  await list.updateComplete;
  return list;
}

const rows = (list: ParticipantList) =>
  [...list.shadowRoot!.querySelectorAll('li')].map((item) => item.textContent!.replace(/\s+/g, ' ').trim());

describe('<participant-list>', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists you first with the host badge, then others in join order, and follows joins, leaves and mutes', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    const list = await render(room);
    expect(rows(list)).to.deep.equal(['Grace (You) HOST', 'Ada']);
    expect(list.shadowRoot!.querySelector('ul')!.getAttribute('aria-label')).to.equal('2 participants');

    const bob = room.join('p2', 'Bob', false);
    await list.updateComplete;
    expect(rows(list)).to.deep.equal(['Grace (You) HOST', 'Ada', 'Bob']);
    const bobMic = list.shadowRoot!.querySelector('[data-participant-id="p2"] [part~="microphone"]')!;
    expect(bobMic.getAttribute('aria-label')).to.equal('Microphone off');
    expect(bobMic.hasAttribute('data-off')).to.equal(true);

    bob.setMediaState(true, true);
    room.emit('media-changed', bob);
    await list.updateComplete;
    expect(bobMic.getAttribute('aria-label')).to.equal('Microphone on');

    const ada = room.participants.get('p1')!;
    room.participants.delete('p1');
    room.emit('participant-left', ada, 'left');
    await list.updateComplete;
    expect(rows(list)).to.deep.equal(['Grace (You) HOST', 'Bob']);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });
});
