/**
 * Background blur and virtual background, as a chunk fetched the first time an effect is chosen. Segmentation is
 * MediaPipe's selfie model, loaded at run time from `assetsUrl` (the Parley server's `/parley-assets/` by default).
 *
 * It runs on the main thread: MediaPipe's solution script builds its WebGL canvas with `document`, which a worker
 * lacks. Where the browser has insertable streams (`MediaStreamTrackProcessor`/`MediaStreamTrackGenerator`,
 * Chromium), frames go from the camera through the segmentation to the sent track without a `<video>` or timers;
 * elsewhere a `<video>` is drawn into a canvas whose `captureStream()` is sent.
 */
import { ParleyError, type ProcessedVideo, type VideoEffect } from '@parley/sdk';
import type { BackgroundChoice } from './background-choice.js';

/** The subset of MediaPipe's `SelfieSegmentation` used here (its script defines it on `globalThis`). */
interface SelfieSegmentation {
  initialize(): Promise<void>;
  setOptions(options: { modelSelection: number; useCpuInference: boolean }): void;
  onResults(listener: (results: { segmentationMask: CanvasImageSource }) => void): void;
  send(inputs: { image: HTMLCanvasElement }): Promise<void>;
}
type SelfieSegmentationConstructor = new (config: { locateFile: (file: string) => string }) => SelfieSegmentation;

/** The landscape model's input: what it sees of every frame, whatever the camera's size. */
const SEGMENTATION_WIDTH = 256;
const SEGMENTATION_HEIGHT = 144;
/** Blur radius as a share of the frame's height: the same look at 360p and 720p. */
const BLUR_SHARE = { light: 1 / 60, strong: 1 / 20 };
/** Above this a frame's work cannot keep 15 fps: the mask is then reused for every other frame. */
const FRAME_BUDGET_MS = 1000 / 15;

let segmenter: Promise<Segmenter> | undefined;

/**
 * Makes the effect `choice` describes (not `none`), for `LocalParticipant.setVideoEffect()`, once its model and image
 * loaded: a failure rejects here with `background-unavailable`, also while no camera is on yet.
 */
export async function backgroundEffect(choice: Exclude<BackgroundChoice, { type: 'none' }>, assetsUrl: string): Promise<VideoEffect> {
  const [segment, image] = await Promise.all([
    loadSegmenter(assetsUrl),
    choice.type === 'image' ? loadImage(choice.url) : Promise.resolve(null),
  ]);
  return async (camera) => {
    const stats: FrameStats = { frames: 0, segmented: 0, totalMs: 0 };
    const composite = compositor(segment, image, choice.type === 'blur' ? BLUR_SHARE[choice.strength] : 0, stats);
    const processed =
      'MediaStreamTrackProcessor' in globalThis && 'MediaStreamTrackGenerator' in globalThis
        ? insertableStreams(camera, composite)
        : canvasCapture(camera, composite);
    return { ...processed, stats };
  };
}

/** What processing cost so far (read by `npm run bench`): frames drawn, how many were segmented, their total time. */
export interface FrameStats {
  frames: number;
  segmented: number;
  totalMs: number;
}

/** Runs the segmentation on one frame at a time; `draw` gets the mask while it is valid (within MediaPipe's callback). */
type Segmenter = (frame: HTMLCanvasElement, draw: (mask: CanvasImageSource) => void) => Promise<void>;

function loadSegmenter(assetsUrl: string): Promise<Segmenter> {
  segmenter ??= (async () => {
    const base = assetsUrl.replace(/\/?$/, '/');
    const global = globalThis as { SelfieSegmentation?: SelfieSegmentationConstructor };
    if (!global.SelfieSegmentation) await loadScript(`${base}selfie_segmentation.js`);
    const model = new global.SelfieSegmentation!({ locateFile: (file) => base + file });
    // The landscape model (144×256 input); on the CPU (TFLite's XNNPACK in WebAssembly): where WebGL is software
    // (no GPU, as on a headless server) the GPU path measured 330 ms a frame against 45 ms, and on a real GPU the
    // CPU path is still a few milliseconds for this small model.
    model.setOptions({ modelSelection: 1, useCpuInference: true });
    let draw: (mask: CanvasImageSource) => void = () => undefined;
    model.onResults((results) => draw(results.segmentationMask));
    await model.initialize();
    let queue = Promise.resolve();
    return (frame: HTMLCanvasElement, drawMask: (mask: CanvasImageSource) => void) => {
      // One model for every pipeline (the preview's and the call's): one frame in it at a time.
      queue = queue.then(() => {
        draw = drawMask;
        return model.send({ image: frame });
      });
      return queue;
    };
  })().catch((cause: unknown) => {
    segmenter = undefined;
    throw ParleyError.backgroundUnavailable(`The segmentation model did not load from ${assetsUrl}`, cause);
  });
  return segmenter;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.crossOrigin = 'anonymous';
    script.onload = () => resolve();
    script.onerror = () => {
      script.remove();
      reject(new Error(`${src} did not load`));
    };
    document.head.append(script);
  });
}

