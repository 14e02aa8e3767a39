import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import { until } from '../../../test/support/until.js';
import './participant-list.js';
import type { ParticipantList } from './participant-list.component.js';

async function render(room: FakeRoom): Promise<ParticipantList> {
  const list = document.createElement('participant-list');
  list.room = room;
  document.body.append(list);
  await list.updateComplete;
  return list;
}

/** A host sees action buttons in each row; the names and badges come first. */
const withoutActions = (row: string) => row.replace(/ (Mute|Make host|Allow recording|Stop allowing recording|Remove) \w+/g, '');

const rows = (list: ParticipantList) =>
  [...list.shadowRoot!.querySelectorAll('li')].map((item) => item.textContent!.replace(/\s+/g, ' ').trim());

describe('<participant-list>', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists you first with the host badge, then others in join order, and follows joins, leaves and mutes', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    const list = await render(room);
    expect(rows(list).map(withoutActions)).to.deep.equal(['Grace (You) HOST', 'Ada']);
    expect(list.shadowRoot!.querySelector('ul')!.getAttribute('aria-label')).to.equal('2 participants');

    const bob = room.join('p2', 'Bob', false);
    await list.updateComplete;
    expect(rows(list).map(withoutActions)).to.deep.equal(['Grace (You) HOST', 'Ada', 'Bob']);
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
    expect(rows(list).map(withoutActions)).to.deep.equal(['Grace (You) HOST', 'Bob']);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('gives hosts their controls: lock, waiting room, admit and deny, mute, make host, remove', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    room.waitingParticipants = [{ id: 'w1', name: 'Eve' }];
    const list = await render(room);
    const errors: string[] = [];
    list.addEventListener('parley-error', (event) => errors.push(event.detail.code));
    const button = (name: string) =>
      [...list.shadowRoot!.querySelectorAll('button')].find((element) => element.textContent!.replace(/\s+/g, ' ').trim() === name)!;

    button('Mute Ada').click();
    button('Make host Ada').click();
    button('Admit Eve').click();
    button('Deny Eve').click();
    await new Promise((resolve) => setTimeout(resolve));
    expect(room.hostActions).to.deep.equal(['mute:p1', 'host:p1', 'admit:w1']);
    expect(errors, 'a refused action is reported').to.deep.equal(['not-host']);
    expect(list.shadowRoot!.querySelector('[data-participant-id="me"] [part~="action"]'), 'none on yourself').to.equal(null);

    const lock = list.shadowRoot!.querySelector<HTMLInputElement>('[part~="host-controls"] input')!;
    lock.click();
    await new Promise((resolve) => setTimeout(resolve));
    await list.updateComplete;
    expect(room.settings.locked).to.equal(true);
    expect(lock.checked).to.equal(true);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('lets hosts allow someone to record and take it back; whoever records shows Recording by their name', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    const list = await render(room);
    const button = (name: string) =>
      [...list.shadowRoot!.querySelectorAll('button')].find((element) => element.textContent!.replace(/\s+/g, ' ').trim() === name);
    button('Allow recording Ada')!.click();
    await new Promise((resolve) => setTimeout(resolve));
    await list.updateComplete;
    room.setRecording({ recorders: ['p1'], allowed: ['p1'] });
    await list.updateComplete;
    expect(rows(list)[1]).to.match(/^Ada Recording /);
    button('Stop allowing recording Ada')!.click();
    await new Promise((resolve) => setTimeout(resolve));
    expect(room.hostActions).to.deep.equal(['allow-recording:p1', 'disallow-recording:p1']);
    // A guest has no such button.
    room.localParticipant.isHost = false;
    room.emit('host-changed', room.localParticipant);
    await list.updateComplete;
    expect(button('Allow recording Ada')).to.equal(undefined);
  });

  it('tells hosts, in words beside the switch, that a removal turned the waiting room on; turning it off clears it', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    const list = await render(room);
    const notice = () => list.shadowRoot!.querySelector<HTMLElement>('[part~="waiting-room-notice"]');
    expect(notice(), 'nothing to explain yet').to.equal(null);

    room.settings = { locked: false, waitingRoom: true, waitingRoomAfterRemoval: true };
    room.emit('meeting-updated', room.settings);
    await list.updateComplete;
    expect(notice()!.textContent).to.equal(
      'Turned on because someone was removed: if they come back, they wait here for you. Turn it off to let people straight in.',
    );
    expect(notice()!.getBoundingClientRect().height, 'visible, not only announced').to.be.greaterThan(0);
    expect(await axeViolations(document.body)).to.deep.equal([]);

    const waitingRoomSwitch = list.shadowRoot!.querySelectorAll<HTMLInputElement>('[part~="host-controls"] input')[1]!;
    expect(waitingRoomSwitch.checked).to.equal(true);
    waitingRoomSwitch.click();
    await new Promise((resolve) => setTimeout(resolve));
    await list.updateComplete;
    expect(room.settings).to.deep.equal({ locked: false, waitingRoom: false });
    expect(notice()).to.equal(null);
  });

  it('shows no host controls to others', async () => {
    const room = new FakeRoom();
    room.localParticipant.isHost = false;
    room.join('p1', 'Ada');
    const list = await render(room);
    expect(list.shadowRoot!.querySelector('[part~="host-controls"], [part~="action"]')).to.equal(null);
  });

  it('asks before removing someone: Cancel (the default, also Escape) keeps them, Remove removes them', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    const list = await render(room);
    const remove = list.shadowRoot!.querySelector<HTMLButtonElement>('[data-participant-id="p1"] [part~="action"]:last-child')!;
    expect(remove.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Remove Ada');

    remove.focus();
    remove.click();
    const dialog = await until(() => list.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]'));
    const confirm = list.shadowRoot!.querySelector('confirm-dialog')!;
    expect(dialog.querySelector('[part~="heading"]')!.textContent).to.equal('Remove Ada from the meeting?');
    expect(confirm.shadowRoot!.activeElement?.getAttribute('part'), 'focus starts on Cancel').to.equal('cancel');
    expect(await axeViolations(document.body)).to.deep.equal([]);
    dialog.dispatchEvent(new Event('cancel'));
    dialog.close();
    await until(() => !list.shadowRoot!.querySelector('confirm-dialog'));
    expect(room.hostActions, 'nobody removed').to.deep.equal([]);
    expect(list.shadowRoot!.activeElement, 'focus back on Remove').to.equal(remove);

    remove.click();
    const again = await until(() => list.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]'));
    again.querySelector<HTMLButtonElement>('[part~="confirm"]')!.click();
    await until(() => room.hostActions.length > 0);
    expect(room.hostActions).to.deep.equal(['remove:p1']);
  });

  it('keeps long names whole beside the host buttons, which go on a row of their own', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Christopher Montgomery-Blackwood');
    room.waitingParticipants = [{ id: 'w1', name: 'Maximiliane Oberhausen-Stein' }];
    const list = await render(room);
    list.style.width = '360px';
    await list.updateComplete;
    for (const row of list.shadowRoot!.querySelectorAll('li')) {
      const name = row.querySelector<HTMLElement>('.name')!;
      expect(name.scrollWidth, `"${name.textContent}" is not cut`).to.be.at.most(name.clientWidth);
      expect(name.getBoundingClientRect().width, `"${name.textContent}" has room`).to.be.above(200);
      const actions = row.querySelector('[part~="actions"]');
      if (actions) {
        expect(actions.getBoundingClientRect().top, 'actions below the name').to.be.at.least(name.getBoundingClientRect().bottom);
      }
    }
  });

  it('lists raised hands first raised first; a host lowers one or all, a guest only their own', async () => {
    const room = new FakeRoom();
    room.join('p1', 'Ada');
    room.join('p2', 'Bob');
    const list = await render(room);
    const section = () => list.shadowRoot!.querySelector('[part~="hands"]');
    const hands = () =>
      [...list.shadowRoot!.querySelectorAll('[part~="hand"]')].map((item) => item.textContent!.replace(/\s+/g, ' ').trim());
    expect(section(), 'nothing while no hand is up').to.equal(null);

    room.setHands(['p2', 'me', 'p1']);
    await list.updateComplete;
    expect(section()!.querySelector('h3')!.textContent!.trim()).to.equal('Raised hands (3)');
    expect(hands()).to.deep.equal(['✋ 1 Bob Lower hand Bob', '✋ 2 Grace (You) Lower hand Grace', '✋ 3 Ada Lower hand Ada']);
    expect(await axeViolations(document.body)).to.deep.equal([]);

    list.shadowRoot!.querySelector<HTMLButtonElement>('[data-participant-id="p2"] button')!.click();
    await until(() => hands().length === 2, 'Bob’s hand down');
    expect(room.hostActions).to.deep.equal(['lower:p2']);
    expect(hands()[0]).to.equal('✋ 1 Grace (You) Lower hand Grace');
    list.shadowRoot!.querySelector<HTMLButtonElement>('[part~="lower-all"]')!.click();
    await until(() => section() === null, 'every hand down');
    expect(room.hostActions).to.deep.equal(['lower:p2', 'lower-all']);

    // A guest: no Lower all hands, and Lower hand on their own hand only.
    room.localParticipant.isHost = false;
    room.setHands(['p1', 'me']);
    await list.updateComplete;
    expect(list.shadowRoot!.querySelector('[part~="lower-all"]')).to.equal(null);
    expect(hands()).to.deep.equal(['✋ 1 Ada', '✋ 2 Grace (You) Lower hand Grace']);
  });
});
