import { expect } from '@esm-bundle/chai';
import { drawFigure } from '../../test/support/person-figure.js';
import { backgroundEffect } from './background-effect.js';

/** MediaPipe's files, as the test server serves the package (the Parley server serves the same at /parley-assets/). */
const ASSETS = '/node_modules/@mediapipe/selfie_segmentation/';
const [WIDTH, HEIGHT] = [320, 180];

/** A camera showing the test's person, repainted so that frames keep coming; `stop()` ends it. */
function personCamera(): { track: MediaStreamTrack; stop(): void } {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: WIDTH, height: HEIGHT });
  const context = canvas.getContext('2d')!;
  const person = new ImageData(drawFigure(WIDTH, HEIGHT), WIDTH, HEIGHT);
  const paint = setInterval(() => context.putImageData(person, 0, 0), 50);
  context.putImageData(person, 0, 0);
  const track = canvas.captureStream(20).getVideoTracks()[0]!;
  return { track, stop: () => (clearInterval(paint), track.stop()) };
}

/** A data: URL of a plain green image. */
function greenImage(): string {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: 64, height: 36 });
  const context = canvas.getContext('2d')!;
  context.fillStyle = 'rgb(0, 200, 0)';
  context.fillRect(0, 0, 64, 36);
  return canvas.toDataURL();
}

/** RGB at (x, y) in 0…1 of the frame `track` shows now, once it shows one whose corner is green. */
async function pixelsOf(track: MediaStreamTrack, points: [number, number][]): Promise<number[][]> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([track]);
  await video.play();
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: WIDTH, height: HEIGHT });
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const read = () => {
    context.drawImage(video, 0, 0, WIDTH, HEIGHT);
    return points.map(([x, y]) => [...context.getImageData(Math.round(x * WIDTH), Math.round(y * HEIGHT), 1, 1).data.slice(0, 3)]);
  };
  // The first frames may come before the model's first mask.
  let pixels = read();
  for (let waited = 0; pixels[0]![1]! <= 150 && waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    pixels = read();
  }
  video.srcObject = null;
  return pixels;
}

describe('backgroundEffect: MediaPipe segmentation on the test person', function () {
  this.timeout(60_000);

  for (const pipeline of ['insertable streams', 'canvas capture'] as const) {
    it(`${pipeline}: an image replaces what is behind the person, the person stays, stop() ends the output`, async () => {
      const global = globalThis as Record<string, unknown>;
      const processor = global.MediaStreamTrackProcessor;
      // The fallback of browsers without insertable streams: the same effect with them hidden.
      if (pipeline === 'canvas capture') delete global.MediaStreamTrackProcessor;
      const camera = personCamera();
      try {
        const effect = await backgroundEffect({ type: 'image', url: greenImage() }, ASSETS);
        const processed = await effect(camera.track);
        // Top-left corner: shelf, now the image; a cheek and the sweater: the person's own colours.
        const [corner, face, sweater] = await pixelsOf(processed.track, [[0.05, 0.1], [0.45, 0.43], [0.5, 0.9]]);
        expect(corner).to.satisfy(([r, g, b]: number[]) => r! < 60 && g! > 150 && b! < 60, `corner ${corner}`);
        expect(face).to.satisfy(([r, g, b]: number[]) => Math.abs(r! - 0xd9) < 30 && Math.abs(g! - 0xa4) < 30 && Math.abs(b! - 0x7f) < 30, `face ${face}`);
        expect(sweater).to.satisfy(([r, g, b]: number[]) => Math.abs(r! - 0x2b) < 30 && Math.abs(g! - 0x3a) < 30 && Math.abs(b! - 0x55) < 30, `sweater ${sweater}`);
        processed.stop();
        expect(processed.track.readyState).to.equal('ended');
        expect(camera.track.readyState, 'the camera is not the effect’s to stop').to.equal('live');
      } finally {
        camera.stop();
        global.MediaStreamTrackProcessor = processor;
      }
    });
  }

  it('an image that does not load rejects with background-unavailable before any camera is touched', async () => {
    const error = await backgroundEffect({ type: 'image', url: '/no-such-image.png' }, ASSETS).then(
      () => null,
      (failure: { code: string }) => failure,
    );
    expect(error?.code).to.equal('background-unavailable');
  });
});
