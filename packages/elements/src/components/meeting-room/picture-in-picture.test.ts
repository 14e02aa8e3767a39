import { expect } from '@esm-bundle/chai';
import { ParleyError } from '@parley/sdk';
import { en } from '../../i18n/en.js';
import { FakeRoom } from '../../../test/support/fake-room.js';
import { until } from '../../../test/support/until.js';
import '../meeting-controls/meeting-controls.js';
import { sendMouse } from '@web/test-runner-commands';
import { openPictureInPicture, openWhenHidden, type PictureInPictureHost } from './picture-in-picture.js';

// The window is a stand-in for Chromium's: a document of its own that closes with `pagehide`, as the real one does.
// The real window, its video and buttons are checked in test/e2e/picture-in-picture.test.ts.

type FakeWindow = EventTarget & { document: Document; innerWidth: number; innerHeight: number; close(): void };

/** Replaces `documentPictureInPicture` (or, with `null`, takes every picture-in-picture API away). */
function fakeApi(api: 'document' | null) {
  const opened: FakeWindow[] = [];
  const value =
    api &&
    ({
      get window() {
        return opened.at(-1) ?? null;
      },
      async requestWindow() {
        const window: FakeWindow = Object.assign(new EventTarget(), {
          document: document.implementation.createHTMLDocument(''),
          innerWidth: 360,
          innerHeight: 280,
          close: () => window.dispatchEvent(new Event('pagehide')),
        });
        opened.push(window);
        return window as unknown as Window;
      },
    } as const);
  Object.defineProperty(window, 'documentPictureInPicture', { configurable: true, value: value ?? undefined });
  if (!api) Object.defineProperty(document, 'pictureInPictureEnabled', { configurable: true, value: false });
  return opened;
}

function setUp() {
  const room = new FakeRoom();
  const element = document.createElement('div');
  document.body.append(element);
  const events: string[] = [];
  for (const type of ['parley-pip-opened', 'parley-pip-closed', 'parley-error'] as const) element.addEventListener(type, () => events.push(type));
  const host: PictureInPictureHost = { element, room, text: () => en };
  return { room, element, events, host };
}

/** The window's speaker name and the stream its video shows. */
function shows(window: FakeWindow) {
  const { document } = window;
  return { name: document.querySelector('.name')?.textContent, stream: document.querySelector('video')?.srcObject };
}

