/**
 * Simulcast in SFU mode: every camera is published as three layers (Janus substreams 0, 1, 2), and each subscriber
 * receives the one that fits the size at which it shows that camera.
 *
 * Pure: no DOM, no clock.
 */

/** A Janus VideoRoom simulcast substream: 0 the smallest layer, 2 the full one. */
export type Substream = 0 | 1 | 2;

/**
 * The camera's layers as `RTCRtpEncodingParameters`, highest first: the rid order Janus assumes (`hml`), so the
 * first is its substream 2. At a 1280×720 capture: 1280×720 up to 1.5 Mbps, 640×360 up to 500 kbps, 320×180 up to
 * 150 kbps. Only ceilings are set: the browser's bandwidth estimation decides what is sent below them, and drops the
 * top layers first when it must.
 */
export const SIMULCAST_LAYERS: readonly RTCRtpEncodingParameters[] = [
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
];

/**
 * The widest tile (in CSS pixels, at 16:9) each of the two smaller layers serves: the low one (320 wide) thumbnails
 * up to 400 wide, the middle one (640) tiles up to 800. Beyond a quarter of upscaling the next layer is worth its
 * bits; a stage or a full-screen speaker gets the full layer.
 */
const LAYER_LIMITS: readonly [maxWidth: number, substream: Substream][] = [
  [400, 0],
  [800, 1],
];

/** The substream for a video shown at `width` × `height` CSS pixels (any aspect: its 16:9 equivalent counts). */
export function substreamFor({ width, height }: { width: number; height: number }): Substream {
  const equivalentWidth = Math.max(width, (height * 16) / 9);
  for (const [maxWidth, substream] of LAYER_LIMITS) if (equivalentWidth <= maxWidth) return substream;
  return 2;
}
