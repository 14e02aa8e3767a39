import { expect } from '@esm-bundle/chai';
import { ReactiveElement } from 'lit';
import { device, FakeRoom } from '../../test/support/fake-room.js';
import { DeviceListController } from './device-list-controller.js';

class DeviceHost extends ReactiveElement {
  room: FakeRoom | null = null;
  updates = 0;
  readonly list = new DeviceListController(this, () => this.room);
  protected override update(changed: Map<PropertyKey, unknown>): void {
    super.update(changed);
    this.updates += 1;
  }
}
class BrowserDeviceHost extends ReactiveElement {
  readonly list = new DeviceListController(this);
}
customElements.define('device-list-host', DeviceHost);
customElements.define('browser-device-list-host', BrowserDeviceHost);

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('DeviceListController', () => {
  afterEach(() => document.body.replaceChildren());

  it("lists a room's devices once in the page, and again when the room says they changed", async () => {
    const room = new FakeRoom();
    room.devices = { cameras: [device('videoinput', 'cam-1', 'Front')], microphones: [], speakers: [] };
    const host = new DeviceHost();
    host.room = room;
    document.body.append(host);
    await until(() => host.list.devices.cameras.length === 1, 'the first listing');
    expect(host.list.devices.cameras[0]!.label).to.equal('Front');

    room.devices = { cameras: [], microphones: [device('audioinput', 'mic-1', 'Headset')], speakers: [] };
    room.emit('devices-changed', room.devices);
    await until(() => host.list.devices.microphones.length === 1, 'the new listing');
    expect(host.list.devices.cameras).to.deep.equal([]);
    await host.updateComplete;
    expect(host.updates, 'the host renders the new list').to.be.greaterThan(1);
  });

  it('without a room, lists what the browser offers (after a capture), by kind and without id-less entries', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    try {
      const host = new BrowserDeviceHost();
      document.body.append(host);
      expect(host.list.devices.cameras, 'not before asked: a capture makes the ids visible').to.deep.equal([]);
      await host.list.refresh();
      const { cameras, microphones } = host.list.devices;
      expect(cameras.length).to.be.greaterThan(0);
      expect(microphones.length).to.be.greaterThan(0);
      expect(cameras.every((camera) => camera.kind === 'videoinput' && camera.deviceId)).to.equal(true);
      expect(microphones.every((microphone) => microphone.kind === 'audioinput' && microphone.deviceId)).to.equal(true);
    } finally {
      for (const track of stream.getTracks()) track.stop();
    }
  });
});
