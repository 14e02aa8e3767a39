/**
 * `npm run bench:noise`: what noise suppression costs and what it takes out. RNNoise's wasm (`rnnoise.wasm` of
 * `@jitsi/rnnoise-wasm`) driven by the worklet's own frame code (`RnnoiseFrames`) in Node, whose V8 compiles and runs
 * the wasm as Chromium's audio worklet thread does, on the e2e test's input: vowels over a fan's noise, then the
 * noise alone, in turns. Per 10 ms frame: CPU time (median, p99, max) and its share of the frame's real time; the
 * energy of the noise-only and the speech turns before and after.
 *
 *   npm run bench:noise                  # 60 s of audio, 3 runs
 *   npm run bench:noise -- --seconds 10 --runs 1
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { FRAME_SIZE, RnnoiseFrames } from '../packages/sdk/src/noise/rnnoise-frames.js';
import { NOISY_SPEECH_SEGMENT_S, noisySpeech } from '../test/e2e/support/speech-wav.js';
import { machineLine, markdownTable, option, runBench } from './lib/run.js';

const SECONDS = Number(option('seconds', '60'));
const RUNS = Number(option('runs', '3'));
const SAMPLE_RATE = 48_000;
/** RNNoise learns the noise first: the first turns are left out of the energies. */
const SETTLE_S = 2 * NOISY_SPEECH_SEGMENT_S;

interface Run {
  /** CPU time of each frame, in microseconds. */
  frameMicros: number[];
  /** Mean energy (dBFS) of the noise-only and speech turns, in and out. */
  noiseIn: number;
  noiseOut: number;
  speechIn: number;
  speechOut: number;
}

const decibels = (energy: number) => 10 * Math.log10(energy);

function run(module: WebAssembly.Module, input: Float32Array): Run {
  const rnnoise = new RnnoiseFrames(module);
  const frame = new Float32Array(FRAME_SIZE);
  const frameMicros: number[] = [];
  const energy = { noiseIn: 0, noiseOut: 0, speechIn: 0, speechOut: 0, noiseFrames: 0, speechFrames: 0 };
  for (let start = 0; start + FRAME_SIZE <= input.length; start += FRAME_SIZE) {
    const original = input.subarray(start, start + FRAME_SIZE);
    frame.set(original);
    const began = performance.now();
    rnnoise.process(frame);
    frameMicros.push((performance.now() - began) * 1000);
    const t = start / SAMPLE_RATE;
    if (t < SETTLE_S) continue;
    const sum = (samples: Float32Array) => samples.reduce((total, sample) => total + sample * sample, 0) / samples.length;
    // The frame's turn; output is the same frame (RNNoise's own delay is a fraction of a turn).
    if (Math.floor(t / NOISY_SPEECH_SEGMENT_S) % 2 === 0) {
      energy.speechIn += sum(original);
      energy.speechOut += sum(frame);
      energy.speechFrames++;
    } else {
      energy.noiseIn += sum(original);
      energy.noiseOut += sum(frame);
      energy.noiseFrames++;
    }
  }
  rnnoise.destroy();
  return {
    frameMicros,
    noiseIn: decibels(energy.noiseIn / energy.noiseFrames),
    noiseOut: decibels(energy.noiseOut / energy.noiseFrames),
    speechIn: decibels(energy.speechIn / energy.speechFrames),
    speechOut: decibels(energy.speechOut / energy.speechFrames),
  };
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

await runBench(
  60_000 + RUNS * SECONDS * 1000,
  async () => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@jitsi/rnnoise-wasm/dist/rnnoise.wasm'));
    const module = await WebAssembly.compile(wasm);
    const input = noisySpeech(SECONDS, SAMPLE_RATE);
    return Array.from({ length: RUNS }, () => run(module, input));
  },
  (runs) => {
    const body = runs.map((result, index) => {
      const sorted = [...result.frameMicros].sort((a, b) => a - b);
      const median = percentile(sorted, 0.5);
      return [
        String(index + 1),
        String(sorted.length),
        median.toFixed(0),
        percentile(sorted, 0.99).toFixed(0),
        sorted.at(-1)!.toFixed(0),
        `${((median / 10_000) * 100).toFixed(2)} %`,
        `${result.noiseIn.toFixed(1)} → ${result.noiseOut.toFixed(1)} (${(result.noiseOut - result.noiseIn).toFixed(1)})`,
        `${result.speechIn.toFixed(1)} → ${result.speechOut.toFixed(1)} (${(result.speechOut - result.speechIn).toFixed(1)})`,
      ];
    });
    return [
      `RNNoise (@jitsi/rnnoise-wasm 0.2.1) on ${SECONDS} s of vowels over a fan's noise, Node ${process.version}, ${machineLine()}`,
      '',
      ...markdownTable(
        ['run', 'frames', 'µs/frame median', 'p99', 'max', 'share of the 10 ms', 'noise-only turns dBFS in → out (Δ dB)', 'speech turns dBFS in → out (Δ dB)'],
        body,
      ),
    ];
  },
);