async function loadImage(url: string): Promise<HTMLImageElement> {
  const image = new Image();
  // Drawn into the sent frames: a canvas tainted by another origin's image could not be captured.
  image.crossOrigin = 'anonymous';
  image.src = url;
  try {
    await image.decode();
  } catch (cause) {
    throw ParleyError.backgroundUnavailable(`The background image ${url} did not load`, cause);
  }
  return image;
}

/** Draws one camera frame, its background blurred or replaced, into `output`; measures what that cost. */
type Compositor = (frame: CanvasImageSource, width: number, height: number, output: HTMLCanvasElement | OffscreenCanvas) => Promise<void>;

function compositor(segment: Segmenter, image: HTMLImageElement | null, blurShare: number, stats: FrameStats): Compositor {
  const small = document.createElement('canvas');
  small.width = SEGMENTATION_WIDTH;
  small.height = SEGMENTATION_HEIGHT;
  const smallContext = small.getContext('2d')!;
  // The last mask, kept to be reused on a frame the segmentation skips.
  const mask = new OffscreenCanvas(SEGMENTATION_WIDTH, SEGMENTATION_HEIGHT);
  const maskContext = mask.getContext('2d')!;
  let costMs = 0;
  return async (frame, width, height, output) => {
    const started = performance.now();
    if (output.width !== width || output.height !== height) Object.assign(output, { width, height });
    const context = output.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    stats.frames += 1;
    if (costMs <= FRAME_BUDGET_MS || stats.frames % 2 === 0) {
      stats.segmented += 1;
      smallContext.drawImage(frame, 0, 0, SEGMENTATION_WIDTH, SEGMENTATION_HEIGHT);
      await segment(small, (segmentation) => {
        maskContext.globalCompositeOperation = 'copy';
        maskContext.drawImage(segmentation, 0, 0, SEGMENTATION_WIDTH, SEGMENTATION_HEIGHT);
      });
    }
    // The person: the mask's alpha, filled with the frame.
    context.globalCompositeOperation = 'copy';
    context.filter = 'none';
    context.drawImage(mask, 0, 0, width, height);
    context.globalCompositeOperation = 'source-in';
    context.drawImage(frame, 0, 0, width, height);
    // Behind it: the frame blurred, or the image, covering the frame.
    context.globalCompositeOperation = 'destination-over';
    if (image) {
      const scale = Math.max(width / image.naturalWidth, height / image.naturalHeight);
      const [w, h] = [image.naturalWidth * scale, image.naturalHeight * scale];
      context.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
    } else {
      context.filter = `blur(${Math.round(height * blurShare)}px)`;
      context.drawImage(frame, 0, 0, width, height);
    }
    context.globalCompositeOperation = 'source-over';
    const spent = performance.now() - started;
    stats.totalMs += spent;
    // A moving average, so one slow frame does not halve the segmentation's rate.
    costMs = costMs * 0.9 + spent * 0.1;
  };
}

/** Chromium: camera frames in, processed frames out, as streams; stopping cancels the read and ends the track. */
function insertableStreams(camera: MediaStreamTrack, composite: Compositor): ProcessedVideo {
  const processor = new MediaStreamTrackProcessor({ track: camera });
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const output = new OffscreenCanvas(1, 1);
  const stopped = new AbortController();
  const transform = new TransformStream<VideoFrame, VideoFrame>({
    async transform(frame, controller) {
      try {
        await composite(frame, frame.displayWidth, frame.displayHeight, output);
        controller.enqueue(new VideoFrame(output, { timestamp: frame.timestamp }));
      } finally {
        frame.close();
      }
    },
  });
  // Ends when stopped, or when the camera's track ends (its frames stop).
  processor.readable.pipeThrough(transform, { signal: stopped.signal }).pipeTo(generator.writable, { signal: stopped.signal }).catch(() => undefined);
  return {
    track: generator,
    stop: () => {
      stopped.abort();
      generator.stop();
    },
  };
}

/** Elsewhere: the camera plays in a detached `<video>`, each new frame is drawn into a canvas that is captured. */
function canvasCapture(camera: MediaStreamTrack, composite: Compositor): ProcessedVideo {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([camera]);
  const output = document.createElement('canvas');
  const track = output.captureStream().getVideoTracks()[0]!;
  let running = true;
  const next = (): void => {
    if (!running) return;
    if (video.videoWidth === 0) {
      video.requestVideoFrameCallback(next);
      return;
    }
    void composite(video, video.videoWidth, video.videoHeight, output).finally(() => video.requestVideoFrameCallback(next));
  };
  video.requestVideoFrameCallback(next);
  void video.play();
  return {
    track,
    stop: () => {
      running = false;
      video.srcObject = null;
      track.stop();
    },
  };
}

// Insertable streams, in Chromium only: not in TypeScript's DOM types.
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<VideoFrame>;
}
declare class MediaStreamTrackGenerator extends MediaStreamTrack {
  constructor(init: { kind: 'video' });
  readonly writable: WritableStream<VideoFrame>;
}
