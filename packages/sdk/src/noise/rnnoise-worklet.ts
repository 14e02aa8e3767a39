// The AudioWorklet module noise suppression runs in: `registerProcessor` and `AudioWorkletProcessor` are globals of
// the worklet's scope, which TypeScript's DOM library does not describe.
import { FRAME_SIZE, RnnoiseFrames } from './rnnoise-frames.js';

declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}
declare function registerProcessor(
  name: string,
  processor: new (options: { processorOptions: { wasm: ArrayBuffer } }) => AudioWorkletProcessor,
): void;

/** Processed samples waiting to go out; at most two frames are ever waiting. */
const QUEUE_SIZE = 1024;

/**
 * Runs the microphone through RNNoise: Web Audio hands over 128 samples at a time, RNNoise takes 480, so what goes out
 * is one frame (10 ms) late. Posts `ready` once the wasm module is running; `close` from the node frees it.
 */
class RnnoiseProcessor extends AudioWorkletProcessor {
  readonly #rnnoise: RnnoiseFrames;
  readonly #frame = new Float32Array(FRAME_SIZE);
  #framed = 0;
  readonly #queue = new Float32Array(QUEUE_SIZE);
  #read = 0;
  /** One frame of silence ahead: a sample goes out only after the frame it belongs to was processed. */
  #write = FRAME_SIZE;
  #closed = false;

  constructor(options: { processorOptions: { wasm: ArrayBuffer } }) {
    super();
    this.#rnnoise = new RnnoiseFrames(new WebAssembly.Module(options.processorOptions.wasm));
    this.port.onmessage = () => {
      this.#closed = true;
      this.#rnnoise.destroy();
    };
    this.port.postMessage('ready');
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.#closed) return false;
    // No input while the microphone is being switched: silence goes in.
    const input = inputs[0]?.[0];
    const output = outputs[0]![0]!;
    for (let i = 0; i < output.length; i++) {
      this.#frame[this.#framed++] = input?.[i] ?? 0;
      if (this.#framed === FRAME_SIZE) {
        this.#rnnoise.process(this.#frame);
        for (const sample of this.#frame) this.#queue[this.#write++ % QUEUE_SIZE] = sample;
        this.#framed = 0;
      }
      output[i] = this.#queue[this.#read++ % QUEUE_SIZE]!;
    }
    return true;
  }
}

registerProcessor('parley-rnnoise', RnnoiseProcessor);
