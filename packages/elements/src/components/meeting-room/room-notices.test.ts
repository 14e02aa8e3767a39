import { expect } from '@esm-bundle/chai';
import { ParleyError, type RemoteParticipant } from '@parley/sdk';
import { en } from '../../i18n/en.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import '../meeting-notices/meeting-notices.js';
import type { MeetingNotices } from '../meeting-notices/meeting-notices.component.js';
import { bindRoomNotices } from './room-notices.js';

/**
 * Counts the contexts made, the chimes played (two tones each) and the contexts closed; `running` stands for
 * whether the browser lets the page play sound yet (not before a click or key press).
 */
class CountingAudioContext extends AudioContext {
  static created = 0;
  static tones = 0;
  static closed = 0;
  static running = true;
  constructor() {
    super();
    CountingAudioContext.created += 1;
  }
  override get state(): AudioContextState {
    return CountingAudioContext.running ? 'running' : 'suspended';
  }
  override createOscillator(): OscillatorNode {
    CountingAudioContext.tones += 1;
    return super.createOscillator();
  }
  override close(): Promise<void> {
    CountingAudioContext.closed += 1;
    return super.close();
  }
}
const chimes = () => CountingAudioContext.tones / 2;

async function setUp(options: { waitingSound?: boolean } = {}) {
  const room = new FakeRoom();
  const notices = document.createElement('meeting-notices');
  document.body.append(notices);
  const opened: string[] = [];
  const announced: string[] = [];
  const unbind = bindRoomNotices(room, {
    notices: () => notices,
    text: () => en,
    waitingSound: () => options.waitingSound ?? false,
    seeWaitingRoom: () => opened.push('participants'),
    rendered: () => notices.updateComplete,
    announce: (message) => announced.push(message),
  });
  const read = () =>
    [...(notices.shadowRoot?.querySelectorAll<HTMLElement>('[part~="notice"]') ?? [])].map((notice) =>
      notice.innerText.replace(/\s+/g, ' ').trim(),
    );
  /**
   * The notices on screen once they are `expected` (or after a few seconds): notices go through a dynamic import
   * first. A pause comes first, so that "nothing more shows" is not read before a notice could have arrived.
   */
  const shown = async (expected: string[]) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let attempt = 0; attempt < 100 && JSON.stringify(read()) !== JSON.stringify(expected); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return read();
  };
  const expectShown = async (expected: string[], message?: string) => expect(await shown(expected), message).to.deep.equal(expected);
  return { room, notices, opened, announced, unbind, shown, expectShown };
}

function click(notices: MeetingNotices, label: string): void {
  [...notices.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="action"]')].find((button) => button.textContent === label)!.click();
}

