import { expect } from '@esm-bundle/chai';
import { SIMULCAST_LAYERS, substreamFor } from './substream.js';

describe('substreamFor', () => {
  it('gives a thumbnail the low layer', () => {
    expect(substreamFor({ width: 160, height: 90 })).to.equal(0);
    expect(substreamFor({ width: 320, height: 180 })).to.equal(0);
    expect(substreamFor({ width: 400, height: 225 })).to.equal(0);
  });

  it('gives a grid tile of a few people the middle layer', () => {
    expect(substreamFor({ width: 480, height: 270 })).to.equal(1);
    expect(substreamFor({ width: 800, height: 450 })).to.equal(1);
  });

  it('gives a stage or a full-screen speaker the full layer', () => {
    expect(substreamFor({ width: 1280, height: 720 })).to.equal(2);
    expect(substreamFor({ width: 801, height: 300 })).to.equal(2);
  });

  it('measures a tall tile by its height, at 16:9', () => {
    // 300×400 portrait: the picture (letter-boxed or cropped) is as tall as a 711-wide 16:9 tile.
    expect(substreamFor({ width: 300, height: 400 })).to.equal(1);
    expect(substreamFor({ width: 200, height: 500 })).to.equal(2);
  });
});

describe('SIMULCAST_LAYERS', () => {
  it('sends three layers h, m, l at full, half and a quarter resolution, each capped, in the rid order Janus assumes', () => {
    expect(SIMULCAST_LAYERS.map(({ rid, scaleResolutionDownBy }) => [rid, scaleResolutionDownBy])).to.deep.equal([
      ['h', 1],
      ['m', 2],
      ['l', 4],
    ]);
    const bitrates = SIMULCAST_LAYERS.map(({ maxBitrate }) => maxBitrate!);
    expect(bitrates).to.deep.equal([...bitrates].sort((a, b) => b - a));
  });
});
