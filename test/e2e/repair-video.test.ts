import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './support/browser.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';

/**
 * `RemoteParticipant.repairVideo()` renews the peer connection, whichever side asks: the one that offers renews it
 * itself, the other asks it to over the data channel. Afterwards both see each other's video on new tracks, and chat
 * still flows. (test/faults/frozen-video.test.ts shows it healing a picture frozen in the browser.)
 */
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

declare global {
  interface Window {
    /** The camera track last seen from each participant. */
    __cameraTracks: Map<string, MediaStreamTrack | undefined>;
  }
}

/**
 * Waits until frames decoded from `remoteId`'s camera advance on `page`, on another track than at the previous call
 * when `renewed` (another track object: a track's id follows the sender's, so it stays).
 */
async function receivingVideo(page: SdkPage, remoteId: string, renewed: boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last: number | null = null;
  for (;;) {
    const { decoded, onNewTrack } = await page.page.evaluate(async (id) => {
      const participant = window.__room.participants.get(id)!;
      window.__cameraTracks ??= new Map();
      const track = participant.stream?.getVideoTracks()[0];
      return { decoded: await participant.framesDecoded(), onNewTrack: window.__cameraTracks.get(id) !== track };
    }, remoteId);
    if (decoded !== null && last !== null && decoded > last && (onNewTrack || !renewed)) break;
    last = decoded;
    assert.ok(Date.now() < deadline, `${page.name} decodes no video from ${remoteId}${renewed ? ' on a new track' : ''} ${what}`);
    await delay(500);
  }
  await page.page.evaluate((id) => {
    window.__cameraTracks.set(id, window.__room.participants.get(id)!.stream?.getVideoTracks()[0]);
  }, remoteId);
}

test('repairVideo() renews the connection from either side: new tracks, video and chat flow again', async () => {
  const { code } = await createMeeting(parley.url);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  try {
    // Ada was there first: she offers.
    const adaId = await ada.join(parley.url, code);
    const bobId = await bob.join(parley.url, code);
    await receivingVideo(ada, bobId, false, 'at first');
    await receivingVideo(bob, adaId, false, 'at first');

    for (const [asker, remoteId, role] of [
      [ada, bobId, 'the offering side'],
      [bob, adaId, 'the answering side'],
    ] as const) {
      await asker.page.evaluate((id) => window.__room.participants.get(id)!.repairVideo(), remoteId);
      await receivingVideo(ada, bobId, true, `after a repair asked by ${role}`);
      await receivingVideo(bob, adaId, true, `after a repair asked by ${role}`);
      const text = `after a repair asked by ${role}`;
      await ada.page.evaluate((text) => window.__room.sendChatMessage(text), text);
      await bob.page.waitForFunction((text) => window.__room.chatMessages.some((message) => message.text === text), text, {
        timeout: 10_000,
      });
    }
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});
