import { expect } from '@esm-bundle/chai';
import './prejoin-screen.js';
import type { PrejoinScreen } from './prejoin-screen.component.js';
import type { ParleyEventDetailMap } from '../../events.js';

type SubmitDetail = ParleyEventDetailMap['parley-prejoin-submit'];

const part = <T extends Element = HTMLElement>(element: PrejoinScreen, name: string) =>
  element.shadowRoot!.querySelector<T>(`[part~="${name}"]`);

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function render(setup: (element: PrejoinScreen) => void = () => undefined): Promise<PrejoinScreen> {
  const element = document.createElement('prejoin-screen');
  setup(element);
  document.body.append(element);
  await element.updateComplete;
  return element;
}

async function renderReady(setup?: (element: PrejoinScreen) => void): Promise<PrejoinScreen> {
  const element = await render(setup);
  await until(() => {
    const stream = part<HTMLVideoElement>(element, 'preview')?.srcObject as MediaStream | null | undefined;
    return !!stream && stream.getVideoTracks().length > 0 && stream.getAudioTracks().length > 0;
  }, 'the camera preview');
  await element.updateComplete;
  return element;
}

function nextSubmit(element: PrejoinScreen): Promise<SubmitDetail> {
  return new Promise((resolve) =>
    element.addEventListener('parley-prejoin-submit', (event) => resolve(event.detail), { once: true }),
  );
}

