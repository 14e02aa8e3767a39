/**
 * MediaRecorder's WebM has no Duration (it is written while the length is unknown): players then show no length
 * and cannot seek. This writes one into the Segment's Info, the only change, as Chromium's files need: their Segment
 * has an unknown size and they carry no SeekHead or Cues whose offsets the added bytes would shift.
 */

const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;

/** An EBML variable-length integer at `at`: its value (marker bit removed), width in bytes, and whether it is all ones (unknown size). */
function readVint(bytes: Uint8Array, at: number): { value: number; width: number; unknown: boolean } {
  const first = bytes[at]!;
  const width = Math.clz32(first) - 23;
  if (width < 1 || width > 8) throw new RangeError(`Not EBML at byte ${at}`);
  let value = first & (0xff >> width);
  let allOnes = value === 0xff >> width;
  for (let index = 1; index < width; index++) {
    value = value * 256 + bytes[at + index]!;
    allOnes &&= bytes[at + index] === 0xff;
  }
  return { value, width, unknown: allOnes };
}

/** An element's id (kept with its marker bits, as ids are written) and width. */
function readId(bytes: Uint8Array, at: number): { id: number; width: number } {
  const width = Math.clz32(bytes[at]!) - 23;
  let id = 0;
  for (let index = 0; index < width; index++) id = id * 256 + bytes[at + index]!;
  return { id, width };
}

/** `value` as a size `width` bytes wide, as the original was, so nothing before it moves. */
function writeVint(value: number, width: number): Uint8Array {
  if (value >= 2 ** (7 * width) - 1) throw new RangeError('Size does not fit');
  const out = new Uint8Array(width);
  for (let index = width - 1, rest = value; index >= 0; index--, rest = Math.floor(rest / 256)) out[index] = rest % 256;
  out[0]! |= 0x80 >> (width - 1);
  return out;
}

/** The children of the element whose data spans `start`..`end`. */
function* children(bytes: Uint8Array, start: number, end: number) {
  for (let at = start; at < end; ) {
    const { id, width } = readId(bytes, at);
    const size = readVint(bytes, at + width);
    const dataStart = at + width + size.width;
    const dataEnd = size.unknown ? end : dataStart + size.value;
    yield { id, at, sizeAt: at + width, size, dataStart, dataEnd };
    at = dataEnd;
  }
}

/** `webm` with its Duration set to `durationMs`; unchanged if it is not a WebM this understands. */
export function withDuration(webm: Uint8Array<ArrayBuffer>, durationMs: number): Uint8Array<ArrayBuffer> {
  try {
    const segment = [...children(webm, 0, webm.length)].find(({ id }) => id === SEGMENT);
    const info = segment && [...children(webm, segment.dataStart, segment.dataEnd)].find(({ id }) => id === INFO);
    if (!segment || !info) return webm;
    const fields = [...children(webm, info.dataStart, info.dataEnd)];
    const scaleField = fields.find(({ id }) => id === TIMECODE_SCALE);
    // Nanoseconds per timecode unit: 1 ms unless the file says otherwise.
    const scale = scaleField ? webm.subarray(scaleField.dataStart, scaleField.dataEnd).reduce((value, byte) => value * 256 + byte, 0) : 1_000_000;
    const duration = new Uint8Array(8);
    new DataView(duration.buffer).setFloat64(0, (durationMs * 1_000_000) / scale);
    const existing = fields.find(({ id }) => id === DURATION);
    if (existing && existing.dataEnd - existing.dataStart === 8) {
      const fixed = webm.slice();
      fixed.set(duration, existing.dataStart);
      return fixed;
    }
    if (existing) return webm;
    const element = Uint8Array.of(0x44, 0x89, 0x88, ...duration);
    const infoSize = writeVint(info.size.value + element.length, info.size.width);
    const segmentSize = segment.size.unknown
      ? webm.subarray(segment.sizeAt, segment.dataStart)
      : writeVint(segment.size.value + element.length, segment.size.width);
    const parts = [
      webm.subarray(0, segment.sizeAt),
      segmentSize,
      webm.subarray(segment.dataStart, info.sizeAt),
      infoSize,
      webm.subarray(info.dataStart, info.dataEnd),
      element,
      webm.subarray(info.dataEnd),
    ];
    const fixed = new Uint8Array(webm.length + element.length);
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
