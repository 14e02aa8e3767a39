import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { crashDuringCall, startCrashableServer, type CrashableServer } from './support/crash-scenario.js';

/**
 * The server process is killed (SIGKILL: no goodbye, no hand-over) in the middle of a three-person call and stays
 * away for 45 s, longer than the 30 s resume window: the call goes on peer to peer, and everyone is back as
 * themselves when a new process starts on the same SQLite file. A file of its own: it takes over a minute.
 */

let server: CrashableServer;
let browser: Browser;

before(async () => {
  server = await startCrashableServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('SIGKILL mid-call, 45 s away: the call goes on and everyone resumes as themselves', { timeout: 240_000 }, async () => {
  await crashDuringCall(browser, server, 45_000, 'server-away.png');
});