describe('<prejoin-screen>', () => {
  let streams: MediaStream[] = [];

  beforeEach(() => {
    localStorage.removeItem('parley:name');
  });

  afterEach(() => {
    document.body.replaceChildren();
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    streams = [];
    localStorage.removeItem('parley:name');
  });

  it('previews a live, mirrored camera track, with the meeting code', async () => {
    const element = await renderReady((el) => (el.meetingCode = 'abcd-efgh-jkmn'));
    const video = part<HTMLVideoElement>(element, 'preview')!;
    const track = (video.srcObject as MediaStream).getVideoTracks()[0]!;
    expect(track.readyState).to.equal('live');
    expect(getComputedStyle(video).transform).to.not.equal('none');
    expect(part(element, 'meeting-code')!.textContent).to.contain('abcd-efgh-jkmn');
    expect(part(element, 'camera-select')).to.not.equal(null);
    expect(part(element, 'microphone-select')).to.not.equal(null);
  });

  it('says the meeting is being recorded, with `recorded` set, and not otherwise', async () => {
    const element = await render((el) => (el.meetingCode = 'abcd-efgh-jkmn'));
    expect(part(element, 'recorded')).to.equal(null);
    element.recorded = true;
    await element.updateComplete;
    expect(part(element, 'recorded')!.textContent!.trim()).to.equal('● This meeting is being recorded');
  });

  it('has a microphone level meter', async () => {
    const element = await renderReady();
    const meter = part(element, 'meter')!;
    expect(meter.getAttribute('role')).to.equal('meter');
    expect(meter.getAttribute('aria-label')).to.equal('Microphone level');
    // Chromium's fake microphone beeps: the level moves, and stays within 0–100.
    await until(() => Number(meter.getAttribute('aria-valuenow')) > 0, 'a microphone level');
    expect(Number(meter.getAttribute('aria-valuenow'))).to.be.within(1, 100);
  });

  it('toggles flip aria-pressed and track.enabled', async () => {
    const element = await renderReady();
    const stream = element.stream!;
    const camera = part<HTMLButtonElement>(element, 'camera-toggle')!;
    const microphone = part<HTMLButtonElement>(element, 'microphone-toggle')!;
    expect(camera.getAttribute('aria-pressed')).to.equal('true');
    expect(microphone.getAttribute('aria-pressed')).to.equal('true');

    camera.click();
    microphone.click();
    await element.updateComplete;
    expect(camera.getAttribute('aria-pressed')).to.equal('false');
    expect(microphone.getAttribute('aria-pressed')).to.equal('false');
    expect(stream.getVideoTracks()[0]!.enabled).to.equal(false);
    expect(stream.getAudioTracks()[0]!.enabled).to.equal(false);

    camera.click();
    await element.updateComplete;
    expect(camera.getAttribute('aria-pressed')).to.equal('true');
    expect(stream.getVideoTracks()[0]!.enabled).to.equal(true);
  });

  it('submits the name, the previewed stream and the flags, and remembers the name', async () => {
    const element = await renderReady();
    const stream = element.stream!;
    streams.push(stream);
    const input = part<HTMLInputElement>(element, 'name')!;
    expect(input.required).to.equal(true);
    expect(input.maxLength).to.equal(64);
    input.value = '  Ada Lovelace ';
    input.dispatchEvent(new Event('input'));
    part<HTMLButtonElement>(element, 'microphone-toggle')!.click();
    await element.updateComplete;

    const submitted = nextSubmit(element);
    let composed = false;
    document.addEventListener('parley-prejoin-submit', (event) => (composed = event.composed), { once: true });
    part<HTMLButtonElement>(element, 'join')!.click();
    const detail = await submitted;
    expect(detail.name).to.equal('Ada Lovelace');
    expect(detail.stream).to.equal(stream);
    expect(detail.audio).to.equal(false);
    expect(detail.video).to.equal(true);
    expect(detail.audioOutputDeviceId).to.be.a('string');
    expect(composed, 'bubbles to the document, composed').to.equal(true);
    expect(localStorage.getItem('parley:name')).to.equal('Ada Lovelace');

    const next = await render();
    expect(next.name).to.equal('Ada Lovelace');
    expect(part<HTMLInputElement>(next, 'name')!.value).to.equal('Ada Lovelace');
  });

  it('does not submit without a name', async () => {
    const element = await renderReady((el) => (el.name = '   '));
    let submitted = false;
    element.addEventListener('parley-prejoin-submit', () => (submitted = true));
    part<HTMLButtonElement>(element, 'join')!.click();
    await element.updateComplete;
    expect(submitted).to.equal(false);
    expect(part<HTMLInputElement>(element, 'name')!.validity.valid).to.equal(false);
  });

  it('disables the form while busy and shows the error', async () => {
    const element = await renderReady((el) => (el.name = 'Ada'));
    element.busy = true;
    element.error = 'The meeting is full';
    await element.updateComplete;
    expect(part<HTMLButtonElement>(element, 'join')!.matches(':disabled')).to.equal(true);
    expect(part<HTMLInputElement>(element, 'name')!.matches(':disabled')).to.equal(true);
    const error = part(element, 'error')!;
    expect(error.getAttribute('role')).to.equal('alert');
    expect(error.textContent).to.equal('The meeting is full');
  });

  it('stops every track when it leaves the page before a submit', async () => {
    const element = await renderReady();
    const tracks = element.stream!.getTracks();
    element.remove();
    await Promise.resolve();
    await Promise.resolve();
    expect(tracks.map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
  });

  it('keeps a moved element capturing', async () => {
    const element = await renderReady();
    const tracks = element.stream!.getTracks();
    const holder = document.createElement('div');
    document.body.append(holder);
    holder.append(element);
    await new Promise((resolve) => setTimeout(resolve));
    expect(tracks.map((track) => track.readyState)).to.deep.equal(['live', 'live']);
  });

  it('hands the stream over: leaving after a submit leaves the tracks running', async () => {
    const element = await renderReady((el) => (el.name = 'Ada'));
    const submitted = nextSubmit(element);
    part<HTMLButtonElement>(element, 'join')!.click();
    const { stream } = await submitted;
    streams.push(stream);
    element.remove();
    await new Promise((resolve) => setTimeout(resolve));
    expect(stream.getTracks().map((track) => track.readyState)).to.deep.equal(['live', 'live']);
  });

  it('after a failed join, captures again with what was turned off still off, the microphone silent too', async () => {
    const element = await renderReady((el) => (el.name = 'Ada'));
    part<HTMLButtonElement>(element, 'microphone-toggle')!.click();
    const submitted = nextSubmit(element);
    part<HTMLButtonElement>(element, 'join')!.click();
    const { stream: handedOver } = await submitted;
    // The page joins, and the join fails: the room has stopped the tracks.
    element.busy = true;
    await element.updateComplete;
    for (const track of handedOver.getTracks()) track.stop();
    element.busy = false;
    element.error = 'The meeting is full';
    await until(() => element.stream !== handedOver && (element.stream?.getAudioTracks().length ?? 0) > 0, 'a new capture');
    await element.updateComplete;
    streams.push(element.stream!);
    expect(part(element, 'microphone-toggle')!.getAttribute('aria-pressed')).to.equal('false');
    expect(part(element, 'camera-toggle')!.getAttribute('aria-pressed')).to.equal('true');
    expect(element.stream!.getAudioTracks()[0]!.enabled, 'shown off, and so not heard (nor on the meter)').to.equal(false);
    expect(element.stream!.getVideoTracks()[0]!.enabled).to.equal(true);
  });

  describe('when camera and microphone are denied', () => {
    const mediaDevices = navigator.mediaDevices;
    const original = Object.getOwnPropertyDescriptor(mediaDevices, 'getUserMedia');

    beforeEach(() => {
      Object.defineProperty(mediaDevices, 'getUserMedia', {
        configurable: true,
        value: () => Promise.reject(new DOMException('', 'NotAllowedError')),
      });
    });

    afterEach(() => {
      if (original) Object.defineProperty(mediaDevices, 'getUserMedia', original);
      else delete (mediaDevices as Partial<MediaDevices>).getUserMedia;
    });

    it('explains how to allow them, and can join without them', async () => {
      const element = await render((el) => (el.name = 'Ada'));
      await until(() => part(element, 'permission-help') !== null, 'the permission help');
      const help = part(element, 'permission-help')!;
      expect(help.textContent).to.match(/address bar/i);
      expect(help.textContent).to.match(/allow/i);
      expect(part(element, 'retry')!.textContent!.trim()).to.equal('Try again');
      expect(part(element, 'preview')).to.equal(null);

      const submitted = nextSubmit(element);
      const without = part<HTMLButtonElement>(element, 'join-without-devices')!;
      expect(without.textContent!.trim()).to.equal('Join without camera and microphone');
      without.click();
      const detail = await submitted;
      expect(detail.name).to.equal('Ada');
      expect(detail.audio).to.equal(false);
      expect(detail.video).to.equal(false);
      expect(detail.stream).to.be.instanceOf(MediaStream);
      expect(detail.stream.getTracks()).to.have.length(0);
    });

    it('tries again when asked', async () => {
      const element = await render();
      await until(() => part(element, 'permission-help') !== null, 'the permission help');
      // Allowed now.
      if (original) Object.defineProperty(mediaDevices, 'getUserMedia', original);
      else delete (mediaDevices as Partial<MediaDevices>).getUserMedia;
      part<HTMLButtonElement>(element, 'retry')!.click();
      await until(() => element.stream !== null && element.stream.getVideoTracks().length > 0, 'a second capture');
      await element.updateComplete;
      expect(part(element, 'permission-help')).to.equal(null);
    });
  });
});
