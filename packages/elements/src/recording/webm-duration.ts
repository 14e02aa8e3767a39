/**
 * MediaRecorder's WebM has no Duration (it is written while the length is unknown): players then show no length
 * and cannot seek. This writes the time of the file's last frame into the Segment's Info, the only change, as
 * Chromium's files need: their Segment has an unknown size, and they carry no SeekHead or Cues whose offsets the
 * added bytes would shift. Elements are read in order, entering the masters that matter rather than skipping them,
 * so the unknown sizes MediaRecorder writes need no special case.
 */

const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const CLUSTER = 0x1f43b675;
const BLOCK_GROUP = 0xa0;
const DURATION = 0x4489;
const CLUSTER_TIMECODE = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK = 0xa1;

/** An EBML variable-length integer at `at`: its value (marker bit removed, unless `asId`), width, and whether it is all ones (unknown size). */
function vint(bytes: Uint8Array, at: number, asId = false): { value: number; width: number; unknown: boolean } {
  const width = Math.clz32(bytes[at]!) - 23;
  if (width < 1 || width > 8) throw new RangeError(`Not EBML at byte ${at}`);
  let value = asId ? bytes[at]! : bytes[at]! & (0xff >> width);
  let unknown = !asId && value === 0xff >> width;
  for (let index = 1; index < width; index++) {
    value = value * 256 + bytes[at + index]!;
    unknown &&= bytes[at + index] === 0xff;
  }
  return { value, width, unknown };
}

/** `value` as a size `width` bytes wide, as the original was, so nothing before it moves. */
function sizeField(value: number, width: number): Uint8Array {
  if (value >= 2 ** (7 * width) - 1) throw new RangeError('Size does not fit');
  const out = new Uint8Array(width);
  for (let index = width - 1, rest = value; index >= 0; index--, rest = Math.floor(rest / 256)) out[index] = rest % 256;
  out[0]! |= 0x80 >> (width - 1);
  return out;
}

interface Element {
  sizeAt: number;
  size: { value: number; width: number; unknown: boolean };
  dataStart: number;
}

/** `webm` with a Duration: when its last frame starts. Unchanged if it is not a WebM this understands, or has one. */
export function withDuration(webm: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  try {
    let segment: Element | undefined;
    let info: Element | undefined;
    let clusterTime = 0;
    let lastFrame = 0;
    for (let at = 0; at < webm.length; ) {
      const id = vint(webm, at, true);
      const size = vint(webm, at + id.width);
      const element = { sizeAt: at + id.width, size, dataStart: at + id.width + size.width };
      const data = webm.subarray(element.dataStart, element.dataStart + size.value);
      at = element.dataStart + size.value;
      switch (id.value) {
        case DURATION:
          return webm;
        case SEGMENT:
        case INFO:
        case CLUSTER:
        case BLOCK_GROUP:
          // Masters: their children are read in turn.
          if (id.value === SEGMENT) segment = element;
          if (id.value === INFO) info = element;
          at = element.dataStart;
          break;
        case CLUSTER_TIMECODE:
          clusterTime = data.reduce((value, byte) => value * 256 + byte, 0);
          break;
        case SIMPLE_BLOCK:
        case BLOCK: {
          // The track number (a vint), then the time relative to the cluster's, a signed 16-bit integer.
          const offset = new DataView(data.buffer, data.byteOffset + vint(data, 0).width, 2).getInt16(0);
          lastFrame = Math.max(lastFrame, clusterTime + offset);
        }
      }
    }
    if (!segment || !info || info.size.unknown) return webm;
    const infoEnd = info.dataStart + info.size.value;
    // In the file's timecode units, as Duration is.
    const duration = Uint8Array.of(0x44, 0x89, 0x88, 0, 0, 0, 0, 0, 0, 0, 0);
    new DataView(duration.buffer).setFloat64(3, lastFrame);
    const parts = [
      webm.subarray(0, segment.sizeAt),
      segment.size.unknown ? webm.subarray(segment.sizeAt, segment.dataStart) : sizeField(segment.size.value + duration.length, segment.size.width),
      webm.subarray(segment.dataStart, info.sizeAt),
      sizeField(info.size.value + duration.length, info.size.width),
      webm.subarray(info.dataStart, infoEnd),
      duration,
      webm.subarray(infoEnd),
    ];
    const fixed = new Uint8Array(webm.length + duration.length);
    let at = 0;
    for (const part of parts) {
      fixed.set(part, at);
      at += part.length;
    }
    return fixed;
  } catch {
    return webm;
  }
}
