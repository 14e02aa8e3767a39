import { expect } from '@esm-bundle/chai';
import { withDuration } from './webm-duration.js';

/** An EBML element: id bytes, a one-byte size, data. */
const element = (id: number[], ...data: number[][]) => {
  const bytes = data.flat();
  return [...id, 0x80 | bytes.length, ...bytes];
};

/** A WebM as MediaRecorder writes it: a Segment and Clusters of unknown size, an Info without Duration. */
function recorderWebm(): Uint8Array<ArrayBuffer> {
  const header = element([0x1a, 0x45, 0xdf, 0xa3], element([0x42, 0x82], [0x77, 0x65, 0x62, 0x6d]));
  const info = element([0x15, 0x49, 0xa9, 0x66], element([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]));
  // Cluster at 1000 ms, blocks of track 1 at +0 and +40, then a cluster at 2000 ms with one at +20.
  const block = (offset: number) => element([0xa3], [0x81, offset >> 8, offset & 0xff, 0x80, 0]);
  const cluster = (time: number[], ...blocks: number[][]) => [0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...element([0xe7], time), ...blocks.flat()];
  const segment = [0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...info, ...cluster([0x03, 0xe8], block(0), block(40)), ...cluster([0x07, 0xd0], block(20))];
  return Uint8Array.from([...header, ...segment]);
}

/** The Duration element's value, if the file has one. */
function durationOf(webm: Uint8Array): number | undefined {
  for (let at = 0; at < webm.length - 11; at++) {
    if (webm[at] === 0x44 && webm[at + 1] === 0x89 && webm[at + 2] === 0x88) return new DataView(webm.buffer, webm.byteOffset + at + 3, 8).getFloat64(0);
  }
  return undefined;
}

describe('withDuration', () => {
  it('writes the last frame’s time into Info, growing Info’s size and nothing else', () => {
    const original = recorderWebm();
    const fixed = withDuration(original);
    expect(durationOf(fixed)).to.equal(2020);
    expect(fixed.length).to.equal(original.length + 11);
    // Info's size grew by the element's 11 bytes; every byte after Info is the original's.
    const infoAt = original.indexOf(0x15);
    expect(fixed[infoAt + 4]).to.equal(original[infoAt + 4]! + 11);
    expect([...fixed.subarray(fixed.length - 40)]).to.deep.equal([...original.subarray(original.length - 40)]);
  });

  it('leaves a file that already has a Duration, or is no WebM, as it is', () => {
    const once = withDuration(recorderWebm());
    expect(withDuration(once)).to.equal(once);
    const garbage = Uint8Array.from([0, 1, 2, 3]);
    expect(withDuration(garbage)).to.equal(garbage);
  });
});
