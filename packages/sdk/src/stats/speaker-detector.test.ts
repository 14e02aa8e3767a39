import { expect } from '@esm-bundle/chai';
import {
  DEFAULT_SPEAKER_DETECTOR_OPTIONS,
  SpeakerDetector,
  type SpeakerState,
} from './speaker-detector.js';

type Levels = Record<string, number>;

const STEP = 50;
const QUIET = 0.001;
const VOICE = 0.1;

/** Feeds one update every `step` ms for t in [from, to], with the levels `at(t)`; returns the states by time. */
function run(
  detector: SpeakerDetector,
  from: number,
  to: number,
  at: (t: number) => Levels,
  step = STEP,
): Map<number, SpeakerState> {
  const states = new Map<number, SpeakerState>();
  for (let t = from; t <= to; t += step) states.set(t, detector.update(t, new Map(Object.entries(at(t)))));
  return states;
}

/** The state at time `t` of a run (fails loudly if there was no update then). */
function at(states: Map<number, SpeakerState>, t: number): SpeakerState {
  const state = states.get(t);
  if (state === undefined) throw new Error(`no update at ${t}`);
  return state;
}

const speakingIds = (state: SpeakerState): string[] => [...state.speaking].sort();

/** Times at which the active speaker changed during a run. */
function activeChanges(states: Map<number, SpeakerState>): [number, string | null][] {
  return [...states].filter(([, state]) => state.activeSpeakerChanged).map(([t, state]) => [t, state.activeSpeaker]);
}

