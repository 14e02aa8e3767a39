/**
 * Connection quality, 0–5, from WebRTC stats: a simplified ITU-T G.107 E-model.
 *
 * Scale:
 * - `0` — **no data yet**: the sample carried no usable measurement. It is never used for a measured connection, so a
 *   UI can show "measuring…" for 0 and bars for 1–5.
 * - `1` — unusable / nearly all users dissatisfied (R < 60), or too little uplink for even audio-plus-video.
 * - `2` — poor, many users dissatisfied (60 ≤ R < 70).
 * - `3` — fair, some users dissatisfied (70 ≤ R < 80).
 * - `4` — good, users satisfied (80 ≤ R < 90).
 * - `5` — excellent, users very satisfied (R ≥ 90).
 *
 * The R-factor (0–93.2) is computed the way it is usually simplified for VoIP monitoring:
 * `effectiveLatency = rtt + 2·jitter + 10 ms`, `R = 93.2 − effectiveLatency/40` below 160 ms of effective latency
 * and `93.2 − (effectiveLatency − 120)/10` above it, then `R −= 2.5 × lossPercent`. A metric that is missing (or
 * not a finite, non-negative number) adds no penalty. The available outgoing bitrate (the sender's bandwidth
 * estimate) then caps the score, loosely, since the estimate does not probe much beyond what the encoders ask for.
 *
 * Pure and deterministic: no DOM, no clock.
 */

/** 0 = no data yet, 1 = unusable … 5 = excellent. */
export type ConnectionQuality = 0 | 1 | 2 | 3 | 4 | 5;

/** The score for a sample with no usable measurement. */
export const QUALITY_UNKNOWN = 0 as const;

/** One interval's measurements. Everything is optional; units are those of WebRTC stats but in milliseconds. */
export interface QualitySample {
  /** Round-trip time in ms (candidate-pair `currentRoundTripTime` or remote-inbound-rtp `roundTripTime`, × 1000). */
  roundTripTimeMs?: number;
  /** Lost / (received + lost) over the interval, 0–1 (values above 1 count as 1). */
  packetLossRatio?: number;
  /** Inter-arrival jitter in ms (inbound-rtp `jitter` × 1000). */
  jitterMs?: number;
  /** The sender's bandwidth estimate in bits per second (candidate-pair `availableOutgoingBitrate`). */
  availableOutgoingBitrate?: number;
}

/** R-factor lower bounds for scores 5, 4, 3 and 2 (G.107 user-satisfaction categories); below the last → 1. */
const R_FOR_SCORE: readonly (readonly [score: 2 | 3 | 4 | 5, minR: number])[] = [
  [5, 90],
  [4, 80],
  [3, 70],
  [2, 60],
];

/**
 * Uplink caps: below `belowBps` available outgoing bitrate, the score is at most `maxScore`. 64 kbps barely carries
 * audio with signalling; 150 kbps is the smallest video step (180p, see encoding-policy); 300 kbps is two of them.
 */
const BITRATE_CAPS: readonly (readonly [belowBps: number, maxScore: 1 | 2 | 3])[] = [
  [64_000, 1],
  [150_000, 2],
  [300_000, 3],
];

/** The E-model R-factor for the sample's metrics (missing ones add no penalty), clamped to 0–93.2. */
export function rFactor(sample: QualitySample): number {
  const rtt = valid(sample.roundTripTimeMs) ?? 0;
  const jitter = valid(sample.jitterMs) ?? 0;
  const loss = Math.min(valid(sample.packetLossRatio) ?? 0, 1);
  const effectiveLatency = rtt + 2 * jitter + 10;
  let r = effectiveLatency < 160 ? 93.2 - effectiveLatency / 40 : 93.2 - (effectiveLatency - 120) / 10;
  r -= 2.5 * (loss * 100);
  return Math.min(93.2, Math.max(0, r));
}

/**
 * Scores one interval's measurements, 0–5 (see the module comment for the scale). Returns {@link QUALITY_UNKNOWN}
 * (0) if and only if none of the four metrics is a finite, non-negative number.
 */
