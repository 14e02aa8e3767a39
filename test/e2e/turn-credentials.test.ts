import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './support/browser.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';
import { startTurnServer, type TurnServer } from './support/turn-server.js';

const SECRET = 'parley-e2e-turn-secret';

let turn: TurnServer;
let parley: RunningServer;
let embedder: Embedder;
let browser: Browser;

before(async () => {
  // coturn checks REST credentials against the shared secret; it knows no user of its own.
  turn = await startTurnServer({ auth: 'secret', secret: SECRET });
  // No ICE_SERVERS: the only way to the TURN server is the credentials the server mints on join.
  parley = await startParley({ TURN_URLS: turn.urls.join(','), TURN_SECRET: SECRET, TURN_TTL_S: '600' });
  embedder = await startEmbedder(parley.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await embedder?.close();
  await parley?.close();
  await turn?.close();
});

async function waitForRelayedFrames(receiver: SdkPage, senderId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = (await receiver.received(senderId)).framesDecoded;
  for (;;) {
    await delay(500);
    const now = await receiver.received(senderId);
    if (now.framesDecoded > last && now.localCandidateType === 'relay') return;
    last = now.framesDecoded;
    if (Date.now() > deadline) assert.fail(`${receiver.name} got no relayed frames within ${timeoutMs} ms: ${JSON.stringify(now)}`);
  }
}

test('a relay-only call through coturn (use-auth-secret) with the credentials each join received', async () => {
  const { code } = await createMeeting(parley.url);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  const adaId = await ada.join(parley.url, code, { iceTransportPolicy: 'relay' });
  const bobId = await bob.join(parley.url, code, { iceTransportPolicy: 'relay' });
  await waitForRelayedFrames(ada, bobId, 20_000);
  await waitForRelayedFrames(bob, adaId, 20_000);
  await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
  await Promise.all([ada.close(), bob.close()]);
});

test('coturn refuses a credential minted with another secret: the relay path really rests on the minted ones', async () => {
  const mallory = await SdkPage.open(browser, embedder.url, 'Mallory');
  const gathered = await mallory.page.evaluate(async ({ urls, expiry }) => {
    const username = `${expiry}:mallory`;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('not-the-secret'), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username));
    const credential = btoa(String.fromCharCode(...new Uint8Array(signature)));
    const pc = new RTCPeerConnection({ iceServers: [{ urls, username, credential }], iceTransportPolicy: 'relay' });
    pc.createDataChannel('probe');
    const types: string[] = [];
    pc.onicecandidate = (event) => event.candidate && types.push(event.candidate.type ?? '');
    await pc.setLocalDescription();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8000);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    pc.close();
    return types;
  }, { urls: turn.urls, expiry: Math.floor(Date.now() / 1000) + 600 });
  assert.deepEqual(gathered, [], 'no relay candidate with a forged credential');
  await mallory.close();
});
