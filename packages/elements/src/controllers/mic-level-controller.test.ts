import { expect } from '@esm-bundle/chai';
import { ReactiveElement } from 'lit';
import { MicLevelController } from './mic-level-controller.js';

class MeterHost extends ReactiveElement {
  readonly meter = document.createElement('div');
  readonly level = new MicLevelController(this, () => this.meter);
}
customElements.define('mic-level-host', MeterHost);

/** A loud tone as a microphone track. */
function tone(): { track: MediaStreamTrack; context: AudioContext } {
  const context = new AudioContext();
  const oscillator = context.createOscillator();
  const destination = context.createMediaStreamDestination();
  oscillator.connect(destination);
  oscillator.start();
  return { track: destination.stream.getAudioTracks()[0]!, context };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const frames = (count: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(count);
  });

describe('MicLevelController', () => {
  afterEach(() => document.body.replaceChildren());

  it("shows a track's level on the meter, and stops once closed", async () => {
    const host = new MeterHost();
    document.body.append(host);
    const { track, context } = tone();
    try {
      host.level.listen(track);
      await until(() => Number(host.meter.getAttribute('aria-valuenow')) > 50, 'a loud level');
      expect(Number(host.meter.style.getPropertyValue('--level'))).to.be.within(0.5, 1);

      host.level.close();
      host.meter.setAttribute('aria-valuenow', 'closed');
      await frames(5);
      expect(host.meter.getAttribute('aria-valuenow'), 'no measuring after close').to.equal('closed');
    } finally {
      track.stop();
      await context.close();
    }
  });

  it('measures nothing while its host is out of the page', async () => {
    const host = new MeterHost();
    const { track, context } = tone();
    try {
      host.level.listen(track);
      await frames(5);
      expect(host.meter.hasAttribute('aria-valuenow')).to.equal(false);
    } finally {
      track.stop();
      await context.close();
    }
  });
});