describe('room notices', () => {
  const NativeAudioContext = window.AudioContext;
  beforeEach(() => {
    Object.assign(CountingAudioContext, { created: 0, tones: 0, closed: 0, running: true });
    window.AudioContext = CountingAudioContext;
  });
  afterEach(() => {
    window.AudioContext = NativeAudioContext;
    document.body.replaceChildren();
  });

  it('shows a host who is waiting, with Admit and See all; several people get Admit all; silent by default', async () => {
    const { room, notices, opened, expectShown } = await setUp();
    room.waitingParticipants = [{ id: 'w1', name: 'Eve' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await expectShown(['Eve wants to join Admit See all']);
    click(notices, 'Admit');
    expect(room.hostActions).to.deep.equal(['admit:w1']);

    room.waitingParticipants = [{ id: 'w2', name: 'Finn' }, { id: 'w3', name: 'Gus' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await expectShown(['2 people want to join Admit all See all']);
    click(notices, 'See all');
    expect(opened).to.deep.equal(['participants']);
    await expectShown([], 'See all closes the notice');

    // Someone leaving the queue does not bring a dismissed notice back; a newcomer does.
    room.waitingParticipants = [{ id: 'w3', name: 'Gus' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await expectShown([]);
    room.waitingParticipants = [{ id: 'w3', name: 'Gus' }, { id: 'w4', name: 'Hal' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await expectShown(['2 people want to join Admit all See all']);
    click(notices, 'Admit all');
    expect(room.hostActions).to.deep.equal(['admit:w1', 'admit:w3', 'admit:w4']);

    room.waitingParticipants = [{ id: 'w5', name: 'Ivy' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    await expectShown(['Ivy wants to join Admit See all']);
    room.waitingParticipants = [];
    room.emit('waiting-list-changed', []);
    await expectShown([], 'nobody waits: no notice');
    expect(CountingAudioContext.created, 'no sound unless asked for').to.equal(0);
    expect(chimes()).to.equal(0);
  });

  it('with waiting-sound, plays a sound for each newcomer to the waiting room, all in one audio context', async () => {
    const { room, unbind } = await setUp({ waitingSound: true });
    room.waitingParticipants = [{ id: 'w1', name: 'Eve' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    room.waitingParticipants = [];
    room.emit('waiting-list-changed', []);
    room.waitingParticipants = [{ id: 'w2', name: 'Finn' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    expect(chimes()).to.equal(2);
    expect(CountingAudioContext.created).to.equal(1);
    unbind();
    expect(CountingAudioContext.closed, 'closed when the room goes').to.equal(1);
  });

  it('with waiting-sound but audio not allowed yet (no click on the page): no sound, and no context piles up', async () => {
    CountingAudioContext.running = false;
    const { room } = await setUp({ waitingSound: true });
    for (const id of ['w1', 'w2', 'w3']) {
      room.waitingParticipants = [...room.waitingParticipants, { id, name: id }];
      room.emit('waiting-list-changed', room.waitingParticipants);
    }
    expect(chimes()).to.equal(0);
    expect(CountingAudioContext.created).to.equal(1);
    // Once the browser allows sound, the next newcomer is heard.
    CountingAudioContext.running = true;
    room.waitingParticipants = [...room.waitingParticipants, { id: 'w4', name: 'w4' }];
    room.emit('waiting-list-changed', room.waitingParticipants);
    expect(chimes()).to.equal(1);
    expect(CountingAudioContext.created).to.equal(1);
  });

  it('shows who muted you, and goes by itself', async () => {
    const { room, notices, expectShown } = await setUp();
    room.emit('mute-requested', { name: 'Ada' } as RemoteParticipant);
    await expectShown(['Ada muted you You can turn your microphone back on when you want to speak.']);
    expect(notices.notices[0]!.duration).to.be.above(3000);
  });

  it('a mute by a host the SDK does not name reads "A host muted you", not the HOST badge', async function () {
    this.timeout(10_000);
    const { room, expectShown } = await setUp();
    room.emit('mute-requested', null);
    await expectShown(['A host muted you You can turn your microphone back on when you want to speak.']);
  });

  it('shows why a microphone or camera will not start and how to fix it; other errors are not its business', async () => {
    const { room, announced, shown, expectShown, unbind } = await setUp();
    room.emit('error', new ParleyError('no-device', 'No camera or microphone is available'));
    await expectShown([
      'No camera or microphone found Connect a microphone or camera, check that it is switched on and not disabled in your system settings, then try again.',
    ]);
    expect(announced, 'screen readers hear it too').to.deep.equal([
      'No camera or microphone found. Connect a microphone or camera, check that it is switched on and not disabled in your system settings, then try again.',
    ]);
    room.emit('error', new ParleyError('permission-denied', 'denied'));
    const blocked = [
      'Camera and microphone are blocked Click the camera or lock icon in the address bar and allow the camera and microphone, then try again. Some browsers need the page reloaded.',
    ];
    await expectShown(blocked, 'replaces the previous device notice');
    room.emit('error', new ParleyError('timeout', 'slow'));
    expect(await shown(blocked)).to.deep.equal(blocked);

    unbind();
    room.emit('mute-requested', null);
    await expectShown(blocked, 'nothing once unbound');
  });
});