export function scoreConnectionQuality(sample: QualitySample): ConnectionQuality {
  const hasLatencyOrLoss =
    valid(sample.roundTripTimeMs) !== undefined ||
    valid(sample.packetLossRatio) !== undefined ||
    valid(sample.jitterMs) !== undefined;
  const bitrate = valid(sample.availableOutgoingBitrate);
  if (!hasLatencyOrLoss && bitrate === undefined) return QUALITY_UNKNOWN;

  let score: ConnectionQuality = 5;
  if (hasLatencyOrLoss) {
    const r = rFactor(sample);
    score = R_FOR_SCORE.find(([, minR]) => r >= minR)?.[0] ?? 1;
  }
  if (bitrate !== undefined) {
    const cap = BITRATE_CAPS.find(([belowBps]) => bitrate < belowBps)?.[1];
    if (cap !== undefined && cap < score) score = cap;
  }
  return score;
}

/** Cumulative counters and current gauges from one `getStats()` call, for `QualityTracker.update`. */
export interface QualityStats {
  /** Cumulative (inbound-rtp `packetsReceived`). */
  packetsReceived: number;
  /** Cumulative (inbound-rtp `packetsLost`; may go down when late packets arrive after being counted lost). */
  packetsLost: number;
  roundTripTimeMs?: number;
  jitterMs?: number;
  availableOutgoingBitrate?: number;
}

/**
 * Turns successive `getStats()` readings of one connection into a steady 0–5 score.
 *
 * Loss is computed per interval, from the change of the cumulative counters since the previous update:
 * `Δlost / (Δreceived + Δlost)`, with a negative `Δlost` (late packets un-counting losses) taken as 0. There is no
 * loss figure for an interval when:
 * - it is the first update (it only sets the baseline);
 * - `packetsReceived` went down — the counters were reset (a new RTCPeerConnection or SSRC) or wrapped: the new
 *   values become the baseline;
 * - no packet was received or lost (e.g. the remote muted), or a counter is not a finite number (the baseline is
 *   kept).
 * The interval is then scored from whatever else it has (RTT, jitter, bitrate).
 *
 * Smoothing: the first measured interval sets the score; after that the score moves only when the two latest
 * measured intervals are both on the same side of it (both worse, or both better), and then only as far as the one
 * of the two closer to it. So one bad (or good) interval never moves it, and neither do alternating good and bad
 * ones; a real change shows after two intervals. Intervals that score 0 (no data) are not measurements: they leave
 * the score and the history as they were. Until any interval is measured the score is 0.
 *
 * The tracker has no clock: call `update` on a steady cadence (e.g. every 2 s).
 */
export class QualityTracker {
  #previous: { packetsReceived: number; packetsLost: number } | undefined;
  /** The previous measured interval's own score. */
  #lastRaw: ConnectionQuality = QUALITY_UNKNOWN;
  #score: ConnectionQuality = QUALITY_UNKNOWN;

  /** The current smoothed score (0 until an interval has been measured). */
  get score(): ConnectionQuality {
    return this.#score;
  }

  /** Feeds one reading; returns the smoothed score. */
  update(stats: QualityStats): ConnectionQuality {
    // RTT, jitter and bitrate are scored as measured (undefined counts as missing); loss is the interval's.
    const raw = scoreConnectionQuality({
      ...stats,
      packetLossRatio: this.#intervalLoss(stats.packetsReceived, stats.packetsLost),
    });
    if (raw === QUALITY_UNKNOWN) return this.#score;
    const previous = this.#lastRaw;
    this.#lastRaw = raw;
    if (this.#score === QUALITY_UNKNOWN) this.#score = raw;
    else if (raw < this.#score && previous < this.#score) this.#score = Math.max(raw, previous) as ConnectionQuality;
    else if (raw > this.#score && previous > this.#score) this.#score = Math.min(raw, previous) as ConnectionQuality;
    return this.#score;
  }

  /** Forgets the baseline and the history (e.g. when the peer reconnects from scratch). */
  reset(): void {
    this.#previous = undefined;
    this.#lastRaw = QUALITY_UNKNOWN;
    this.#score = QUALITY_UNKNOWN;
  }

  #intervalLoss(packetsReceived: number, packetsLost: number): number | undefined {
    if (!Number.isFinite(packetsReceived) || !Number.isFinite(packetsLost)) return undefined;
    const previous = this.#previous;
    this.#previous = { packetsReceived, packetsLost };
    if (previous === undefined || packetsReceived < previous.packetsReceived) return undefined;
    const received = packetsReceived - previous.packetsReceived;
    const lost = Math.max(0, packetsLost - previous.packetsLost);
    if (received + lost === 0) return undefined;
    return lost / (received + lost);
  }
}

function valid(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}
