import { ErrorCode, ParleyError } from '../errors.js';
import type { AudioFilter } from '../local-participant.js';

/** RNNoise's rate: the AudioContext resamples the microphone to it. */
const SAMPLE_RATE = 48_000;
/** How long a suspended AudioContext is given to start (it cannot before the person interacted with the page). */
const RESUME_TIMEOUT_MS = 1000;

/**
 * Makes the microphone's noise suppression: an AudioContext running RNNoise in an AudioWorklet, its worklet module
 * (`rnnoise-worklet.js`) and wasm (`rnnoise.wasm`) fetched from `assets`. Rejects with `unsupported` where the
 * browser has no AudioWorklet or WebAssembly, `invalid-state` where the page may not start audio yet, `internal`
 * when the assets cannot be fetched or run (a CSP without `'wasm-unsafe-eval'`); nothing stays running then.
 */
export async function createFilter(assets: string): Promise<AudioFilter> {
  if (typeof AudioWorkletNode !== 'function' || typeof WebAssembly !== 'object') {
    throw new ParleyError(ErrorCode.Unsupported, 'This browser cannot run noise suppression (no AudioWorklet or WebAssembly)');
  }
  const context = new AudioContext({ sampleRate: SAMPLE_RATE });
  try {
    // A relative URL is the page's.
    const base = new URL(assets.replace(/\/*$/, '/'), location.href);
    const [wasm] = await Promise.all([
      fetch(new URL('rnnoise.wasm', base)).then((response) => {
        if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
        return response.arrayBuffer();
      }),
      context.audioWorklet.addModule(new URL('rnnoise-worklet.js', base).href),
    ]);
    const node = new AudioWorkletNode(context, 'parley-rnnoise', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      channelCount: 1,
      channelCountMode: 'explicit',
      processorOptions: { wasm },
    });
    await new Promise((resolve, reject) => {
      node.port.onmessage = resolve;
      node.onprocessorerror = reject;
    });
    if (context.state !== 'running') {
      await Promise.race([context.resume(), new Promise((resolve) => setTimeout(resolve, RESUME_TIMEOUT_MS))]);
    }
    if (context.state !== 'running') throw ParleyError.invalidState('Audio cannot start before the person interacts with the page');
    return new RnnoiseFilter(context, node);
  } catch (cause) {
    void context.close();
    if (cause instanceof ParleyError) throw cause;
    throw new ParleyError(ErrorCode.Internal, `Could not start noise suppression from ${assets}`, { cause });
  }
}

/** The microphone through the worklet into one track, which stays while the microphone under it changes. */
class RnnoiseFilter implements AudioFilter {
  input: MediaStreamTrack | null = null;
  readonly #context: AudioContext;
  readonly #node: AudioWorkletNode;
  readonly #output: MediaStreamTrack;
  #source: MediaStreamAudioSourceNode | null = null;

  constructor(context: AudioContext, node: AudioWorkletNode) {
    this.#context = context;
    this.#node = node;
    const destination = context.createMediaStreamDestination();
    node.connect(destination);
    this.#output = destination.stream.getAudioTracks()[0]!;
  }

  process(track: MediaStreamTrack): MediaStreamTrack {
    if (track !== this.input) {
      this.#source?.disconnect();
      this.input?.stop();
      this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
      this.#source.connect(this.#node);
      this.input = track;
      // On or off is the processed track's from now on: the microphone under it always runs.
      this.#output.enabled = track.enabled;
      track.enabled = true;
    }
    return this.#output;
  }

  close(): void {
    this.#node.port.postMessage('close');
    this.#source?.disconnect();
    this.#output.stop();
    void this.#context.close();
  }
}
