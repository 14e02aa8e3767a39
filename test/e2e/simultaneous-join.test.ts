import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';

let parley: RunningServer;
let embedder: Embedder;
let browser: Browser;

before(async () => {
  parley = await startParley();
  embedder = await startEmbedder(parley.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await embedder?.close();
  await parley?.close();
});

test('three people joining at the same instant all connect', async () => {
  const meeting = await createMeeting(parley.url);
  const pages = await Promise.all(
    ['Ada', 'Bob', 'Carol'].map((name) => MeetingPage.open(browser, embedder.url, { code: meeting.code }, name)),
  );
  await assertTiles(pages);
  await assertEveryoneReceivesEveryone(pages);
});
