import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { device, FakeRoom } from '../../../test/support/fake-room.js';
import { NOISE_SUPPRESSION_STORAGE_KEY, rememberedNoiseSuppression } from '../../noise-suppression.js';
import './device-settings.js';
import type { DeviceSettings } from './device-settings.component.js';

async function render(room: FakeRoom): Promise<DeviceSettings> {
  const settings = document.createElement('device-settings');
  settings.room = room;
  document.body.append(settings);
  // The device list arrives asynchronously.
  await new Promise((resolve) => setTimeout(resolve));
  await settings.updateComplete;
  return settings;
}

const select = (settings: DeviceSettings, part: string) =>
  settings.shadowRoot!.querySelector<HTMLSelectElement>(`[part~="${part}"]`)!;

function choose(element: HTMLSelectElement, value: string): void {
  element.value = value;
  element.dispatchEvent(new Event('change'));
}

describe('<device-settings>', () => {
  afterEach(() => document.body.replaceChildren());

  function roomWithDevices(): FakeRoom {
    const room = new FakeRoom();
    room.devices = {
      cameras: [device('videoinput', 'cam-1', 'Front camera'), device('videoinput', 'broken', '')],
      microphones: [device('audioinput', 'mic-1', 'Headset'), device('audioinput', 'mic-2', 'Built-in')],
      speakers: [],
    };
    return room;
  }

  it('shows the devices in use and switches when another is chosen', async () => {
    const room = roomWithDevices();
    const settings = await render(room);
    expect(select(settings, 'camera-select').value).to.equal('cam-1');
    expect(select(settings, 'microphone-select').value).to.equal('mic-2');
    expect([...select(settings, 'camera-select').options].map((option) => option.textContent!.trim())).to.deep.equal([
      'Front camera',
      'Camera 2',
    ]);
    expect(select(settings, 'speaker-select'), 'no speakers listed').to.equal(null);

    choose(select(settings, 'microphone-select'), 'mic-1');
    await new Promise((resolve) => setTimeout(resolve));
    expect(room.switched).to.deep.equal(['microphone:mic-1']);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('says so when a device fails to start, and shows the one still in use', async () => {
    const settings = await render(roomWithDevices());
    choose(select(settings, 'camera-select'), 'broken');
    await new Promise((resolve) => setTimeout(resolve));
    await settings.updateComplete;
    expect(settings.shadowRoot!.querySelector('[part~="error"]')!.textContent).to.equal(
      'That device could not be started; still using the previous one.',
    );
    expect(select(settings, 'camera-select').value).to.equal('cam-1');
  });

  it('lists devices again when they change', async () => {
    const room = roomWithDevices();
    const settings = await render(room);
    room.devices = { ...room.devices, cameras: [...room.devices.cameras, device('videoinput', 'cam-3', 'USB camera')] };
    room.emit('devices-changed', room.devices);
    await new Promise((resolve) => setTimeout(resolve));
    await settings.updateComplete;
    expect(select(settings, 'camera-select').options.length).to.equal(3);
  });
});

describe('<device-settings> noise suppression', () => {
  afterEach(() => {
    document.body.replaceChildren();
    localStorage.removeItem(NOISE_SUPPRESSION_STORAGE_KEY);
  });

  const noiseSwitch = (settings: DeviceSettings) =>
    settings.shadowRoot!.querySelector<HTMLInputElement>('[part~="noise-suppression"]')!;

  async function flip(settings: DeviceSettings): Promise<void> {
    noiseSwitch(settings).click();
    await new Promise((resolve) => setTimeout(resolve));
    await settings.updateComplete;
  }

  it('shows a labelled switch that turns it on and off, fires the change and remembers the choice', async () => {
    const room = new FakeRoom();
    const settings = await render(room);
    const toggle = noiseSwitch(settings);
    expect([toggle.getAttribute('role'), toggle.checked]).to.deep.equal(['switch', false]);
    expect(toggle.closest('label')!.textContent!.trim()).to.equal('Noise suppression');
    const changes: boolean[] = [];
    document.body.addEventListener('parley-noise-suppression-changed', (event) => changes.push(event.detail.enabled));

    await flip(settings);
    expect([room.localParticipant.noiseSuppression, noiseSwitch(settings).checked]).to.deep.equal([true, true]);
    expect(localStorage.getItem(NOISE_SUPPRESSION_STORAGE_KEY)).to.equal('on');

    await flip(settings);
    expect([room.localParticipant.noiseSuppression, noiseSwitch(settings).checked]).to.deep.equal([false, false]);
    expect(localStorage.getItem(NOISE_SUPPRESSION_STORAGE_KEY)).to.equal('off');
    expect(rememberedNoiseSuppression()).to.equal(false);
    expect(changes).to.deep.equal([true, false]);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('where the browser cannot, says so and shows the switch off', async () => {
    const room = new FakeRoom();
    room.localParticipant.noiseSuppressionSupported = false;
    const settings = await render(room);
    await flip(settings);
    expect(noiseSwitch(settings).checked).to.equal(false);
    expect(settings.shadowRoot!.querySelector('[part~="error"]')!.textContent).to.equal(
      'Noise suppression could not start in this browser; your microphone is sent as it is.',
    );
  });

  it('hides the switch with `no-noise-suppression`', async () => {
    const settings = document.createElement('device-settings');
    settings.setAttribute('no-noise-suppression', '');
    settings.room = new FakeRoom();
    document.body.append(settings);
    await settings.updateComplete;
    expect(settings.shadowRoot!.querySelector('[part~="microphone-select"]')).to.not.equal(null);
    expect(settings.shadowRoot!.querySelector('[part~="noise-suppression"]')).to.equal(null);
  });

  it('is on by default, until turned off', () => {
    expect(rememberedNoiseSuppression()).to.equal(true);
    localStorage.setItem(NOISE_SUPPRESSION_STORAGE_KEY, 'off');
    expect(rememberedNoiseSuppression()).to.equal(false);
  });
});
