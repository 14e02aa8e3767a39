import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ignore } from '../outcomes.js';

type Host = ReactiveControllerHost & HTMLElement;

/**
 * A microphone level meter: measures a track with WebAudio once a frame and shows it on the host's meter element as
 * `aria-valuenow` (0–100) and `--level` (0–1). -60 dBFS (silence) … 0 dBFS (full scale), with a short decay so the
 * bar does not flicker. Stops measuring while the host is out of the page.
 */
export class MicLevelController implements ReactiveController {
  readonly #host: Host;
  readonly #meter: () => HTMLElement | null;
  #context?: AudioContext | null;
  #analyser?: AnalyserNode | null;
  #source?: MediaStreamAudioSourceNode | null;
  #samples?: Float32Array<ArrayBuffer> | null;
  #frame = 0;
  #level = -1;

  constructor(host: Host, meter: () => HTMLElement | null) {
    this.#host = host;
    this.#meter = meter;
    host.addController(this);
  }

  /** Measures `track` from now on (a new capture, a switched microphone). */
  listen(track: MediaStreamTrack | undefined): void {
    if (!track || !this.#host.isConnected) return;
    try {
      const context = (this.#context ??= new AudioContext());
      this.#source?.disconnect();
      this.#source = context.createMediaStreamSource(new MediaStream([track]));
      if (!this.#analyser) {
        this.#analyser = context.createAnalyser();
        this.#analyser.fftSize = 1024;
        this.#samples = new Float32Array(this.#analyser.fftSize);
      }
      this.#source.connect(this.#analyser);
      this.resume();
    } catch {
      return; // No WebAudio: the meter stays at 0.
    }
    if (!this.#frame) this.#frame = requestAnimationFrame(this.#tick);
  }

  /** Some browsers run audio processing only after a user gesture: call this from one. */
  resume(): void {
    // Rejects only once closed: then there is nothing to measure.
    this.#context?.resume().catch(ignore);
  }

  /** Stops measuring and lets go of the audio processing. */
  close(): void {
    this.hostDisconnected();
    this.#source?.disconnect();
    this.#source = this.#analyser = this.#samples = null;
    this.#level = -1;
    // Rejects only for a context already closed.
    this.#context?.close().catch(ignore);
    this.#context = null;
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #tick = (): void => {
    this.#frame = 0;
    const analyser = this.#analyser;
    const samples = this.#samples;
    if (!analyser || !samples || !this.#host.isConnected) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const rms = Math.sqrt(sum / samples.length);
    const decibels = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
    const target = Math.max(0, Math.min(100, Math.round(((decibels + 60) / 60) * 100)));
    const level = Math.max(target, Math.round(Math.max(0, this.#level) * 0.85));
    const meter = this.#meter();
    if (level !== this.#level && meter) {
      this.#level = level;
      meter.setAttribute('aria-valuenow', String(level));
      meter.style.setProperty('--level', String(level / 100));
    }
    this.#frame = requestAnimationFrame(this.#tick);
  };
}
