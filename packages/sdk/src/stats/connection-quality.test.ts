import { expect } from '@esm-bundle/chai';
import {
  QUALITY_UNKNOWN,
  QualityTracker,
  rFactor,
  scoreConnectionQuality,
  type QualityStats,
} from './connection-quality.js';

describe('scoreConnectionQuality', () => {
  describe('no data', () => {
    it('scores an empty sample 0', () => {
      expect(scoreConnectionQuality({})).to.equal(0);
      expect(QUALITY_UNKNOWN).to.equal(0);
    });

    it('scores a sample whose fields are all undefined 0', () => {
      expect(
        scoreConnectionQuality({
          roundTripTimeMs: undefined,
          packetLossRatio: undefined,
          jitterMs: undefined,
          availableOutgoingBitrate: undefined,
        }),
      ).to.equal(0);
    });

    it('ignores NaN, infinite and negative values, scoring 0 when nothing else is left', () => {
      expect(scoreConnectionQuality({ roundTripTimeMs: Number.NaN })).to.equal(0);
      expect(scoreConnectionQuality({ jitterMs: -5, packetLossRatio: -0.1 })).to.equal(0);
      expect(scoreConnectionQuality({ roundTripTimeMs: Number.POSITIVE_INFINITY })).to.equal(0);
      expect(scoreConnectionQuality({ availableOutgoingBitrate: Number.NaN })).to.equal(0);
    });

    it('scores a measured perfect connection 5, not 0: zeros are data', () => {
      expect(scoreConnectionQuality({ roundTripTimeMs: 0, packetLossRatio: 0, jitterMs: 0 })).to.equal(5);
      expect(scoreConnectionQuality({ packetLossRatio: 0 })).to.equal(5);
    });

    it('never scores a measured connection 0, however bad', () => {
      expect(scoreConnectionQuality({ roundTripTimeMs: 1e9, packetLossRatio: 1, jitterMs: 1e9 })).to.equal(1);
      expect(scoreConnectionQuality({ availableOutgoingBitrate: 0 })).to.equal(1);
    });
  });

  describe('latency and jitter', () => {
    const cases: [rtt: number, score: number][] = [
      [20, 5],
      [100, 5],
      [150, 4],
      [200, 4],
      [250, 3],
      [300, 3],
      [400, 2],
      [600, 1],
      [5_000, 1],
    ];
    for (const [rtt, score] of cases) {
      it(`scores ${rtt} ms RTT alone ${score}`, () => {
        expect(scoreConnectionQuality({ roundTripTimeMs: rtt })).to.equal(score);
      });
    }

    it('weighs jitter twice as much as RTT', () => {
      expect(scoreConnectionQuality({ jitterMs: 150 })).to.equal(scoreConnectionQuality({ roundTripTimeMs: 300 }));
      expect(scoreConnectionQuality({ jitterMs: 150 })).to.be.below(scoreConnectionQuality({ roundTripTimeMs: 150 }));
    });

    it('adds jitter to RTT', () => {
      expect(scoreConnectionQuality({ roundTripTimeMs: 200, jitterMs: 50 })).to.equal(3);
      expect(scoreConnectionQuality({ roundTripTimeMs: 200 })).to.equal(4);
    });

    it('never improves as RTT grows', () => {
      let previous = 5;
      for (let rtt = 0; rtt <= 2_000; rtt += 10) {
        const score = scoreConnectionQuality({ roundTripTimeMs: rtt, jitterMs: 10 });
        expect(score, `at ${rtt} ms`).to.be.at.most(previous);
        previous = score;
      }
      expect(previous).to.equal(1);
    });
  });

  describe('loss', () => {
    const cases: [loss: number, score: number][] = [
      [0, 5],
      [0.005, 5],
      [0.01, 4],
      [0.05, 3],
      [0.1, 2],
      [0.2, 1],
      [1, 1],
    ];
    for (const [loss, score] of cases) {
      it(`scores ${loss * 100}% loss at 20 ms RTT ${score}`, () => {
        expect(scoreConnectionQuality({ roundTripTimeMs: 20, packetLossRatio: loss })).to.equal(score);
      });
    }

    it('treats a ratio above 1 as total loss', () => {
      expect(rFactor({ packetLossRatio: 3 })).to.equal(rFactor({ packetLossRatio: 1 }));
      expect(scoreConnectionQuality({ packetLossRatio: 3 })).to.equal(1);
    });

    it('never improves as loss grows', () => {
      let previous = 5;
      for (let loss = 0; loss <= 0.5; loss += 0.0025) {
        const score = scoreConnectionQuality({ roundTripTimeMs: 50, packetLossRatio: loss });
        expect(score, `at ${loss}`).to.be.at.most(previous);
        previous = score;
      }
      expect(previous).to.equal(1);
    });
  });

  describe('available outgoing bitrate', () => {
    const cases: [bps: number, score: number][] = [
      [0, 1],
      [50_000, 1],
      [64_000, 2],
      [100_000, 2],
      [150_000, 3],
      [299_999, 3],
      [300_000, 5],
      [5_000_000, 5],
    ];
    for (const [bps, score] of cases) {
      it(`caps an otherwise excellent connection at ${score} with ${bps} bps`, () => {
        expect(scoreConnectionQuality({ roundTripTimeMs: 20, availableOutgoingBitrate: bps })).to.equal(score);
      });
    }

    it('scores a bitrate-only sample by the cap alone', () => {
      expect(scoreConnectionQuality({ availableOutgoingBitrate: 1_000_000 })).to.equal(5);
      expect(scoreConnectionQuality({ availableOutgoingBitrate: 100_000 })).to.equal(2);
    });

    it('only caps: plenty of bitrate does not lift a bad score', () => {
      expect(scoreConnectionQuality({ roundTripTimeMs: 600, availableOutgoingBitrate: 50_000_000 })).to.equal(1);
      expect(scoreConnectionQuality({ roundTripTimeMs: 300, availableOutgoingBitrate: 200_000 })).to.equal(3);
    });
  });

  it('always returns an integer 0–5', () => {
    for (const rtt of [undefined, 0, 50, 200, 900]) {
      for (const loss of [undefined, 0, 0.02, 0.3]) {
        for (const bitrate of [undefined, 10_000, 200_000, 2_000_000]) {
          const sample: Record<string, number> = {};
          if (rtt !== undefined) sample.roundTripTimeMs = rtt;
          if (loss !== undefined) sample.packetLossRatio = loss;
          if (bitrate !== undefined) sample.availableOutgoingBitrate = bitrate;
          expect([0, 1, 2, 3, 4, 5]).to.include(scoreConnectionQuality(sample));
        }
      }
    }
  });
});

