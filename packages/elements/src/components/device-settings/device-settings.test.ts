import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { device, FakeRoom } from '../../../test/support/fake-room.js';
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
