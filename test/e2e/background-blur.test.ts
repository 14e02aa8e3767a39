// Background blur (issue 16, item 1) through a real call: a camera that shows a person (a y4m file played by
// Chromium's fake capture), blurred on the page that chose it and as the other page receives it, peer to peer and
// through Janus; the person stays.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './support/browser.js';
import { launchChromiumWith } from './support/media-flags.js';
import { MeetingPage } from './support/meeting-page.js';
import { drawFigure } from '../../packages/elements/test/support/person-figure.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';
import { startSfuServer } from './support/sfu-server.js';
import { y4mOf } from './support/y4m.js';

const WIDTH = 640;
const HEIGHT = 360;

let parley: RunningServer;
let embedder: Embedder;
let browser: Browser;
let folder: string;
/** The camera's image, as the pages compare frames against it: see `measure`. */
let raw: Measure;

/** What the comparisons look at in one frame, scaled to 320×180. */
interface Measure {
  /** Mean absolute difference between horizontal neighbours' luma in the background (the shelf left and right of the person). */
  backgroundDetail: number;
  /** Luma of the person's face and sweater, on a coarse grid. */
  person: number[];
}

/** Measures `source` (an expression for a `<video>` or canvas) in `page`. */
function measure(page: Page, source: string): Promise<Measure | null> {
  // As a string: the pages lack the `__name` helper tsx adds to named functions.
  return page.evaluate(`globalThis.__name ??= (f) => f; (${measureIn.toString()})(${JSON.stringify(source)})`) as Promise<Measure | null>;
}

function measureIn(expression: string): Measure | null {
  {
    const image = new Function(`return (${expression})`)() as HTMLVideoElement | HTMLCanvasElement | null;
    if (!image || (image instanceof HTMLVideoElement && image.videoWidth === 0)) return null;
    const [width, height] = [320, 180];
    const canvas = document.createElement('canvas');
    Object.assign(canvas, { width, height });
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(image, 0, 0, width, height);
    const data = context.getImageData(0, 0, width, height).data;
    const luma = (x: number, y: number) => {
      const i = (y * width + x) * 4;
      return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    };
    let detail = 0;
    let count = 0;
    for (let y = 10; y < height * 0.55; y++) {
      for (const [from, to] of [[4, width * 0.14], [width * 0.86, width - 5]] as const) {
        for (let x = Math.round(from); x < to; x++) {
          detail += Math.abs(luma(x + 1, y) - luma(x, y));
          count += 1;
        }
      }
    }
    const person: number[] = [];
    for (const [x0, y0, x1, y1] of [[0.46, 0.3, 0.54, 0.5], [0.38, 0.82, 0.62, 0.97]] as const) {
      for (let gy = 0; gy < 4; gy++) {
        for (let gx = 0; gx < 4; gx++) {
          person.push(luma(Math.round((x0 + ((x1 - x0) * (gx + 0.5)) / 4) * width), Math.round((y0 + ((y1 - y0) * (gy + 0.5)) / 4) * height)));
        }
      }
    }
    return { backgroundDetail: detail / count, person };
  }
}

const meanDifference = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / a.length;

/** The `<video>` of `participantId`'s tile on that page. */
const tileVideo = (participantId: string) =>
  `document.querySelector('meeting-room').shadowRoot.querySelector('participant-grid').shadowRoot.querySelector('participant-tile[data-participant-id="${participantId}"]')?.shadowRoot.querySelector('video')`;
const previewVideo = `document.querySelector('meeting-room').shadowRoot.querySelector('prejoin-screen')?.shadowRoot.querySelector('video')`;

