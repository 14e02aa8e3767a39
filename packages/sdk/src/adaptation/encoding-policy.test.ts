import { expect } from '@esm-bundle/chai';
import {
  DEGRADATION_PREFERENCE,
  VIDEO_ENCODING_STEPS,
  videoEncodingFor,
  type VideoEncoding,
} from './encoding-policy.js';

/** What a sender uploads in total: one copy per peer. */
const uplink = (participants: number): number => (participants - 1) * videoEncodingFor(participants).maxBitrate;

describe('videoEncodingFor', () => {
  it('sends 720p at 30 fps and 1.5 Mbps to the single peer of a 2-person call', () => {
    expect(videoEncodingFor(2)).to.deep.equal({ maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 });
  });

  for (const count of [3, 4]) {
    it(`sends 360p at 30 fps and 600 kbps per peer with ${count} people`, () => {
      expect(videoEncodingFor(count)).to.deep.equal({ maxBitrate: 600_000, scaleResolutionDownBy: 2, maxFramerate: 30 });
    });
  }

  for (const count of [5, 6]) {
    it(`sends 360p at 20–24 fps and ≈350 kbps per peer with ${count} people`, () => {
      const encoding = videoEncodingFor(count);
      expect(encoding.scaleResolutionDownBy).to.equal(2);
      expect(encoding.maxFramerate).to.be.within(20, 24);
      expect(encoding.maxBitrate).to.equal(350_000);
    });
  }

  for (const count of [7, 8, 12, 50, 1_000_000, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY]) {
    it(`sends 180p at 15 fps and 150 kbps per peer with ${count} people`, () => {
      expect(videoEncodingFor(count)).to.deep.equal({ maxBitrate: 150_000, scaleResolutionDownBy: 4, maxFramerate: 15 });
    });
  }

  for (const count of [0, 1, -1, Number.NEGATIVE_INFINITY]) {
    it(`gives a room of ${count} (no peer yet) the 2-person encoding`, () => {
      expect(videoEncodingFor(count)).to.deep.equal(videoEncodingFor(2));
    });
  }

  it('puts fractional counts in the step above the last whole one they exceed', () => {
    expect(videoEncodingFor(2.5)).to.deep.equal(videoEncodingFor(3));
    expect(videoEncodingFor(6.01)).to.deep.equal(videoEncodingFor(7));
  });

  it('rejects NaN', () => {
    expect(() => videoEncodingFor(Number.NaN)).to.throw(RangeError);
  });

  it('changes exactly at the step boundaries 2|3, 4|5 and 6|7', () => {
    const same = (a: number, b: number): boolean =>
      JSON.stringify(videoEncodingFor(a)) === JSON.stringify(videoEncodingFor(b));
    expect(same(2, 3)).to.equal(false);
    expect(same(3, 4)).to.equal(true);
    expect(same(4, 5)).to.equal(false);
    expect(same(5, 6)).to.equal(true);
    expect(same(6, 7)).to.equal(false);
    expect(same(7, 8)).to.equal(true);
  });

  it('never raises quality as the room grows', () => {
    let previous: VideoEncoding = videoEncodingFor(2);
    for (let count = 3; count <= 100; count += 1) {
      const encoding = videoEncodingFor(count);
      expect(encoding.maxBitrate, `bitrate at ${count}`).to.be.at.most(previous.maxBitrate);
      expect(encoding.maxFramerate, `framerate at ${count}`).to.be.at.most(previous.maxFramerate);
      expect(encoding.scaleResolutionDownBy, `scale at ${count}`).to.be.at.least(previous.scaleResolutionDownBy);
      previous = encoding;
    }
  });

  it('stays within 15–30 fps and on 720p/360p/180p for every room size', () => {
    for (let count = 0; count <= 200; count += 1) {
      const { maxFramerate, scaleResolutionDownBy } = videoEncodingFor(count);
      expect(maxFramerate).to.be.within(15, 30);
      expect(720 / scaleResolutionDownBy).to.be.oneOf([720, 360, 180]);
    }
  });

  it('keeps the total uplink within ≈1.8 Mbps for meshes of up to 12 people', () => {
    for (let count = 2; count <= 12; count += 1) {
      expect(uplink(count), `uplink with ${count} people`).to.be.at.most(1_800_000);
    }
  });

  it('uses most of the budget in small rooms rather than starving them', () => {
    for (let count = 2; count <= 6; count += 1) {
      expect(uplink(count), `uplink with ${count} people`).to.be.at.least(1_200_000);
    }
  });

  it('returns a fresh object that callers may mutate', () => {
    const first = videoEncodingFor(2) as { maxBitrate: number };
    first.maxBitrate = 1;
    expect(videoEncodingFor(2).maxBitrate).to.equal(1_500_000);
    expect(videoEncodingFor(2)).to.not.equal(videoEncodingFor(2));
  });
});

describe('VIDEO_ENCODING_STEPS', () => {
  it('is sorted by room size and ends with a catch-all step', () => {
    const bounds = VIDEO_ENCODING_STEPS.map((step) => step.maxParticipants);
    expect(bounds).to.deep.equal([2, 4, 6, Number.POSITIVE_INFINITY]);
  });

  it('is frozen, steps and encodings included', () => {
    expect(Object.isFrozen(VIDEO_ENCODING_STEPS)).to.equal(true);
    for (const step of VIDEO_ENCODING_STEPS) {
      expect(Object.isFrozen(step)).to.equal(true);
      expect(Object.isFrozen(step.encoding)).to.equal(true);
    }
  });

  it('is what videoEncodingFor reads', () => {
    for (const step of VIDEO_ENCODING_STEPS) {
      const count = Number.isFinite(step.maxParticipants) ? step.maxParticipants : 1_000;
      expect(videoEncodingFor(count)).to.deep.equal(step.encoding);
    }
  });
});

describe('DEGRADATION_PREFERENCE', () => {
  it("is 'balanced'", () => {
    expect(DEGRADATION_PREFERENCE).to.equal('balanced');
  });
});
