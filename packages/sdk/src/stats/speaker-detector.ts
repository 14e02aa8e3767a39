/**
 * Who is speaking, and who holds the spotlight, from periodic audio levels.
 *
 * Feed {@link SpeakerDetector.update} with the time and every participant's audio level (0–1, linear, as WebRTC's
 * `audioLevel`: 1 = 0 dBov), e.g. every 100 ms. Two layers of hysteresis:
 *
 * 1. **Speaking** (a per-participant flag, for "talking" indicators): a participant starts speaking once their level
 *    has stayed at or above `threshold` for `onsetMs` (a sample below it restarts the count) and stops once it has
 *    stayed below for `releaseMs`, so pauses between words do not blink the indicator.
 * 2. **Active speaker** (the spotlight): a participant *qualifies* while speaking and once their current stretch of
 *    speech has lasted `minActiveSpeechMs` (first loud sample to latest loud sample; pauses shorter than `releaseMs`
 *    do not break a stretch). The spotlight moves to the loudest qualifying participant (by smoothed level) when
 *    - there is no active speaker (nobody yet, or they left), or
 *    - the active speaker has been below `threshold` for `activeSilenceMs`, or
 *    - that participant is louder than the active speaker by the factor `takeoverRatio` (so two people of similar
 *      loudness talking over each other do not ping-pong).
 *    A cough — a loud burst shorter than `minActiveSpeechMs` — never qualifies, so it never takes the spotlight.
 *    When nobody qualifies the spotlight stays where it is, even on someone silent. Ties go to the longer stretch of
 *    speech, then to the smaller id.
 *
 * Participants missing from an update's `levels` are removed (and lose the spotlight). Pure and deterministic: the
 * time is passed in, no DOM.
 */

/** Tuning for {@link SpeakerDetector}; every field has a default in {@link DEFAULT_SPEAKER_DETECTOR_OPTIONS}. */
export interface SpeakerDetectorOptions {
  /** Level (0–1) at or above which a sample counts as voice. Default 0.02 (≈ −34 dBov). */
  threshold: number;
  /** Voice must last this long (ms) before a participant is speaking. Default 250. */
  onsetMs: number;
  /** Silence must last this long (ms) before a participant stops speaking. Default 750. */
  releaseMs: number;
  /** A stretch of speech must last this long (ms) before its speaker can take the spotlight. Default 1000. */
  minActiveSpeechMs: number;
  /** After this long (ms) of silence the active speaker yields to anyone who qualifies. Default 1500. */
  activeSilenceMs: number;
  /** A qualifying speaker takes the spotlight from a still-talking one when louder by this factor (≥ 1). Default 1.25. */
  takeoverRatio: number;
  /** Time constant (ms) of the exponential smoothing of levels used to compare loudness. Default 500. */
  smoothingMs: number;
}

export const DEFAULT_SPEAKER_DETECTOR_OPTIONS: Readonly<SpeakerDetectorOptions> = Object.freeze({
  threshold: 0.02,
  onsetMs: 250,
  releaseMs: 750,
  minActiveSpeechMs: 1000,
  activeSilenceMs: 1500,
  takeoverRatio: 1.25,
  smoothingMs: 500,
});

/** What one {@link SpeakerDetector.update} found. */
export interface SpeakerState {
  /** Participants speaking now (a new set each update). */
  readonly speaking: ReadonlySet<string>;
  /** The participant in the spotlight, or null when there is none yet (or they left and nobody qualifies). */
  readonly activeSpeaker: string | null;
  /** The speaking set differs from the previous update's. */
  readonly speakingChanged: boolean;
  /** The active speaker differs from the previous update's. */
  readonly activeSpeakerChanged: boolean;
  /** Either of the above. */
  readonly changed: boolean;
}

interface Track {
  /** Exponentially smoothed level. */
  smoothed: number;
  speaking: boolean;
  /** Start of the current stretch of voice (the onset, while not yet speaking), or null. */
  voiceStart: number | null;
  /** Latest sample at or above the threshold, or null if none yet. */
  lastVoice: number | null;
}

export class SpeakerDetector {
  readonly options: Readonly<SpeakerDetectorOptions>;
  readonly #tracks = new Map<string, Track>();
  #active: string | null = null;
  #lastNow: number | null = null;

