import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import { until } from '../../../test/support/until.js';
import './meeting-controls.js';
import type { MeetingControls } from './meeting-controls.component.js';

async function render(room: FakeRoom, configure: (controls: MeetingControls) => void = () => undefined): Promise<MeetingControls> {
  const controls = document.createElement('meeting-controls');
  controls.room = room;
  configure(controls);
  document.body.append(controls);
  await controls.updateComplete;
  return controls;
}

const part = (controls: MeetingControls, name: string) => controls.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${name}"]`);
const focused = (controls: MeetingControls) => controls.shadowRoot!.activeElement;
const press = (controls: MeetingControls, key: string) =>
  focused(controls)!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));

describe('<meeting-controls>', () => {
  afterEach(() => document.body.replaceChildren());

  it('is a labelled toolbar whose toggles name what they switch and show what is on', async () => {
    const controls = await render(new FakeRoom());
    expect(controls.getAttribute('role')).to.equal('toolbar');
    expect(controls.getAttribute('aria-label')).to.equal('Meeting controls');
    const microphone = part(controls, 'microphone')!;
    expect(microphone.getAttribute('aria-pressed')).to.equal('true');
    expect(microphone.getAttribute('aria-label')).to.equal('Microphone');
    const camera = part(controls, 'camera')!;
    expect(camera.getAttribute('aria-pressed'), 'the fake room starts with the camera off').to.equal('false');
    expect(camera.getAttribute('aria-label')).to.equal('Camera');
    expect(part(controls, 'chat'), 'panels only when asked for').to.equal(null);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it("tells a toggle's state by aria-pressed alone: its label stays the same either way", async () => {
    const room = new FakeRoom();
    const controls = await render(room, (element) => {
      element.chat = true;
      element.participants = true;
      element.settings = true;
    });
    const toggles = ['microphone', 'camera', 'screen-share', 'chat', 'participants', 'settings'];
    const states = () =>
      toggles.map((name) => `${name}: ${part(controls, name)!.getAttribute('aria-label')} ${part(controls, name)!.getAttribute('aria-pressed')}`);
    const before = states();
    room.localParticipant.audioEnabled = false;
    room.localParticipant.videoEnabled = true;
    room.localParticipant.screenSharing = true;
    room.emit('media-changed', room.localParticipant);
    controls.openPanel = 'participants';
    await controls.updateComplete;
    const after = states();
    expect(before).to.deep.equal([
      'microphone: Microphone true',
      'camera: Camera false',
      'screen-share: Share your screen false',
      'chat: Chat false',
      'participants: Participants false',
      'settings: Settings false',
    ]);
    expect(after).to.deep.equal([
      'microphone: Microphone false',
      'camera: Camera true',
      'screen-share: Share your screen true',
      'chat: Chat false',
      'participants: Participants true',
      'settings: Settings false',
    ]);
  });

  it('is disabled outside a meeting', async () => {
    const room = new FakeRoom();
    room.state = 'joining';
    const controls = await render(room);
    expect(part(controls, 'microphone')!.disabled).to.equal(true);
    expect(part(controls, 'leave')!.disabled).to.equal(true);
  });

  it('asks for panels with parley-panel-toggle, shows the open one pressed and the unread count', async () => {
    const controls = await render(new FakeRoom(), (element) => {
      element.chat = true;
      element.participants = true;
      element.settings = true;
      element.unreadCount = 3;
    });
    const requests: unknown[] = [];
    document.body.addEventListener('parley-panel-toggle', (event) => requests.push(event.detail));
    part(controls, 'participants')!.click();
    expect(requests).to.deep.equal([{ panel: 'participants', open: true }]);
    expect(part(controls, 'chat')!.getAttribute('aria-label')).to.equal('Chat, 3 unread');
    expect(part(controls, 'unread')!.textContent).to.equal('3');

    controls.openPanel = 'participants';
    await controls.updateComplete;
    expect(part(controls, 'participants')!.getAttribute('aria-pressed')).to.equal('true');
    part(controls, 'participants')!.click();
    expect(requests.at(-1)).to.deep.equal({ panel: 'participants', open: false });
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('shows the record toggle to those who may record, pressed while they record, and asks with parley-recording-toggle', async () => {
    const room = new FakeRoom();
    const controls = await render(room, (element) => (element.record = true));
    const asked: boolean[] = [];
    controls.addEventListener('parley-recording-toggle', ({ detail }) => asked.push(detail.recording));
    // The fake room's local participant is a host: hosts may always record.
    part(controls, 'record')!.click();
    room.setRecording({ recorders: ['me'], allowed: [] });
    await controls.updateComplete;
    expect(part(controls, 'record')!.getAttribute('aria-pressed')).to.equal('true');
    expect(part(controls, 'record')!.getAttribute('aria-label')).to.equal('Record');
    part(controls, 'record')!.click();
    expect(asked).to.deep.equal([true, false]);

    // A guest sees it only once a host allowed them.
    room.localParticipant.isHost = false;
    room.setRecording({ recorders: [], allowed: [] });
    await controls.updateComplete;
    expect(part(controls, 'record')).to.equal(null);
    room.setRecording({ recorders: [], allowed: ['me'] });
    await controls.updateComplete;
    expect(part(controls, 'record')!.getAttribute('aria-pressed')).to.equal('false');
    // Without `record` (hide="recording" on <meeting-room>), never.
    controls.record = false;
    await controls.updateComplete;
    expect(part(controls, 'record')).to.equal(null);
  });

  it('gives hosts End meeting for all, and nobody else', async () => {
    const room = new FakeRoom();
    const controls = await render(room);
    expect(part(controls, 'end-meeting')!.textContent!.trim()).to.equal('End meeting for all');
    room.localParticipant.isHost = false;
    room.emit('host-changed', room.localParticipant);
    await controls.updateComplete;
    expect(part(controls, 'end-meeting')).to.equal(null);
  });

  it('shows hosts a badge on the participants toggle while people wait to be let in', async () => {
    const room = new FakeRoom();
    const controls = await render(room, (element) => (element.participants = true));
    expect(part(controls, 'waiting')).to.equal(null);
    room.waitingParticipants = [{ id: 'w1', name: 'Eve' }, { id: 'w2', name: 'Finn' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await controls.updateComplete;
    const badge = part(controls, 'waiting')!;
    expect(badge.textContent).to.equal('2');
    expect(badge.checkVisibility(), 'visible').to.equal(true);
    expect(part(controls, 'participants')!.getAttribute('aria-label')).to.equal('Participants, 2 waiting to join');
    expect(await axeViolations(document.body)).to.deep.equal([]);

    room.waitingParticipants = [];
    room.emit('waiting-list-changed', []);
    await controls.updateComplete;
    expect(part(controls, 'waiting')).to.equal(null);
  });

  it('asks before ending the meeting for all; parley-end-meeting can still stop it', async () => {
    const room = new FakeRoom();
    const controls = await render(room);
    const ends: Event[] = [];
    document.body.addEventListener('parley-end-meeting', (event) => ends.push(event));
    const openDialog = () =>
      until(() => controls.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]'));

    part(controls, 'end-meeting')!.click();
    let dialog = await openDialog();
    expect(dialog.querySelector('[part~="heading"]')!.textContent).to.equal('End the meeting for everyone?');
    expect(dialog.querySelector('[part~="confirm"]')!.textContent).to.equal('End meeting for all');
    dialog.querySelector<HTMLButtonElement>('[part~="cancel"]')!.click();
    await until(() => !controls.shadowRoot!.querySelector('confirm-dialog'));
    expect(room.hostActions, 'Cancel ends nothing').to.deep.equal([]);
    expect(ends).to.have.length(0);

    document.body.addEventListener('parley-end-meeting', (event) => event.preventDefault(), { once: true });
    part(controls, 'end-meeting')!.click();
    (await openDialog()).querySelector<HTMLButtonElement>('[part~="confirm"]')!.click();
    await until(() => ends.length === 1);
    expect(room.hostActions, 'the page stopped it').to.deep.equal([]);

    part(controls, 'end-meeting')!.click();
    dialog = await openDialog();
    dialog.querySelector<HTMLButtonElement>('[part~="confirm"]')!.click();
    await until(() => room.hostActions.length > 0);
    expect(room.hostActions).to.deep.equal(['end']);
    expect(ends.map((event) => [event.bubbles, event.composed, event.cancelable])).to.deep.equal([
      [true, true, true],
      [true, true, true],
    ]);
  });

  it('raises and lowers your hand with the hand toggle (with `hand` set), pressed while it is up, whoever lowers it', async () => {
    const room = new FakeRoom();
    const plain = await render(room);
    expect(part(plain, 'hand'), 'only when asked for').to.equal(null);
    plain.remove();
    const controls = await render(room, (element) => (element.hand = true));
    const hand = part(controls, 'hand')!;
    expect([hand.getAttribute('aria-label'), hand.getAttribute('aria-pressed')]).to.deep.equal(['Raise hand', 'false']);
    hand.click();
    await until(() => hand.getAttribute('aria-pressed') === 'true', 'the hand up');
    expect(room.raisedHands).to.deep.equal(['me']);
    expect(getComputedStyle(hand).backgroundColor, 'stands out while up').to.equal('rgb(253, 214, 99)');
    hand.click();
    await until(() => hand.getAttribute('aria-pressed') === 'false', 'the hand down');
    expect(room.raisedHands).to.deep.equal([]);
    // Raised, then lowered by a host: the toggle follows the room.
    room.setHands(['p1', 'me']);
    await until(() => hand.getAttribute('aria-pressed') === 'true', 'the hand up again');
    room.setHands(['p1']);
    await until(() => hand.getAttribute('aria-pressed') === 'false', 'lowered by a host');
    expect(hand.getAttribute('aria-label'), 'one label either way').to.equal('Raise hand');
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });
});

describe('<meeting-controls> reactions', () => {
  afterEach(() => document.body.replaceChildren());

  const choices = (controls: MeetingControls) => [...controls.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="reaction-choice"]')];
  async function openPicker(room = new FakeRoom()): Promise<MeetingControls> {
    const controls = await render(room, (element) => (element.reactions = true));
    part(controls, 'reactions')!.click();
    await until(() => focused(controls) === choices(controls)[0], 'focus on the first emoji');
    return controls;
  }

  it('leaves the button out unless asked; it opens a labelled menu of the six emoji with focus on the first', async () => {
    expect(part(await render(new FakeRoom()), 'reactions')).to.equal(null);
    document.body.replaceChildren();
    const controls = await render(new FakeRoom(), (element) => (element.reactions = true));
    const button = part(controls, 'reactions')!;
    expect([button.getAttribute('aria-label'), button.getAttribute('aria-haspopup'), button.getAttribute('aria-expanded')]).to.deep.equal([
      'Send a reaction',
      'menu',
      'false',
    ]);
    expect(part(controls, 'reaction-picker')).to.equal(null);
    button.click();
    await until(() => focused(controls) === choices(controls)[0], 'focus on the first emoji');
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    const picker = part(controls, 'reaction-picker')!;
    expect([picker.getAttribute('role'), picker.getAttribute('aria-label')]).to.deep.equal(['menu', 'Send a reaction']);
    expect(choices(controls).map((choice) => [choice.textContent, choice.getAttribute('role'), choice.tabIndex])).to.deep.equal([
      ['👍', 'menuitem', 0],
      ['👏', 'menuitem', -1],
      ['❤️', 'menuitem', -1],
      ['😂', 'menuitem', -1],
      ['😮', 'menuitem', -1],
      ['🎉', 'menuitem', -1],
    ]);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('arrow keys move through the emoji and wrap, Home and End jump; choosing one sends it, closes and returns focus', async () => {
    const room = new FakeRoom();
    const controls = await openPicker(room);
    const at = () => (focused(controls) as HTMLElement).textContent;
    press(controls, 'ArrowLeft');
    expect(at()).to.equal('🎉');
    press(controls, 'ArrowRight');
    expect(at()).to.equal('👍');
    press(controls, 'ArrowDown');
    press(controls, 'ArrowRight');
    expect(at()).to.equal('❤️');
    expect(choices(controls).map((choice) => choice.tabIndex), 'one tab stop, on the focused emoji').to.deep.equal([-1, -1, 0, -1, -1, -1]);
    press(controls, 'End');
    expect(at()).to.equal('🎉');
    press(controls, 'Home');
    press(controls, 'ArrowUp');
    press(controls, 'ArrowUp');
    expect(at()).to.equal('😮');
    // Enter or Space on a button is its click.
    (focused(controls) as HTMLButtonElement).click();
    await until(() => focused(controls) === part(controls, 'reactions'), 'focus back on the reactions button');
    expect(part(controls, 'reaction-picker')).to.equal(null);
    expect(room.reactions).to.deep.equal(['😮']);
  });

  it('Escape closes the picker, returns focus and goes no further: an open side panel stays open', async () => {
    const controls = await openPicker();
    let escapesOutside = 0;
    const count = () => escapesOutside++;
    document.addEventListener('keydown', count);
    press(controls, 'Escape');
    document.removeEventListener('keydown', count);
    await until(() => focused(controls) === part(controls, 'reactions'), 'focus back on the reactions button');
    expect(part(controls, 'reaction-picker')).to.equal(null);
    expect(escapesOutside).to.equal(0);
  });

  it('closes when focus leaves it for something else', async () => {
    const controls = await openPicker();
    part(controls, 'microphone')!.focus();
    await until(() => part(controls, 'reaction-picker') === null, 'the picker to close');
    expect(part(controls, 'reactions')!.getAttribute('aria-expanded')).to.equal('false');
  });

  it('a reaction refused as rate-limited is dropped quietly; any other refusal fires parley-error', async () => {
    const room = new FakeRoom();
    const controls = await openPicker(room);
    const errors: string[] = [];
    controls.addEventListener('parley-error', (event) => errors.push(event.detail.code));
    room.reactionRefusal = Object.assign(new Error('Too many reactions'), { code: 'rate-limited' });
    choices(controls)[0]!.click();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).to.deep.equal([]);
    room.reactionRefusal = Object.assign(new Error('Not in a meeting'), { code: 'invalid-state' });
    part(controls, 'reactions')!.click();
    await until(() => choices(controls)[0], 'the picker');
    choices(controls)[0]!.click();
    await until(() => errors.length > 0, 'parley-error');
    expect(errors).to.deep.equal(['invalid-state']);
  });
});

describe('<meeting-controls> in a phone-wide meeting', () => {
  afterEach(() => document.body.replaceChildren());

  /** Every control on, for a host, in a meeting `width` px wide (the meeting is the container, as <meeting-room> is). */
  async function renderIn(width: number, room = new FakeRoom()): Promise<MeetingControls> {
    const meeting = document.createElement('div');
    meeting.style.cssText = `container-type: inline-size; width: ${width}px; margin-top: 400px`;
    document.body.append(meeting);
    const controls = document.createElement('meeting-controls');
    Object.assign(controls, { room, hand: true, chat: true, participants: true, settings: true, reactions: true, pip: true, record: true });
    meeting.append(controls);
    await controls.updateComplete;
    return controls;
  }
  const shown = (controls: MeetingControls) =>
    [...controls.shadowRoot!.querySelectorAll<HTMLElement>(':host > button')].filter((button) => button.getClientRects().length > 0);
  const items = (controls: MeetingControls) => [...controls.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="menu-item"]')];
  async function openMenu(controls: MeetingControls): Promise<void> {
    part(controls, 'more')!.click();
    await until(() => focused(controls) === items(controls)[0], 'focus on the first item');
  }

  it('at 344 px (a 360 px phone, the page keeping its 8 px margins) the controls one uses less go into a More menu, and the row stays one row', async () => {
    const controls = await renderIn(344);
    expect(shown(controls).map((button) => button.getAttribute('part'))).to.deep.equal([
      'microphone',
      'camera',
      'hand',
      'chat',
      'participants',
      'more',
      'leave',
    ]);
    const tops = new Set(shown(controls).map((button) => Math.round(button.getBoundingClientRect().top)));
    expect(tops.size, 'one row').to.equal(1);
    const more = part(controls, 'more')!;
    expect([more.getAttribute('aria-label'), more.getAttribute('aria-haspopup'), more.getAttribute('aria-expanded')]).to.deep.equal([
      'More options',
      'menu',
      'false',
    ]);
  });

  it('at 800 px every control is on the row and there is no More button', async () => {
    const controls = await renderIn(800);
    expect(shown(controls).map((button) => button.getAttribute('part'))).to.deep.equal([
      'microphone',
      'camera',
      'screen-share',
      'hand',
      'reactions',
      'record',
      'chat',
      'participants',
      'settings',
      'picture-in-picture',
      'leave',
      'end-meeting',
    ]);
  });

  it('the menu names each control and says which are on; arrow keys move, Escape closes and returns focus', async () => {
    const room = new FakeRoom();
    room.setRecording({ recorders: ['me'], allowed: [] });
    const controls = await renderIn(360, room);
    controls.openPanel = 'settings';
    await openMenu(controls);
    const menu = part(controls, 'more-menu')!;
    expect([menu.getAttribute('role'), menu.getAttribute('aria-label')]).to.deep.equal(['menu', 'More options']);
    expect(part(controls, 'more')!.getAttribute('aria-expanded')).to.equal('true');
    expect(items(controls).map((item) => [item.textContent!.trim(), item.getAttribute('role'), item.getAttribute('aria-checked')])).to.deep.equal([
      ['Share your screen', 'menuitemcheckbox', 'false'],
      ['Send a reaction', 'menuitem', null],
      ['Record', 'menuitemcheckbox', 'true'],
      ['Settings', 'menuitemcheckbox', 'true'],
      ['Picture in picture', 'menuitem', null],
      ['End meeting for all', 'menuitem', null],
    ]);
    // The menu is seen, above the row, within the meeting.
    const box = menu.getBoundingClientRect();
    expect(box.bottom).to.be.at.most(controls.getBoundingClientRect().top);
    expect(box.left).to.be.at.least(0);
    expect(box.right).to.be.at.most(360);
    expect(await axeViolations(document.body)).to.deep.equal([]);
    press(controls, 'ArrowUp');
    expect(focused(controls)!.textContent!.trim()).to.equal('End meeting for all');
    press(controls, 'ArrowDown');
    press(controls, 'ArrowDown');
    expect(focused(controls)!.textContent!.trim()).to.equal('Send a reaction');
    let escapesOutside = 0;
    const count = () => escapesOutside++;
    document.addEventListener('keydown', count);
    press(controls, 'Escape');
    document.removeEventListener('keydown', count);
    await until(() => focused(controls) === part(controls, 'more'), 'focus back on More');
    expect(part(controls, 'more-menu')).to.equal(null);
    expect(escapesOutside, 'an open side panel stays open').to.equal(0);
  });

  it('an item does what its button does, and the menu closes with focus on More', async () => {
    const room = new FakeRoom();
    const controls = await renderIn(360, room);
    const asked: string[] = [];
    controls.addEventListener('parley-panel-toggle', ({ detail }) => asked.push(`${detail.panel} ${detail.open}`));
    controls.addEventListener('parley-recording-toggle', ({ detail }) => asked.push(`recording ${detail.recording}`));
    controls.addEventListener('parley-pip-request', () => asked.push('picture in picture'));
    for (const action of ['settings', 'record', 'picture-in-picture']) {
      await openMenu(controls);
      items(controls).find((item) => item.dataset.action === action)!.click();
      await until(() => focused(controls) === part(controls, 'more'), 'focus back on More');
      expect(part(controls, 'more-menu')).to.equal(null);
    }
    await openMenu(controls);
    items(controls).find((item) => item.dataset.action === 'screen-share')!.click();
    await until(() => room.localParticipant.screenSharing, 'the screen shared');
    expect(asked).to.deep.equal(['settings true', 'recording true', 'picture in picture']);
  });

  it('Send a reaction opens the emoji picker; once one is sent, focus is back on More', async () => {
    const room = new FakeRoom();
    const controls = await renderIn(360, room);
    await openMenu(controls);
    items(controls).find((item) => item.dataset.action === 'reactions')!.click();
    const emoji = () => [...controls.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="reaction-choice"]')];
    await until(() => focused(controls) === emoji()[0], 'focus on the first emoji');
    emoji()[1]!.click();
    await until(() => focused(controls) === part(controls, 'more'), 'focus back on More');
    expect(room.reactions).to.deep.equal(['👏']);
  });

  it('End meeting for all asks first, as its button does', async () => {
    const controls = await renderIn(360);
    await openMenu(controls);
    items(controls).find((item) => item.dataset.action === 'end-meeting')!.click();
    const dialog = await until(
      () => controls.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]'),
      'the confirmation',
    );
    expect(dialog.querySelector('[part~="confirm"]')!.textContent).to.equal('End meeting for all');
  });
});
