/** RNNoise works on frames of 10 ms at 48 kHz. */
export const FRAME_SIZE = 480;

/** RNNoise takes samples at the scale of 16-bit PCM; Web Audio's are in [-1, 1]. */
const PCM_SCALE = 32_768;

/**
 * The exports of `rnnoise.wasm` from `@jitsi/rnnoise-wasm` 0.2.1 (pinned: emscripten minified their names), read
 * from the glue code it ships (`dist/rnnoise.js`).
 */
interface RnnoiseExports {
  /** The module's memory. */
  c: WebAssembly.Memory;
  /** `__wasm_call_ctors` */
  d(): void;
  /** `rnnoise_create(model)`: 0 for the built-in model. */
  f(model: number): number;
  /** `malloc` */
  g(bytes: number): number;
  /** `rnnoise_destroy` */
  h(state: number): void;
  /** `rnnoise_process_frame(state, out, in)`: returns the probability of voice in the frame. */
  j(state: number, output: number, input: number): number;
}

/**
 * One RNNoise denoiser over the wasm module, without emscripten's glue: the glue fetches and compiles by itself,
 * which an AudioWorklet cannot. Used by the worklet, and by the tests and benchmark in Node.
 */
export class RnnoiseFrames {
  readonly #wasm: RnnoiseExports;
  readonly #state: number;
  /** Where a frame goes in and comes out, in the module's memory. */
  readonly #input: number;
  readonly #output: number;
  #heap: Float32Array;

  constructor(module: WebAssembly.Module) {
    let memory: WebAssembly.Memory | undefined;
    const imports = {
      a: {
        // emscripten_resize_heap(requested bytes): whether the memory could grow to that.
        a: (requested: number) => {
          try {
            memory!.grow(Math.ceil((requested - memory!.buffer.byteLength) / 65_536));
            return 1;
          } catch {
            return 0;
          }
        },
        // emscripten_memcpy_big(destination, source, length)
        b: (destination: number, source: number, length: number) => {
          new Uint8Array(memory!.buffer).copyWithin(destination, source, source + length);
        },
      },
    };
    this.#wasm = new WebAssembly.Instance(module, imports).exports as unknown as RnnoiseExports;
    memory = this.#wasm.c;
    this.#wasm.d();
    this.#state = this.#wasm.f(0);
    this.#input = this.#wasm.g(FRAME_SIZE * 4);
    this.#output = this.#wasm.g(FRAME_SIZE * 4);
    this.#heap = new Float32Array(memory.buffer);
  }

  /** Denoises one frame of {@link FRAME_SIZE} samples in [-1, 1], in place; returns the probability of voice in it. */
  process(frame: Float32Array): number {
    // A memory that grew has a new buffer.
    if (this.#heap.buffer !== this.#wasm.c.buffer) this.#heap = new Float32Array(this.#wasm.c.buffer);
    const heap = this.#heap;
    const input = this.#input / 4;
    const output = this.#output / 4;
    for (let i = 0; i < FRAME_SIZE; i++) heap[input + i] = frame[i]! * PCM_SCALE;
    const voice = this.#wasm.j(this.#state, this.#output, this.#input);
    for (let i = 0; i < FRAME_SIZE; i++) frame[i] = heap[output + i]! / PCM_SCALE;
    return voice;
  }

  /** Frees the denoiser's state. */
  destroy(): void {
    this.#wasm.h(this.#state);
  }
}