/** Waits until what `source` shows passes `check` (blurred, or not), within `timeoutMs`; returns the last measure. */
async function waitForFrame(page: Page, source: string, check: (frame: Measure) => boolean, what: string, timeoutMs = 30_000): Promise<Measure> {
  const deadline = Date.now() + timeoutMs;
  let last: Measure | null = null;
  while (Date.now() < deadline) {
    last = await measure(page, source);
    if (last && check(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const person = last && meanDifference(last.person, raw.person).toFixed(1);
  assert.fail(`${what}: last frame's background detail ${last?.backgroundDetail.toFixed(1)} (raw ${raw.backgroundDetail.toFixed(1)}), person off by ${person}`);
}

/** The person shows as the camera sees them (not a black or empty frame): what every check below asks too. */
const personShows = (frame: Measure) => meanDifference(frame.person, raw.person) < 30;
const blurred = (frame: Measure) => personShows(frame) && frame.backgroundDetail < raw.backgroundDetail * 0.35;
const sharp = (frame: Measure) => personShows(frame) && frame.backgroundDetail > raw.backgroundDetail * 0.6;

before(async () => {
  parley = await startParley();
  embedder = await startEmbedder(parley.url);
  // The person: drawn in a page, written as the fake camera's file.
  const painter = await launchChromium();
  try {
    const page = await painter.newPage();
    await page.addInitScript('window.__name = (f) => f');
    const rgba = await page.evaluate(`Array.from((${drawFigure.toString()})(${WIDTH}, ${HEIGHT}))`);
    const canvasSource = `(() => { const c = document.createElement('canvas'); c.width = ${WIDTH}; c.height = ${HEIGHT}; c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray((${drawFigure.toString()})(${WIDTH}, ${HEIGHT})), ${WIDTH}, ${HEIGHT}), 0, 0); return c; })()`;
    raw = (await measure(page, canvasSource))!;
    folder = await mkdtemp(join(tmpdir(), 'parley-blur-'));
    await writeFile(join(folder, 'person.y4m'), y4mOf(rgba as number[], WIDTH, HEIGHT, 4));
  } finally {
    await painter.close();
  }
  browser = await launchChromiumWith({ extraArgs: [`--use-file-for-fake-video-capture=${join(folder, 'person.y4m')}`] });
});

after(async () => {
  await browser?.close();
  await embedder?.close();
  await parley?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('blur chosen in the prejoin shows in the preview, is what the other page receives, follows the settings and the API, and is remembered', async () => {
  assert.ok(raw.backgroundDetail > 8, `the shelf has fine detail (${raw.backgroundDetail})`);
  const meeting = await createMeeting(parley.url);
  const bob = await MeetingPage.open(browser, embedder.url, meeting, 'Bob');
  const query = new URLSearchParams({ code: meeting.code, name: 'Ada', prejoin: '1' });
  const ada = await MeetingPage.openUrl(browser, `${embedder.url}/?${query}`, 'Ada', {
    join: async (page) => {
      const select = page.locator('meeting-room >> prejoin-screen >> select[part~="background-select"]');
      await waitForFrame(page, previewVideo, sharp, 'the preview before any effect');
      await select.selectOption('strong');
      await waitForFrame(page, previewVideo, blurred, 'the preview with strong blur');
      assert.equal(await page.evaluate(() => localStorage.getItem('parley:background')), 'strong');
      await page.click('meeting-room >> prejoin-screen >> [part~="join"]');
    },
  });
  const bobSees = await waitForFrame(bob.page, tileVideo(ada.participantId), blurred, "Bob's view of Ada, blurred from the start");
  await waitForFrame(ada.page, tileVideo(ada.participantId), blurred, "Ada's own tile");
  // Ada's camera reaches Bob unprocessed: Bob never chose an effect.
  await waitForFrame(ada.page, tileVideo(bob.participantId), sharp, "Ada's view of Bob");

  // Settings: back to no effect; Bob receives the raw camera again.
  await ada.page.click('meeting-room >> meeting-controls >> [part~="settings"]');
  const settingsSelect = ada.page.locator('meeting-room >> device-settings >> select[part~="background-select"]');
  assert.equal(await settingsSelect.inputValue(), 'strong');
  await settingsSelect.selectOption('none');
  await waitForFrame(bob.page, tileVideo(ada.participantId), sharp, "Bob's view of Ada with the effect off");

  // The API: light blur, with its event; the camera turned off and on keeps it.
  const changed = ada.evaluateRoom(
    (room) => new Promise((resolve) => room.addEventListener('parley-background-changed', (event) => resolve(event.detail.background), { once: true })),
  );
  await ada.evaluateRoom((room) => room.setBackground({ type: 'blur', strength: 'light' }));
  assert.deepEqual(await changed, { type: 'blur', strength: 'light' });
  await ada.evaluateRoom(async (room) => {
    await room.toggleCamera(false);
    await room.toggleCamera(true);
  });
  const light = await waitForFrame(bob.page, tileVideo(ada.participantId), (frame) => personShows(frame) && frame.backgroundDetail < raw.backgroundDetail * 0.7, "Bob's view of Ada with light blur");
  assert.equal(await settingsSelect.inputValue(), 'light');
  await screenshot(ada.page, 'background-blur');
  console.log(`# background detail: raw ${raw.backgroundDetail.toFixed(1)}, strong ${bobSees.backgroundDetail.toFixed(1)}, light ${light.backgroundDetail.toFixed(1)}`);

  // An image that does not load: a typed error, and the raw camera goes on.
  const failure = await ada.evaluateRoom((room) =>
    room.setBackground({ type: 'image', url: '/no-such-image.png' }).then(
      () => 'resolved',
      (error: { code: string }) => error.code,
    ),
  );
  assert.equal(failure, 'background-unavailable');
  await waitForFrame(bob.page, tileVideo(ada.participantId), sharp, "Bob's view of Ada after the failed image");
  assert.equal(await settingsSelect.inputValue(), 'none');
  await Promise.all([ada.context.close(), bob.context.close()]);
});

test('in SFU mode too: the other page receives the blurred camera through Janus, and the raw one once it is off', async () => {
  const sfu = await startSfuServer();
  try {
    const meeting = await createMeeting(sfu.parley.url);
    const ada = await MeetingPage.open(browser, sfu.embedder.url, meeting, 'Ada');
    const bob = await MeetingPage.open(browser, sfu.embedder.url, { code: meeting.code }, 'Bob');
    await waitForFrame(bob.page, tileVideo(ada.participantId), sharp, "Bob's view of Ada through Janus, before any effect");
    await ada.evaluateRoom((room) => room.setBackground({ type: 'blur', strength: 'strong' }));
    await waitForFrame(bob.page, tileVideo(ada.participantId), blurred, "Bob's view of Ada through Janus, blurred");
    await ada.evaluateRoom((room) => room.setBackground({ type: 'none' }));
    await waitForFrame(bob.page, tileVideo(ada.participantId), sharp, "Bob's view of Ada through Janus, the effect off");
    await Promise.all([ada.context.close(), bob.context.close()]);
  } finally {
    await sfu.stop();
  }
});
