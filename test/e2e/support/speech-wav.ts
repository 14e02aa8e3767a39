import { writeFileSync } from 'node:fs';

/**
 * Writes a WAV file that sounds enough like speech for the browser's voice processing to let it through: a voiced
 * buzz (a 140 Hz fundamental with falling harmonics) in syllables of 180 ms, with 70 ms gaps, for `seconds`.
 * Chromium plays it as the fake microphone with `--use-file-for-fake-audio-capture=<path>` (looping).
 * The default fake microphone only beeps, which noise suppression reduces to near silence.
 */
export function writeSpeechLikeWav(path: string, seconds = 10, sampleRate = 48_000): void {
  const samples = seconds * sampleRate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    const inSyllable = t % 0.25 < 0.18;
    const envelope = inSyllable ? Math.sin((Math.PI * (t % 0.25)) / 0.18) : 0;
    let value = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) value += Math.sin(2 * Math.PI * 140 * harmonic * t) / harmonic;
    data.writeInt16LE(Math.round(0.35 * envelope * value * 32767 / 2), i * 2);
  }
  writeWav(path, data, sampleRate);
}

/** Writes mono 16-bit PCM `data` as a WAV file. */
function writeWav(path: string, data: Buffer, sampleRate: number): void {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

/** How {@link noisySpeech} alternates: speech over the noise, then the noise alone, each this long. */
export const NOISY_SPEECH_SEGMENT_S = 1.5;

/** Vowels' first three formants (Hz): a, e, i, o, u. */
const VOWELS = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [270, 2290, 3010],
  [570, 840, 2410],
  [300, 870, 2240],
] as const;

/** A two-pole resonator at `frequency` Hz, `bandwidth` Hz wide, gain-normalised at its peak. */
function resonator(frequency: number, bandwidth: number, sampleRate: number): (input: number) => number {
  const r = Math.exp((-Math.PI * bandwidth) / sampleRate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * frequency) / sampleRate);
  const a2 = -r * r;
  const gain = 1 - r;
  let y1 = 0;
  let y2 = 0;
  return (input) => {
    const y = gain * input + a1 * y1 + a2 * y2;
    y2 = y1;
    y1 = y;
    return y;
  };
}

/**
 * Speech over steady noise, then the noise alone, in turns of {@link NOISY_SPEECH_SEGMENT_S}, as samples in [-1, 1]:
 * the input noise suppression is measured with. The speech is vowels made the way a voice makes them (a pulse train
 * at a wandering pitch through three formant resonators), in syllables of 200 ms with 50 ms gaps, about 20 dB over
 * the noise; the noise is a fan's: white noise, slightly low-passed, the same level throughout. Deterministic.
 */
export function noisySpeech(seconds: number, sampleRate = 48_000): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let seed = 0x5eed;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  let lowPassed = 0;
  let phase = 0;
  let syllable = -1;
  let formants: ((input: number) => number)[] = [];
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    const speaking = Math.floor(t / NOISY_SPEECH_SEGMENT_S) % 2 === 0;
    const inSyllable = t % 0.25;
    if (Math.floor(t / 0.25) !== syllable) {
      syllable = Math.floor(t / 0.25);
      formants = VOWELS[syllable % VOWELS.length]!.map((frequency, index) => resonator(frequency, 60 + 40 * index, sampleRate));
    }
    // 110–170 Hz, gliding within a syllable as intonation does.
    const pitch = 110 + 40 * ((syllable * 7) % 3) / 2 + 20 * Math.sin(2 * Math.PI * 3 * t);
    phase += pitch / sampleRate;
    let pulse = 0;
    if (phase >= 1) {
      phase -= 1;
      pulse = 1;
    }
    const voiced = formants.reduce((sum, formant) => sum + formant(pulse), 0);
    const envelope = speaking && inSyllable < 0.2 ? Math.sin((Math.PI * inSyllable) / 0.2) : 0;
    lowPassed = 0.7 * lowPassed + 0.3 * (random() * 2 - 1);
    samples[i] = 2.2 * envelope * voiced + 0.05 * lowPassed;
  }
  return samples;
}

/** Writes {@link noisySpeech} as a WAV file for `--use-file-for-fake-audio-capture`. */
export function writeNoisySpeechWav(path: string, seconds = 12, sampleRate = 48_000): void {
  const samples = noisySpeech(seconds, sampleRate);
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  writeWav(path, data, sampleRate);
}
