import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './support/browser.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-restart-'));
const env = { DATABASE_PATH: join(dir, 'parley.db'), RESUME_WINDOW_MS: '15000' };

let parley: RunningServer;
let embedder: Embedder;
let browser: Browser;

before(async () => {
  parley = await startParley(env);
  embedder = await startEmbedder(parley.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await embedder?.close();
  await parley?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a graceful restart: the SDK reconnects to the new process and resumes, media never stops', async () => {
  const { code } = await createMeeting(parley.url);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  const adaId = await ada.join(parley.url, code);
  const bobId = await bob.join(parley.url, code);
  for (const page of [ada, bob]) await page.recordLifecycleEvents();
  await ada.page.waitForFunction((id) => window.__room.participants.get(id)?.connectionState === 'connected', bobId, { timeout: 20_000 });

  const port = new URL(parley.url).port;
  await parley.close();
  const framesWhileDown = await ada.framesDecodedFrom(bobId);
  await delay(500);
  assert.ok((await ada.framesDecodedFrom(bobId)) > framesWhileDown, 'peer-to-peer media flows while the server is away');
  parley = await startParley({ ...env, PORT: port });

  for (const [page, self, other] of [
    [ada, adaId, bobId],
    [bob, bobId, adaId],
  ] as const) {
    await page.waitForLifecycleEvent('reconnected');
    const state = await page.page.evaluate(() => ({
      events: window.__lifecycle,
      self: window.__room.localParticipant.id,
      others: [...window.__room.participants.keys()],
    }));
    assert.deepEqual(state, { events: ['reconnecting', 'reconnected'], self, others: [other] }, `${page.name}: same identity, same meeting`);
  }
  // Signaling works again through the new process: a mute reaches the other side.
  await ada.page.evaluate(() => window.__room.toggleMicrophone(false));
  await bob.page.waitForFunction((id) => window.__room.participants.get(id)?.audioEnabled === false, adaId, { timeout: 10_000 });
  const before = await bob.framesDecodedFrom(adaId);
  await delay(500);
  assert.ok((await bob.framesDecodedFrom(adaId)) > before, 'media still flows');
  await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
  await Promise.all([ada.close(), bob.close()]);
});