describe('rFactor', () => {
  it('is 92.95 with no impairment (10 ms of fixed codec delay)', () => {
    expect(rFactor({})).to.be.closeTo(92.95, 1e-9);
  });

  it('is continuous where the latency slope changes (160 ms effective)', () => {
    expect(rFactor({ roundTripTimeMs: 149.999 })).to.be.closeTo(rFactor({ roundTripTimeMs: 150 }), 1e-3);
    expect(rFactor({ roundTripTimeMs: 150 })).to.be.closeTo(89.2, 1e-9);
  });

  it('takes 2.5 points per percent of loss', () => {
    expect(rFactor({ packetLossRatio: 0 }) - rFactor({ packetLossRatio: 0.04 })).to.be.closeTo(10, 1e-9);
  });

  it('never goes below 0', () => {
    expect(rFactor({ roundTripTimeMs: 1e12, packetLossRatio: 1 })).to.equal(0);
  });
});

describe('QualityTracker', () => {
  /** Cumulative counters `received`/`lost` so far, plus any gauges (RTT, jitter, bitrate). */
  const stats = (received: number, lost: number, extra: Partial<QualityStats> = {}): QualityStats => ({
    packetsReceived: received,
    packetsLost: lost,
    ...extra,
  });

  /** Feeds intervals of 1000 packets each with the given loss ratios (after a baseline update); returns the scores. */
  function feedLoss(tracker: QualityTracker, ratios: number[], start = { received: 0, lost: 0 }): number[] {
    let { received, lost } = start;
    tracker.update(stats(received, lost));
    return ratios.map((ratio) => {
      const lostNow = Math.round(1000 * ratio);
      received += 1000 - lostNow;
      lost += lostNow;
      return tracker.update(stats(received, lost));
    });
  }

  it('starts at 0 and stays there on the baseline update when only counters are given', () => {
    const tracker = new QualityTracker();
    expect(tracker.score).to.equal(0);
    expect(tracker.update(stats(5_000, 40))).to.equal(0);
    expect(tracker.score).to.equal(0);
  });

  it('scores the baseline update from RTT when it has one', () => {
    expect(new QualityTracker().update(stats(5_000, 40, { roundTripTimeMs: 20 }))).to.equal(5);
  });

  it('computes loss over the interval, not the lifetime', () => {
    const tracker = new QualityTracker();
    // 33% lost over the lifetime so far, then a clean interval.
    expect(feedLoss(tracker, [0], { received: 1_000, lost: 500 })).to.deep.equal([5]);
  });

  it('adopts the first measured interval at once', () => {
    expect(feedLoss(new QualityTracker(), [0.06])).to.deep.equal([3]); // R = 92.95 − 15 ≈ 78
    expect(feedLoss(new QualityTracker(), [0.2])).to.deep.equal([1]);
  });

  it('ignores a single bad interval', () => {
    expect(feedLoss(new QualityTracker(), [0, 0, 0, 0.3, 0, 0])).to.deep.equal([5, 5, 5, 5, 5, 5]);
  });

  it('ignores a single bad second interval (two intervals keep the first)', () => {
    expect(feedLoss(new QualityTracker(), [0, 0.3])).to.deep.equal([5, 5]);
  });

  it('follows a sustained drop after two bad intervals, and a recovery after two good ones', () => {
    expect(feedLoss(new QualityTracker(), [0, 0, 0, 0.3, 0.3, 0.3, 0, 0, 0])).to.deep.equal([
      5, 5, 5, 5, 1, 1, 1, 5, 5,
    ]);
  });

  it('moves only as far as the better of two worse intervals', () => {
    // raw: 5, 3 (6%), 2 (10%) → both last two below 5 → the closer one, 3
    expect(feedLoss(new QualityTracker(), [0, 0.06, 0.1])).to.deep.equal([5, 5, 3]);
  });

  it('moves only as far as the worse of two better intervals', () => {
    // raw: 1, 4 (2%), 5 → 4
    expect(feedLoss(new QualityTracker(), [0.3, 0.02, 0])).to.deep.equal([1, 1, 4]);
  });

  it('does not move when the last two intervals straddle the score', () => {
    // score 3; raw 5 then 1 (one better, one worse) → stays 3
    expect(feedLoss(new QualityTracker(), [0.06, 0, 0.3, 0.06])).to.deep.equal([3, 3, 3, 3]);
  });

  it('does not flap when good and bad intervals alternate', () => {
    expect(feedLoss(new QualityTracker(), [0, 0.3, 0, 0.3, 0, 0.3, 0])).to.deep.equal([5, 5, 5, 5, 5, 5, 5]);
    expect(feedLoss(new QualityTracker(), [0.3, 0, 0.3, 0, 0.3])).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('does not count a no-data interval as one of the two', () => {
    const tracker = new QualityTracker();
    feedLoss(tracker, [0, 0, 0.3]); // score 5, last raw 1
    tracker.update(stats(2_700, 300)); // nothing flowed: no data
    expect(tracker.update(stats(2_700, 1_300))).to.equal(1); // second bad interval in a row → 1
  });

  it('treats counters that go down (reset or wrap) as a new baseline, not as loss', () => {
    const tracker = new QualityTracker();
    feedLoss(tracker, [0, 0, 0]);
    expect(tracker.update(stats(100, 0))).to.equal(5); // no loss figure this interval: held
    expect(tracker.update(stats(1_100, 0))).to.equal(5); // measured from the new baseline
  });

  it('treats a 32-bit wrap as a reset', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(2 ** 32 - 10, 5));
    expect(tracker.update(stats(50, 0))).to.equal(0); // baseline only: still nothing measured
    expect(tracker.update(stats(1_050, 0))).to.equal(5);
  });

  it('measures loss from the post-reset baseline', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(10_000, 0));
    tracker.update(stats(50, 0)); // reset
    // 100 of 1000 lost since the reset → 10% → 2
    expect(tracker.update(stats(950, 100))).to.equal(2);
  });

  it('counts a falling packetsLost (late packets) as no loss, not as gain', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(1_000, 50));
    expect(tracker.update(stats(2_000, 10))).to.equal(5);
    expect(tracker.update(stats(3_000, 10))).to.equal(5);
  });

  it('accepts negative cumulative packetsLost (duplicates), as the spec allows', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(1_000, -3));
    expect(tracker.update(stats(1_900, 97))).to.equal(2); // 100 lost of 1000 → 10% → 2
  });

  it('holds the score while no packet flows (e.g. the remote muted)', () => {
    const tracker = new QualityTracker();
    feedLoss(tracker, [0.06, 0.06, 0.06]);
    expect(tracker.score).to.equal(3);
    expect(tracker.update(stats(2_820, 180))).to.equal(3);
    expect(tracker.update(stats(2_820, 180))).to.equal(3);
  });

  it('ignores non-finite counters and keeps the previous baseline', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(1_000, 0));
    expect(tracker.update(stats(Number.NaN, 0))).to.equal(0);
    // 100 lost of 1100 since the 1000/0 baseline → 9.1% → R ≈ 70.2 → 3
    expect(tracker.update(stats(2_000, 100))).to.equal(3);
  });

  it('uses RTT, jitter and bitrate alongside loss', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(0, 0));
    expect(tracker.update(stats(1_000, 0, { roundTripTimeMs: 400 }))).to.equal(2);
    const other = new QualityTracker();
    other.update(stats(0, 0));
    expect(other.update(stats(1_000, 0, { availableOutgoingBitrate: 100_000 }))).to.equal(2);
    const jittery = new QualityTracker();
    jittery.update(stats(0, 0));
    expect(jittery.update(stats(1_000, 0, { jitterMs: 150 }))).to.equal(3);
  });

  it('handles huge counters', () => {
    const tracker = new QualityTracker();
    tracker.update(stats(1e15, 1e12));
    expect(tracker.update(stats(1e15 + 1e6, 1e12 + 2e5))).to.equal(1); // 200k lost of 1.2M → 17% → 1
  });

  it('reset() forgets the score, the history and the baseline', () => {
    const tracker = new QualityTracker();
    feedLoss(tracker, [0.3, 0.3, 0.3]);
    expect(tracker.score).to.equal(1);
    tracker.reset();
    expect(tracker.score).to.equal(0);
    expect(tracker.update(stats(500_000, 400_000))).to.equal(0); // a baseline again, not a 100%-loss interval
    expect(tracker.update(stats(501_000, 400_000))).to.equal(5);
  });

  it('reports through the score getter what update returned', () => {
    const tracker = new QualityTracker();
    const scores = feedLoss(tracker, [0, 0.1, 0.1]);
    expect(tracker.score).to.equal(scores[scores.length - 1]);
  });
});
