/**
 * What a WebM file holds, read from its EBML (no ffprobe on the test machines): its tracks, the Duration its header
 * states, and the time of its last frame. Elements are read in order, masters entered rather than skipped, so the
 * unknown sizes MediaRecorder writes (Segment, Cluster) need no special case.
 */

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
/** Masters whose children matter here: Segment, Info, Tracks, TrackEntry, Video, Cluster, BlockGroup. */
const MASTERS = new Set([0x18538067, 0x1549a966, 0x1654ae6b, 0xae, 0xe0, 0x1f43b675, 0xa0]);
const ID = {
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  trackEntry: 0xae,
  trackType: 0x83,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  clusterTimecode: 0xe7,
  simpleBlock: 0xa3,
  block: 0xa1,
};

export interface WebmTrack {
  /** `video` or `audio` (TrackType 1 and 2). */
  type: string;
  width?: number;
  height?: number;
}

export interface WebmSummary {
  tracks: WebmTrack[];
  /** The Duration in the Segment's Info, in ms; undefined without one. */
  durationMs: number | undefined;
  /** When the last frame starts, in ms. */
  lastFrameMs: number;
}

export function hasEbmlMagic(bytes: Uint8Array): boolean {
  return EBML_MAGIC.every((byte, index) => bytes[index] === byte);
}

function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; width: number; unknown: boolean } {
  const width = Math.clz32(bytes[at]!) - 23;
  if (width < 1 || width > 8) throw new Error(`not EBML at byte ${at}`);
  let value = keepMarker ? bytes[at]! : bytes[at]! & (0xff >> width);
  let unknown = !keepMarker && value === 0xff >> width;
  for (let index = 1; index < width; index++) {
    value = value * 256 + bytes[at + index]!;
    unknown &&= bytes[at + index] === 0xff;
  }
  return { value, width, unknown };
}

const uint = (data: Uint8Array) => data.reduce((value, byte) => value * 256 + byte, 0);

export function readWebm(bytes: Uint8Array): WebmSummary {
  const tracks: WebmTrack[] = [];
  let scaleNs = 1_000_000;
  let duration: number | undefined;
  let clusterTime = 0;
  let lastFrame = 0;
  for (let at = 0; at < bytes.length; ) {
    const id = vint(bytes, at, true);
    const size = vint(bytes, at + id.width, false);
    const dataStart = at + id.width + size.width;
    if (MASTERS.has(id.value)) {
      if (id.value === ID.trackEntry) tracks.push({ type: 'unknown' });
      at = dataStart;
      continue;
    }
    const data = bytes.subarray(dataStart, dataStart + size.value);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const track = tracks.at(-1);
    switch (id.value) {
      case ID.timecodeScale:
        scaleNs = uint(data);
        break;
      case ID.duration:
        duration = data.length === 4 ? view.getFloat32(0) : view.getFloat64(0);
        break;
      case ID.trackType:
        track!.type = ({ 1: 'video', 2: 'audio' } as Record<number, string>)[uint(data)] ?? 'other';
        break;
      case ID.pixelWidth:
        track!.width = uint(data);
        break;
      case ID.pixelHeight:
        track!.height = uint(data);
        break;
      case ID.clusterTimecode:
        clusterTime = uint(data);
        break;
      case ID.simpleBlock:
      case ID.block: {
        // The track number (a vint), then the time relative to the cluster's, a signed 16-bit integer.
        const trackNumber = vint(data, 0, false);
        lastFrame = Math.max(lastFrame, clusterTime + view.getInt16(trackNumber.width));
        break;
      }
    }
    at = dataStart + size.value;
  }
  const toMs = (units: number) => (units * scaleNs) / 1_000_000;
  return { tracks, durationMs: duration === undefined ? undefined : toMs(duration), lastFrameMs: toMs(lastFrame) };
}
