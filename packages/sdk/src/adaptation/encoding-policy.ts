/**
 * Video encoding policy for Parley's P2P mesh.
 *
 * In a mesh every participant encodes and uploads its camera once per peer: with `n` people in the room each sender
 * uploads `n − 1` copies and downloads `n − 1` streams. The camera is captured at ≤ 1280×720, ≤ 30 fps, and the
 * encoding is lowered with `scaleResolutionDownBy` / `maxFramerate` / `maxBitrate` so that the *total* uplink stays
 * under ≈ 1.8 Mbps, which an ordinary home or office connection (and a congested Wi-Fi hop) can sustain:
 *
 * | people | copies up | per copy                     | total uplink            |
 * | ------ | --------- | ---------------------------- | ----------------------- |
 * | 2      | 1         | 720p (÷1) 30 fps 1.5 Mbps    | 1.5 Mbps                |
 * | 3–4    | 2–3       | 360p (÷2) 30 fps 600 kbps    | 1.2–1.8 Mbps            |
 * | 5–6    | 4–5       | 360p (÷2) 24 fps 350 kbps    | 1.4–1.75 Mbps           |
 * | 7+     | 6+        | 180p (÷4) 15 fps 150 kbps    | 0.9 Mbps at 7, 1.65 at 12 |
 *
 * The framerate never goes below 15 fps (the design's "15–30 fps adaptive"); past ≈ 12 people the uplink exceeds
 * the budget and a mesh is the wrong topology, so the last step is not lowered further: WebRTC's congestion control
 * (see {@link DEGRADATION_PREFERENCE}) absorbs what is left. Audio (Opus, ≈ 32–40 kbps per copy) comes on top.
 *
 * Pure and deterministic: no DOM, no clock.
 */

/** The encoder limits for the camera's video, in the units of `RTCRtpEncodingParameters`. */
export interface VideoEncoding {
  /** Bits per second, for one copy of the video (one peer). */
  readonly maxBitrate: number;
  /** 1 = capture resolution (720p), 2 = 360p, 4 = 180p. */
  readonly scaleResolutionDownBy: number;
  /** Frames per second; at most the capture's 30, never below 15. */
  readonly maxFramerate: number;
}

/** One step of the policy: the encoding used while the room has at most `maxParticipants` people. */
export interface VideoEncodingStep {
  readonly maxParticipants: number;
  readonly encoding: VideoEncoding;
}

/** The policy, smallest room first; the last step covers every larger room. See the module comment for the arithmetic. */
export const VIDEO_ENCODING_STEPS: readonly VideoEncodingStep[] = Object.freeze([
  step(2, { maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 }),
  step(4, { maxBitrate: 600_000, scaleResolutionDownBy: 2, maxFramerate: 30 }),
  step(6, { maxBitrate: 350_000, scaleResolutionDownBy: 2, maxFramerate: 24 }),
  step(Number.POSITIVE_INFINITY, { maxBitrate: 150_000, scaleResolutionDownBy: 4, maxFramerate: 15 }),
]);

/**
 * `'balanced'`: under CPU or bandwidth pressure, trade a little of both resolution and framerate rather than freeze
 * motion (`maintain-resolution`) or blur faces to blocks (`maintain-framerate`).
 */
export const DEGRADATION_PREFERENCE = 'balanced' as const;

/**
 * The video encoding each participant should use toward each peer when the room has `participantCount` people
 * (the local participant included).
 *
 * A room of 0 or 1 has no peer to send to; it gets the 2-person encoding, so the first peer to join starts at full
 * quality. Any larger count, `Infinity` included, falls into the last step. Returns a fresh object each call.
 *
 * @throws RangeError if `participantCount` is NaN.
 */
export function videoEncodingFor(participantCount: number): VideoEncoding {
  if (Number.isNaN(participantCount)) throw new RangeError('participantCount must be a number, got NaN');
  // The last step's bound is Infinity, so `find` always matches a non-NaN count.
  const { encoding } = VIDEO_ENCODING_STEPS.find((candidate) => participantCount <= candidate.maxParticipants)!;
  return { ...encoding };
}

function step(maxParticipants: number, encoding: VideoEncoding): VideoEncodingStep {
  return Object.freeze({ maxParticipants, encoding: Object.freeze(encoding) });
}
