import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting, startParley } from './support/servers.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface ExampleSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds `examples/<name>` with its own Vite config and serves the result from a loopback port of its own: an origin
 * other than the Parley server's. Built here rather than in `npm run build`, which only this file would need: 5–10 s
 * per app on two cores, and what the test runs is never stale.
 * The apps read `?server=…&code=…&name=…&hostKey=…`; an address without `server` is redirected to one naming
 * `parleyUrl`, so `MeetingPage.open`, which passes the rest, opens them as it opens the plain embedder.
 */
async function buildAndServe(name: 'react' | 'vue', parleyUrl: string, outDir: string): Promise<ExampleSite> {
  const root = fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url));
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://example');
    if (!url.searchParams.has('server') && !extname(url.pathname)) {
      url.searchParams.set('server', parleyUrl);
      response.writeHead(302, { Location: `${url.pathname}${url.search}` }).end();
      return;
    }
    const file = join(outDir, normalize(extname(url.pathname) ? url.pathname : '/index.html'));
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The names in the app's own participant list: framework-rendered DOM, outside `<meeting-room>`. */
function listedNames(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Others in the meeting' }).getByRole('listitem').allTextContents();
}

/** The app's own status line (light DOM only: the element has status regions of its own in its shadow root). */
function appStatus(page: Page): Promise<string> {
  return page.locator('body > div > header > [role="status"]').innerText();
}

/** The app's own Leave button, which calls the element's `leave()` (the element's own is "Leave meeting"). */
function leaveButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Leave', exact: true });
}

/** Waits until `read` resolves to `expected`, then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await read();
  while (!isDeepStrictEqual(actual, expected) && Date.now() < deadline) {
    await delay(50);
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}

describe('<meeting-room> inside React 19 and Vue 3 apps built with Vite', () => {
  let parley: RunningServer;
  let browser: Browser;
  let outDir: string;
  let meeting: { code: string; hostKey: string };
  /** The React app's, then the Vue app's. */
  const sites: ExampleSite[] = [];
  const pages: MeetingPage[] = [];

  before(async () => {
    parley = await startParley();
    outDir = await mkdtemp(join(tmpdir(), 'parley-examples-'));
    for (const name of ['react', 'vue'] as const) sites.push(await buildAndServe(name, parley.url, join(outDir, name)));
    browser = await launchChromium();
    meeting = await createMeeting(parley.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(sites.map((site) => site.close()));
    if (outDir) await rm(outDir, { recursive: true, force: true });
    await parley?.close();
  });

  test('a React page and a Vue page in one meeting see and hear each other', async () => {
    const [react, vue] = sites as [ExampleSite, ExampleSite];
    pages.push(await MeetingPage.open(browser, react.url, meeting, 'Ada'));
    pages.push(await MeetingPage.open(browser, vue.url, { code: meeting.code }, 'Bob'));
    await assertTiles(pages);
    await assertEveryoneReceivesEveryone(pages);
  });

  test("the elements' events reach each framework: its own list names the other participant", async () => {
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    // Bob joined second: Ada's React app heard of him live, Bob's Vue app heard of Ada while joining.
    await eventually(() => listedNames(ada.page), ['Bob'], 'the React app lists Bob');
    await eventually(() => listedNames(bob.page), ['Ada'], 'the Vue app lists Ada');
    for (const { page } of pages) assert.equal(await appStatus(page), 'In the meeting');
  });

  test("each framework's Leave button leaves, the app hears parley-left, and no live track remains", async () => {
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    await leaveButton(bob.page).click();
    await eventually(() => appStatus(bob.page), 'You left', 'the Vue app handled parley-left');
    await ada.waitForTile(bob.participantId, 'tile === null', 5000);
    await eventually(() => listedNames(ada.page), [], 'the React app handled parley-participant-left');
    assert.deepEqual(await bob.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });

    await leaveButton(ada.page).click();
    await eventually(() => appStatus(ada.page), 'You left', 'the React app handled parley-left');
    assert.deepEqual(await ada.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
    for (const { page } of pages) assert.equal(await leaveButton(page).isDisabled(), true);
  });

  test('parley-error reaches each framework: a meeting that does not exist', async () => {
    for (const site of sites) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${site.url}/?code=zzzz-zzzz-zzzz&name=Eve`);
      const alert = page.locator('body > div > header > [role="alert"]');
      await alert.waitFor({ timeout: 10_000 });
      assert.match(await alert.innerText(), /no meeting/i);
      assert.equal(await appStatus(page), 'Not in the meeting');
      await context.close();
    }
  });
});