  /** @throws RangeError for a negative or non-finite option, or a `takeoverRatio` below 1. */
  constructor(options: Partial<SpeakerDetectorOptions> = {}) {
    const merged = { ...DEFAULT_SPEAKER_DETECTOR_OPTIONS, ...options };
    for (const [name, value] of Object.entries(merged)) {
      // Number.isFinite is also false for anything that is not a number.
      if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(`SpeakerDetector option ${name} must be a finite number ≥ 0, got ${String(value)}`);
      }
    }
    if (merged.takeoverRatio < 1) throw new RangeError(`SpeakerDetector option takeoverRatio must be ≥ 1`);
    this.options = Object.freeze(merged);
  }

  /** The participant in the spotlight after the latest update. */
  get activeSpeaker(): string | null {
    return this.#active;
  }

  /**
   * Feeds the levels sampled at `nowMs` (any monotonic clock; a time earlier than the previous update's is taken as
   * equal to it). Levels are clamped to 0–1; NaN counts as 0.
   */
  update(nowMs: number, levels: ReadonlyMap<string, number>): SpeakerState {
    const now = this.#lastNow === null || nowMs > this.#lastNow ? nowMs : this.#lastNow;
    const elapsed = this.#lastNow === null ? 0 : now - this.#lastNow;
    this.#lastNow = now;
    const { threshold, onsetMs, releaseMs, smoothingMs } = this.options;
    const speakingBefore = this.#speakingIds();
    const activeBefore = this.#active;

    for (const id of [...this.#tracks.keys()]) {
      if (!levels.has(id)) this.#tracks.delete(id);
    }
    if (this.#active !== null && !levels.has(this.#active)) this.#active = null;

    const weight = smoothingMs === 0 ? 1 : 1 - Math.exp(-elapsed / smoothingMs);
    for (const [id, rawLevel] of levels) {
      const level = Number.isNaN(rawLevel) ? 0 : Math.min(1, Math.max(0, rawLevel));
      let track = this.#tracks.get(id);
      if (track === undefined) {
        track = { smoothed: level, speaking: false, voiceStart: null, lastVoice: null };
        this.#tracks.set(id, track);
      } else {
        track.smoothed += (level - track.smoothed) * weight;
      }

      if (level >= threshold) {
        track.voiceStart ??= now;
        track.lastVoice = now;
        if (!track.speaking && now - track.voiceStart >= onsetMs) track.speaking = true;
      } else if (track.speaking) {
        if (track.lastVoice === null || now - track.lastVoice >= releaseMs) {
          track.speaking = false;
          track.voiceStart = null;
        }
      } else {
        track.voiceStart = null; // the onset was interrupted
      }
    }

    this.#active = this.#chooseActive(now);
    const speaking = this.#speakingIds();
    const speakingChanged = !sameSet(speaking, speakingBefore);
    const activeSpeakerChanged = this.#active !== activeBefore;
    return {
      speaking,
      activeSpeaker: this.#active,
      speakingChanged,
      activeSpeakerChanged,
      changed: speakingChanged || activeSpeakerChanged,
    };
  }

  /** Forgets every participant, the spotlight and the clock. */
  reset(): void {
    this.#tracks.clear();
    this.#active = null;
    this.#lastNow = null;
  }

  #chooseActive(now: number): string | null {
    const { minActiveSpeechMs, activeSilenceMs, takeoverRatio } = this.options;
    let best: { id: string; track: Track; speech: number } | null = null;
    for (const [id, track] of this.#tracks) {
      if (id === this.#active || !track.speaking || track.voiceStart === null || track.lastVoice === null) continue;
      const speech = track.lastVoice - track.voiceStart;
      if (speech < minActiveSpeechMs) continue;
      if (
        best === null ||
        track.smoothed > best.track.smoothed ||
        (track.smoothed === best.track.smoothed && (speech > best.speech || (speech === best.speech && id < best.id)))
      ) {
        best = { id, track, speech };
      }
    }
    if (best === null) return this.#active;

    const current = this.#active === null ? undefined : this.#tracks.get(this.#active);
    if (current === undefined) return best.id;
    const silentFor = current.lastVoice === null ? Number.POSITIVE_INFINITY : now - current.lastVoice;
    if (silentFor >= activeSilenceMs) return best.id;
    if (best.track.smoothed > current.smoothed * takeoverRatio) return best.id;
    return this.#active;
  }

  #speakingIds(): Set<string> {
    const ids = new Set<string>();
    for (const [id, track] of this.#tracks) if (track.speaking) ids.add(id);
    return ids;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const value of a) if (!b.has(value)) return false;
  return true;
}