describe('picture in picture', () => {
  afterEach(() => {
    delete (window as { documentPictureInPicture?: unknown }).documentPictureInPicture;
    delete (document as { pictureInPictureEnabled?: boolean }).pictureInPictureEnabled;
    document.body.replaceChildren();
  });

  it('without a picture-in-picture API: rejects with invalid-state, and the controls show no button', async () => {
    fakeApi(null);
    const { host, events } = setUp();
    const error = await openPictureInPicture(host).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ParleyError);
    expect((error as ParleyError).code).to.equal('invalid-state');
    expect(events).to.deep.equal([]);

    const controls = document.createElement('meeting-controls');
    controls.pip = true;
    document.body.append(controls);
    await controls.updateComplete;
    expect(controls.shadowRoot!.querySelector('[part~="picture-in-picture"]')).to.equal(null);
  });

  it('the controls’ button asks for the window (parley-pip-request) where the browser has one', async () => {
    fakeApi('document');
    const { room } = setUp();
    const controls = document.createElement('meeting-controls');
    controls.room = room;
    controls.pip = true;
    document.body.append(controls);
    await controls.updateComplete;
    let requests = 0;
    controls.addEventListener('parley-pip-request', () => (requests += 1));
    controls.shadowRoot!.querySelector<HTMLButtonElement>('[part~="picture-in-picture"]')!.click();
    expect(requests).to.equal(1);
  });

  it('opening twice, at once or later, keeps one window; once closed, it opens afresh', async () => {
    const opened = fakeApi('document');
    const { room, host, events } = setUp();
    room.join('p1', 'Ada');
    await Promise.all([openPictureInPicture(host), openPictureInPicture(host)]);
    await openPictureInPicture(host);
    expect(opened.length).to.equal(1);
    expect(events).to.deep.equal(['parley-pip-opened']);
    opened[0]!.close();
    await until(() => events.length === 2, 'closed');
    await openPictureInPicture(host);
    expect(opened.length).to.equal(2);
    expect(events).to.deep.equal(['parley-pip-opened', 'parley-pip-closed', 'parley-pip-opened']);
  });

  it('follows the active speaker (not you); when the speaker leaves, shows the next one, then you alone', async () => {
    const opened = fakeApi('document');
    const { room, host } = setUp();
    const ada = Object.assign(room.join('p1', 'Ada'), { stream: new MediaStream() });
    const bob = Object.assign(room.join('p2', 'Bob'), { stream: new MediaStream() });
    await openPictureInPicture(host);
    const window = opened[0]!;
    expect(shows(window)).to.deep.equal({ name: 'Ada', stream: ada.stream });

    room.activeSpeaker = bob;
    room.emit('active-speaker-changed', bob);
    expect(shows(window)).to.deep.equal({ name: 'Bob', stream: bob.stream });
    // You speaking: the window keeps whoever else spoke last.
    room.activeSpeaker = room.localParticipant;
    room.emit('active-speaker-changed', room.localParticipant);
    expect(shows(window).name).to.equal('Bob');

    room.depart('p2');
    expect(shows(window)).to.deep.equal({ name: 'Ada', stream: ada.stream });
    room.depart('p1');
    expect(shows(window).name).to.equal('You');
  });

  it('its buttons mute your microphone and leave; leaving closes the window', async () => {
    const opened = fakeApi('document');
    const { room, host, events } = setUp();
    room.join('p1', 'Ada');
    await openPictureInPicture(host);
    const { document: pipDocument } = opened[0]!;
    pipDocument.querySelector<HTMLButtonElement>('button.device')!.click();
    await until(() => pipDocument.querySelector('button.device')!.getAttribute('aria-pressed') === 'false', 'the microphone shown off');
    expect(room.localParticipant.audioEnabled).to.equal(false);

    pipDocument.querySelector<HTMLButtonElement>('button.leave')!.click();
    await until(() => events.includes('parley-pip-closed'), 'the window closed');
    expect(room.state).to.equal('left');
    expect(events).to.deep.equal(['parley-pip-opened', 'parley-pip-closed']);
  });

  it('with auto-pip: the browser’s enterpictureinpicture opens the window, until the room leaves', async () => {
    const opened = fakeApi('document');
    const { room, host, events } = setUp();
    room.join('p1', 'Ada');
    const handlers = new Map<string, MediaSessionActionHandler | null>();
    const { mediaSession } = navigator;
    const original = mediaSession.setActionHandler;
    mediaSession.setActionHandler = (action, handler) => void handlers.set(action, handler);
    try {
      openWhenHidden(host);
      // As Chromium does when the tab is hidden (the user allowed the site automatic picture-in-picture).
      handlers.get('enterpictureinpicture')!({ action: 'enterpictureinpicture' as MediaSessionAction });
      await until(() => events.includes('parley-pip-opened'), 'opened');
      expect(opened.length).to.equal(1);
      await room.leave();
      expect(handlers.get('enterpictureinpicture')).to.equal(null);
    } finally {
      mediaSession.setActionHandler = original;
    }
  });

  it('without Document Picture-in-Picture: the speaker’s camera in the browser’s video window, closed by leaving', async () => {
    Object.defineProperty(window, 'documentPictureInPicture', { configurable: true, value: undefined });
    const { room, host, events } = setUp();
    // A camera with real frames: the video window needs a picture to show.
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 90 });
    const paint = setInterval(() => canvas.getContext('2d')!.fillRect(0, 0, Math.random() * 160, 90), 30);
    const stream = canvas.captureStream(30);
    Object.assign(room.join('p1', 'Ada'), { stream });
    // A real click: the video window, too, needs a user gesture.
    const button = Object.assign(document.createElement('button'), { textContent: 'Open' });
    Object.assign(button.style, { position: 'fixed', left: '0', top: '0', width: '100px', height: '40px' });
    let opening: Promise<void> | undefined;
    button.onclick = () => (opening = openPictureInPicture(host));
    document.body.append(button);
    try {
      await sendMouse({ type: 'click', position: [50, 20] });
      await until(() => opening, 'the click');
      await opening;
      const video = document.pictureInPictureElement as HTMLVideoElement;
      expect(video.srcObject).to.equal(stream);
      expect(events).to.deep.equal(['parley-pip-opened']);
      await room.leave();
      await until(() => events.includes('parley-pip-closed'), 'closed');
      expect(document.pictureInPictureElement).to.equal(null);
    } finally {
      clearInterval(paint);
      stream.getTracks().forEach((track) => track.stop());
    }
  });
});
