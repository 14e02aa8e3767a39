import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

/** Background blur's cost per camera frame, as the effect itself counts it (see `FrameStats` in background-effect.ts). */
export interface BackgroundCost {
  width: number;
  height: number;
  seconds: number;
  /** Frames processed in that time: the camera's rate, or less when processing cannot keep up. */
  frames: number;
  /** How many of them ran the segmentation (the others reused the last mask: the machine could not keep 15 fps). */
  segmented: number;
  /** Mean time per frame, segmentation and compositing. */
  meanMs: number;
}

const bundleFolder = fileURLToPath(new URL('../../packages/elements/bundle/', import.meta.url));

/**
 * Runs the strong blur on Chromium's fake camera at 640×360 in a page of the Parley server (its assets, its CSP), for
 * `seconds` after two of warm-up (the model loads and compiles).
 */
export async function measureBackgroundCost(browser: Browser, parleyUrl: string, seconds: number): Promise<BackgroundCost> {
  const chunk = readdirSync(bundleFolder).find((file) => /^parley-background-effect-[\w-]+\.js$/.test(file));
  if (!chunk) throw new Error('No background effect chunk: build first');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // tsx names functions with a helper the page lacks.
    await page.addInitScript('window.__name = (f) => f');
    await page.goto(parleyUrl);
    return await page.evaluate(
      async ({ chunkUrl, seconds }) => {
        const { backgroundEffect } = await import(chunkUrl);
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 20 } });
        const camera = stream.getVideoTracks()[0]!;
        const effect = await backgroundEffect({ type: 'blur', strength: 'strong' }, '/parley-assets/selfie-segmentation/');
        const processed = await effect(camera);
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        await sleep(2000);
        const before = { ...processed.stats };
        await sleep(seconds * 1000);
        const after = { ...processed.stats };
        processed.stop();
        camera.stop();
        const frames = after.frames - before.frames;
        const { width = 0, height = 0 } = camera.getSettings();
        return { width, height, seconds, frames, segmented: after.segmented - before.segmented, meanMs: (after.totalMs - before.totalMs) / Math.max(frames, 1) };
      },
      { chunkUrl: `${parleyUrl}/${chunk}`, seconds },
    );
  } finally {
    await context.close();
  }
}