describe('SpeakerDetector', () => {
  describe('options', () => {
    it('has documented defaults', () => {
      expect(DEFAULT_SPEAKER_DETECTOR_OPTIONS).to.deep.equal({
        threshold: 0.02,
        onsetMs: 250,
        releaseMs: 750,
        minActiveSpeechMs: 1000,
        activeSilenceMs: 1500,
        takeoverRatio: 1.25,
        smoothingMs: 500,
      });
      expect(new SpeakerDetector().options).to.deep.equal(DEFAULT_SPEAKER_DETECTOR_OPTIONS);
    });

    it('merges partial options over the defaults', () => {
      const options = new SpeakerDetector({ onsetMs: 100 }).options;
      expect(options.onsetMs).to.equal(100);
      expect(options.releaseMs).to.equal(750);
    });

    it('rejects negative, NaN and infinite options and a takeoverRatio below 1', () => {
      expect(() => new SpeakerDetector({ onsetMs: -1 })).to.throw(RangeError);
      expect(() => new SpeakerDetector({ threshold: Number.NaN })).to.throw(RangeError);
      expect(() => new SpeakerDetector({ releaseMs: Number.POSITIVE_INFINITY })).to.throw(RangeError);
      expect(() => new SpeakerDetector({ takeoverRatio: 0.9 })).to.throw(RangeError);
    });

    it('marks a participant speaking on the first loud sample with onsetMs 0', () => {
      const state = new SpeakerDetector({ onsetMs: 0 }).update(0, new Map([['a', VOICE]]));
      expect(speakingIds(state)).to.deep.equal(['a']);
    });
  });

  describe('with 0 or 1 participant', () => {
    it('reports nothing, and no change, for an empty room', () => {
      const state = new SpeakerDetector().update(0, new Map());
      expect(state.speaking.size).to.equal(0);
      expect(state.activeSpeaker).to.equal(null);
      expect(state.changed).to.equal(false);
    });

    it('ignores a participant below the threshold', () => {
      const states = run(new SpeakerDetector(), 0, 5000, () => ({ a: 0.0199 }));
      for (const state of states.values()) {
        expect(state.speaking.size).to.equal(0);
        expect(state.activeSpeaker).to.equal(null);
      }
    });

    it('counts a level exactly at the threshold as voice', () => {
      const states = run(new SpeakerDetector(), 0, 300, () => ({ a: 0.02 }));
      expect(speakingIds(at(states, 250))).to.deep.equal(['a']);
    });

    it('starts speaking after 250 ms of voice, and takes the spotlight after 1 s', () => {
      const states = run(new SpeakerDetector(), 0, 1500, () => ({ a: VOICE }));
      expect(speakingIds(at(states, 200))).to.deep.equal([]);
      expect(speakingIds(at(states, 250))).to.deep.equal(['a']);
      expect(at(states, 950).activeSpeaker).to.equal(null);
      expect(at(states, 1000).activeSpeaker).to.equal('a');
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });

    it('flags speakingChanged only on the update where the set changes', () => {
      const states = run(new SpeakerDetector(), 0, 400, () => ({ a: VOICE }));
      const changedAt = [...states].filter(([, state]) => state.speakingChanged).map(([t]) => t);
      expect(changedAt).to.deep.equal([250]);
      expect(at(states, 250).changed).to.equal(true);
      expect(at(states, 300).changed).to.equal(false);
    });

    it('stops speaking after 750 ms below the threshold, but keeps the spotlight', () => {
      const states = run(new SpeakerDetector(), 0, 10_000, (t) => ({ a: t <= 1500 ? VOICE : QUIET }));
      expect(speakingIds(at(states, 2200))).to.deep.equal(['a']);
      expect(speakingIds(at(states, 2250))).to.deep.equal([]);
      expect(at(states, 2250).speakingChanged).to.equal(true);
      expect(at(states, 10_000).activeSpeaker).to.equal('a');
    });

    it('does not blink on pauses between words shorter than the release time', () => {
      // 800 ms of voice, 600 ms of pause, repeated.
      const states = run(new SpeakerDetector(), 0, 5000, (t) => ({ a: t % 1400 < 800 ? VOICE : QUIET }));
      for (const [t, state] of states) if (t >= 250) expect(speakingIds(state), `at ${t}`).to.deep.equal(['a']);
      // The stretch runs across the pauses: first loud sample 0, a loud sample at 1400 → 1.4 s of speech.
      expect(at(states, 1350).activeSpeaker).to.equal(null);
      expect(at(states, 1400).activeSpeaker).to.equal('a');
    });

    it('restarts the onset when a sample dips below the threshold', () => {
      const states = run(new SpeakerDetector(), 0, 600, (t) => ({ a: t === 250 ? QUIET : VOICE }));
      expect(speakingIds(at(states, 500))).to.deep.equal([]);
      expect(speakingIds(at(states, 550))).to.deep.equal(['a']);
    });

    it('treats NaN and negative levels as silence and clamps levels above 1', () => {
      const silent = run(new SpeakerDetector(), 0, 2000, (t) => ({ a: t % 100 === 0 ? Number.NaN : -1 }));
      expect(at(silent, 2000).speaking.size).to.equal(0);
      const loud = run(new SpeakerDetector(), 0, 1000, () => ({ a: 5 }));
      expect(at(loud, 1000).activeSpeaker).to.equal('a');
    });
  });

  describe('a cough', () => {
    const cough = (start: number) => (t: number): number => (t >= start && t < start + 400 ? 0.9 : QUIET);

    it('lights the speaking indicator but does not take an empty spotlight', () => {
      const states = run(new SpeakerDetector(), 0, 5000, (t) => ({ b: cough(0)(t) }));
      expect(speakingIds(at(states, 300))).to.deep.equal(['b']);
      for (const state of states.values()) expect(state.activeSpeaker).to.equal(null);
    });

    it('does not steal the spotlight from someone talking', () => {
      const states = run(new SpeakerDetector(), 0, 6000, (t) => ({ a: VOICE, b: cough(2000)(t) }));
      expect(speakingIds(at(states, 2300))).to.deep.equal(['a', 'b']);
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });

    it('does not steal the spotlight from someone who has long been silent', () => {
      const states = run(new SpeakerDetector(), 0, 9000, (t) => ({ a: t <= 1500 ? VOICE : QUIET, b: cough(5000)(t) }));
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });

    it('does not steal it even when coughs repeat with gaps longer than the release time', () => {
      const coughs = (t: number): number => (t >= 2000 && t % 1500 < 300 ? 0.9 : QUIET);
      const states = run(new SpeakerDetector(), 0, 12_000, (t) => ({ a: t <= 1500 ? VOICE : QUIET, b: coughs(t) }));
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });
  });

  describe('two or more people', () => {
    it('hands the spotlight to a louder speaker once they have talked for 1 s', () => {
      const states = run(new SpeakerDetector(), 0, 5000, (t) => ({ a: VOICE, b: t >= 2000 ? 0.4 : QUIET }));
      expect(at(states, 2950).activeSpeaker).to.equal('a');
      expect(at(states, 3000).activeSpeaker).to.equal('b');
      expect(activeChanges(states)).to.deep.equal([
        [1000, 'a'],
        [3000, 'b'],
      ]);
    });

    it('keeps the spotlight when two people of similar loudness talk over each other', () => {
      const states = run(new SpeakerDetector(), 0, 10_000, (t) => ({ a: 0.2, b: t >= 2000 ? 0.22 : QUIET }));
      expect(speakingIds(at(states, 2500))).to.deep.equal(['a', 'b']);
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });

    it('does not ping-pong when two overlapping speakers fluctuate around each other', () => {
      const states = run(new SpeakerDetector(), 0, 20_000, (t) => ({
        a: Math.floor(t / 300) % 2 === 0 ? 0.25 : 0.15,
        b: Math.floor(t / 300) % 2 === 0 ? 0.15 : 0.25,
      }));
      expect(activeChanges(states)).to.have.length(1);
    });

    it('passes the spotlight to a quieter speaker when the active one pauses (smoothed level decays)', () => {
      const states = run(new SpeakerDetector(), 0, 6000, (t) => ({
        a: t <= 2000 ? VOICE : QUIET,
        b: t >= 2100 ? 0.05 : QUIET,
      }));
      expect(activeChanges(states)).to.deep.equal([
        [1000, 'a'],
        [3100, 'b'],
      ]);
    });

    it('passes the spotlight after 1.5 s of silence even to someone not louder', () => {
      const states = run(new SpeakerDetector({ takeoverRatio: 100 }), 0, 6000, (t) => ({
        a: t <= 2000 ? VOICE : QUIET,
        b: t >= 2100 ? 0.05 : QUIET,
      }));
      expect(at(states, 3450).activeSpeaker).to.equal('a');
      expect(activeChanges(states)).to.deep.equal([
        [1000, 'a'],
        [3500, 'b'],
      ]);
    });

    it('never hands the spotlight to someone who is not (yet) speaking long enough, however loud', () => {
      const states = run(new SpeakerDetector(), 0, 4000, (t) => ({ a: VOICE, b: t >= 2000 && t < 2900 ? 1 : QUIET }));
      expect(activeChanges(states)).to.deep.equal([[1000, 'a']]);
    });

    it('picks the smaller id between two identical speakers, whatever the map order', () => {
      const states = run(new SpeakerDetector(), 0, 1200, () => ({ b: VOICE, a: VOICE }));
      expect(at(states, 1000).activeSpeaker).to.equal('a');
    });

    it('picks the louder of two who start together', () => {
      const states = run(new SpeakerDetector(), 0, 1200, () => ({ a: VOICE, b: 0.3 }));
      expect(at(states, 1000).activeSpeaker).to.equal('b');
    });

    it('flags speakingChanged when a second person starts talking', () => {
      const states = run(new SpeakerDetector(), 0, 3000, (t) => ({ a: VOICE, b: t >= 2000 ? VOICE : QUIET }));
      expect(at(states, 2250).speakingChanged).to.equal(true);
      expect(at(states, 2250).activeSpeakerChanged).to.equal(false);
      expect(speakingIds(at(states, 2250))).to.deep.equal(['a', 'b']);
    });
  });

  describe('participants leaving', () => {
    it('drops the active speaker who leaves, leaving no one when nobody qualifies', () => {
      const detector = new SpeakerDetector();
      run(detector, 0, 2000, () => ({ a: VOICE, b: QUIET }));
      expect(detector.activeSpeaker).to.equal('a');
      const state = detector.update(2050, new Map([['b', QUIET]]));
      expect(state.activeSpeaker).to.equal(null);
      expect(state.speaking.size).to.equal(0);
      expect(state.activeSpeakerChanged).to.equal(true);
      expect(state.speakingChanged).to.equal(true);
    });

    it('hands the spotlight at once to a qualifying speaker when the active one leaves', () => {
      const detector = new SpeakerDetector();
      run(detector, 0, 3000, (t) => ({ a: 0.3, b: t >= 500 ? 0.05 : QUIET }));
      expect(detector.activeSpeaker).to.equal('a');
      const state = detector.update(3050, new Map([['b', 0.05]]));
      expect(state.activeSpeaker).to.equal('b');
      expect(speakingIds(state)).to.deep.equal(['b']);
    });

    it('empties everything when the room empties', () => {
      const detector = new SpeakerDetector();
      run(detector, 0, 2000, () => ({ a: VOICE, b: VOICE }));
      const state = detector.update(2050, new Map());
      expect(state).to.include({ activeSpeaker: null, changed: true });
      expect(state.speaking.size).to.equal(0);
    });

    it('treats someone who leaves and comes back as new (onset again)', () => {
      const detector = new SpeakerDetector();
      run(detector, 0, 2000, () => ({ a: VOICE }));
      detector.update(2050, new Map());
      const back = run(detector, 2100, 2400, () => ({ a: VOICE }));
      expect(speakingIds(at(back, 2300))).to.deep.equal([]);
      expect(speakingIds(at(back, 2350))).to.deep.equal(['a']);
      expect(at(back, 2400).activeSpeaker).to.equal(null);
    });
  });

  describe('large rooms', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `p-${String(i).padStart(3, '0')}`);

    it('finds the one talker among 500', () => {
      const states = run(new SpeakerDetector(), 0, 1000, () =>
        Object.fromEntries(ids.map((id) => [id, id === 'p-123' ? VOICE : QUIET])),
      );
      expect(speakingIds(at(states, 1000))).to.deep.equal(['p-123']);
      expect(at(states, 1000).activeSpeaker).to.equal('p-123');
    });

    it('picks deterministically when all 500 talk alike', () => {
      const states = run(new SpeakerDetector(), 0, 1000, () => Object.fromEntries(ids.map((id) => [id, VOICE])));
      expect(at(states, 1000).speaking.size).to.equal(500);
      expect(at(states, 1000).activeSpeaker).to.equal('p-000');
    });
  });

  describe('time and state', () => {
    it('takes a time earlier than the previous update as equal to it', () => {
      const detector = new SpeakerDetector();
      run(detector, 0, 1000, () => ({ a: VOICE }));
      expect(speakingIds(detector.update(500, new Map([['a', QUIET]])))).to.deep.equal(['a']);
      expect(speakingIds(detector.update(1700, new Map([['a', QUIET]])))).to.deep.equal(['a']);
      expect(speakingIds(detector.update(1750, new Map([['a', QUIET]])))).to.deep.equal([]);
    });

    it('returns a fresh set each update, which callers may keep or mutate', () => {
      const detector = new SpeakerDetector();
      const states = run(detector, 0, 300, () => ({ a: VOICE }));
      const first = at(states, 300).speaking as Set<string>;
      first.clear();
      const next = detector.update(350, new Map([['a', VOICE]]));
      expect(speakingIds(next)).to.deep.equal(['a']);
      expect(next.speaking).to.not.equal(first);
      expect(next.speakingChanged).to.equal(false);
    });

    it('reset() forgets participants, the spotlight and the clock', () => {
      const detector = new SpeakerDetector();
      run(detector, 10_000, 12_000, () => ({ a: VOICE }));
      detector.reset();
      expect(detector.activeSpeaker).to.equal(null);
      const states = run(detector, 0, 300, () => ({ a: VOICE }));
      expect(at(states, 0).speaking.size).to.equal(0);
      expect(speakingIds(at(states, 250))).to.deep.equal(['a']);
    });

    it('exposes the active speaker through the getter', () => {
      const detector = new SpeakerDetector();
      const states = run(detector, 0, 1200, () => ({ a: VOICE }));
      expect(detector.activeSpeaker).to.equal(at(states, 1200).activeSpeaker);
      expect(detector.activeSpeaker).to.equal('a');
    });
  });
});
