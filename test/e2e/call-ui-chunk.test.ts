// `/parley.js` holds what a meeting shows first; `<participant-grid>`, `<participant-tile>` and `<meeting-controls>`
// are a chunk beside it (packages/elements/src/call-ui.ts). Nobody may notice: a Join pressed before that chunk has
// arrived still opens the call, and pages that use those elements themselves still get them defined. The SDK's mesh
// transport is a chunk too, fetched while the prejoin screen shows.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();
const CALL_UI_CHUNK = /\/parley-call-ui-[\w-]+\.js$/;
const MESH_CHUNK = /\/parley-mesh-transport-[\w-]+\.js$/;

/** The call's own tile and microphone button, as a person sees them. */
async function assertCallShows(page: Page, name: string): Promise<void> {
  await page.locator('meeting-room participant-tile [part~="name"]', { hasText: name }).waitFor({ timeout: 15_000 });
  await page.locator('meeting-room meeting-controls [part~="microphone"]').waitFor({ timeout: 15_000 });
}

test('Join pressed the moment the prejoin screen shows, before the call chunk arrived: the call opens', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage({ viewport: { width: 1280, height: 720 } });
  // The chunk is held back until Join has been pressed: the worst case of a slow network.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let chunkRequested = false;
  await page.route(CALL_UI_CHUNK, async (route) => {
    chunkRequested = true;
    await released;
    await route.continue();
  });
  await page.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, prejoin: '1' })}`);
  await page.fill('meeting-room [part~="name"]', 'Ada');
  await page.click('meeting-room [part~="join"]');

  assert.equal(chunkRequested, true, 'fetched while the prejoin screen shows, before Join');
  assert.equal(await page.evaluate(() => customElements.get('participant-grid')), undefined, 'not arrived yet');
  release();
  await assertCallShows(page, 'Ada');
  // Focus follows into the call as before: to the microphone toggle.
  await page.waitForFunction(
    () => document.querySelector('meeting-room')!.shadowRoot!.activeElement?.localName === 'meeting-controls',
    undefined,
    { timeout: 15_000 },
  );
  await screenshot(page, 'join-before-call-chunk');
  await page.close();
});

test('Join pressed the moment the prejoin screen shows, without idle time: the call opens', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage();
  await page.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, prejoin: '1', name: 'Bea' })}`);
  await page.click('meeting-room [part~="join"]');
  await assertCallShows(page, 'Bea');
  await page.close();
});

test('the call chunk out of reach: Join says the server cannot be reached, and works once it is back', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage();
  await page.route(CALL_UI_CHUNK, (route) => route.abort('connectionrefused'));
  await page.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, prejoin: '1', name: 'Eve' })}`);
  await page.click('meeting-room [part~="join"]');
  await page
    .locator('meeting-room [role="alert"]', { hasText: 'The meeting server cannot be reached.' })
    .waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room), null, 'not in the meeting');
  await screenshot(page, 'call-chunk-unreachable');

  await page.unroute(CALL_UI_CHUNK);
  await page.click('meeting-room [part~="join"]');
  await assertCallShows(page, 'Eve');
  await page.close();
});

test('the mesh chunk: fetched while the prejoin screen shows; out of reach, Join says the server cannot be reached, and works once it is back', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage();
  let fetchedBeforeJoin = false;
  await page.route(MESH_CHUNK, (route) => {
    fetchedBeforeJoin = true;
    return route.abort('connectionrefused');
  });
  await page.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, prejoin: '1', name: 'Ida' })}`);
  await page.locator('meeting-room [part~="join"]').waitFor();
  await page.waitForTimeout(1000);
  assert.equal(fetchedBeforeJoin, true, 'fetched while the prejoin screen shows, before Join');
  await page.click('meeting-room [part~="join"]');
  await page
    .locator('meeting-room [role="alert"]', { hasText: 'The meeting server cannot be reached.' })
    .waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room), null, 'not in the meeting');

  await page.unroute(MESH_CHUNK);
  await page.click('meeting-room [part~="join"]');
  await assertCallShows(page, 'Ida');
  await page.close();
});

/** Pages of a site of its own that lays out a call itself with Parley's elements and the SDK from parley.js. */
const ownLayouts = new Map<string, string>();
let site: Server;
let siteUrl: string;
before(async () => {
  site = createServer((request, response) => {
    const body = ownLayouts.get(request.url ?? '');
    if (body === undefined) response.writeHead(404).end();
    else {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Own layout</title>${body}`);
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => site.close(() => resolve())));

async function openOwnLayout(page: Page, body: string): Promise<void> {
  const path = `/own-layout-${ownLayouts.size}`;
  ownLayouts.set(path, body);
  await page.goto(`${siteUrl}${path}`);
}

test('a page with <participant-grid> and <meeting-controls> of its own gets them defined by parley.js', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage();
  await openOwnLayout(
    page,
    `<participant-grid style="display:block;height:360px"></participant-grid><meeting-controls></meeting-controls>
    <script type="module">
      import { Room } from '${harness.parley.url}/parley.js';
      const room = new Room({ server: '${harness.parley.url}' });
      document.querySelector('participant-grid').room = room;
      document.querySelector('meeting-controls').room = room;
      await room.join({ code: '${meeting.code}', name: 'Cy' });
    </script>`,
  );
  await page.locator('participant-grid participant-tile [part~="name"]', { hasText: 'Cy' }).waitFor({ timeout: 15_000 });
  await page.locator('meeting-controls [part~="microphone"]').waitFor({ timeout: 15_000 });
  // Its buttons work: the microphone goes off.
  await page.click('meeting-controls [part~="microphone"]');
  await page.locator('participant-grid participant-tile [part~="mic-off"]').waitFor({ timeout: 15_000 });
  await page.close();
});

test('a <participant-tile> a script creates after parley.js loaded gets defined, with what was set before', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const page = await harness.browser.newPage();
  await openOwnLayout(
    page,
    `<script type="module">
      import { Room } from '${harness.parley.url}/parley.js';
      const room = new Room({ server: '${harness.parley.url}' });
      await room.join({ code: '${meeting.code}', name: 'Dee', video: false });
      const tile = document.createElement('participant-tile');
      tile.participant = room.localParticipant;
      document.body.append(tile);
    </script>`,
  );
  await page.locator('participant-tile [part~="name"]', { hasText: 'Dee' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => customElements.get('participant-tile') !== undefined), true);
  await page.close();
});
