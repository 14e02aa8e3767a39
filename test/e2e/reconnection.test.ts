import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting, startEmbedder, startParley, type Embedder } from './support/servers.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/** Starts recording the room's connection events in the page. */
async function recordRoomEvents(page: MeetingPage): Promise<void> {
  await page.page.evaluate(() => {
    const log: string[] = [];
    (window as unknown as { __roomEvents: string[] }).__roomEvents = log;
    const room = document.querySelector('meeting-room')!.room!;
    for (const event of ['reconnecting', 'reconnected', 'disconnected', 'left'] as const) {
      room.on(event, () => log.push(event));
    }
  });
}

function roomEvents(page: MeetingPage): Promise<string[]> {
  return page.page.evaluate(() => (window as unknown as { __roomEvents: string[] }).__roomEvents);
}

function roomState(page: MeetingPage): Promise<string | undefined> {
  return page.page.evaluate(() => document.querySelector('meeting-room')!.room?.state);
}

/** Generous bounds: reconnecting waits out Socket.IO's backoff (up to 6 s), slower still on a loaded CI machine. */
async function waitForRoomState(page: MeetingPage, state: string, timeoutMs: number): Promise<void> {
  await page.page.waitForFunction((expected) => document.querySelector('meeting-room')!.room?.state === expected, state, {
    timeout: timeoutMs,
    polling: 100,
  });
}

/** Who each page's room holds: no one twice, no one missing. */
async function assertSameMeeting(pages: MeetingPage[]): Promise<void> {
  for (const page of pages) {
    const ids = await page.page.evaluate(() => [...document.querySelector('meeting-room')!.room!.participants.keys()]);
    const expected = pages.filter((other) => other !== page).map((other) => other.participantId);
    assert.deepEqual([...ids].sort(), [...expected].sort(), `${page.name}'s participants after the outage`);
  }
  await assertTiles(pages);
}

async function participantsOnServer(parley: RunningServer): Promise<number> {
  const metrics = await (await fetch(`${parley.url}/metrics`)).text();
  return Number(/^parley_participants (\d+)$/m.exec(metrics)?.[1]);
}

describe('signaling drops mid-call', () => {
  let parley: RunningServer;
  let proxy: TcpProxy;
  let embedder: Embedder;
  let browser: Browser;
  let pages: MeetingPage[] = [];

  before(async () => {
    parley = await startParley({ RESUME_WINDOW_MS: '20000' });
    // Browsers reach the server only through the proxy, which the tests cut; the server itself keeps running.
    proxy = await startTcpProxy(Number(new URL(parley.url).port));
    embedder = await startEmbedder(proxy.url);
    browser = await launchChromium();
  });

  afterEach(async () => {
    await proxy.unblock();
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });

  after(async () => {
    await browser?.close();
    await embedder?.close();
    await proxy?.close();
    await parley?.close();
  });

  async function openMeeting(names: string[]): Promise<MeetingPage[]> {
    const meeting = await createMeeting(parley.url);
    for (const name of names) pages.push(await MeetingPage.open(browser, embedder.url, meeting, name));
    await assertEveryoneReceivesEveryone(pages);
    for (const page of pages) await recordRoomEvents(page);
    return pages;
  }

  test('every socket cut: media keeps flowing during the outage, and the meeting reconverges', async () => {
    const pages = await openMeeting(['Ada', 'Bob', 'Carol']);
    await proxy.block('reset');
    proxy.cut();
    for (const page of pages) await waitForRoomState(page, 'reconnecting', 10_000);

    // Signaling is down for everyone, yet every picture keeps moving.
    await assertEveryoneReceivesEveryone(pages);
    for (const page of pages) assert.equal(await roomState(page), 'reconnecting');

    await proxy.unblock();
    for (const page of pages) await waitForRoomState(page, 'joined', 30_000);
    for (const page of pages) assert.deepEqual(await roomEvents(page), ['reconnecting', 'reconnected']);
    await assertSameMeeting(pages);
    assert.equal(await participantsOnServer(parley), 3, 'the server holds each participant once');

    // Signaling works again: a mute travels.
    const [ada, ...others] = pages as [MeetingPage, ...MeetingPage[]];
    await ada.evaluateRoom((element) => element.toggleMicrophone(false));
    await Promise.all(others.map((page) => page.waitForTile(ada.participantId, "tile.hasAttribute('audio-muted')", 2000)));
    await assertEveryoneReceivesEveryone(pages);
  });

  test('the server loses the connection state: the SDK resumes with its token, and the room catches up', async () => {
    const pages = await openMeeting(['Ada', 'Bob']);
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    await proxy.block('reset');
    proxy.cut();
    await waitForRoomState(ada, 'reconnecting', 10_000);
    // As if the connection came back to a server that never saw it: Socket.IO cannot restore the session.
    (parley.io.of('/').adapter as unknown as { sessions: Map<string, unknown> }).sessions.clear();
    // Meanwhile Bob toggles his camera; Ada misses the broadcast and must learn it on resume.
    await bob.page.evaluate(() => {
      // Sent while offline: the SDK holds it until Bob is back in the meeting.
      void document.querySelector('meeting-room')!.toggleCamera(false);
    });
    await proxy.unblock();
    for (const page of pages) await waitForRoomState(page, 'joined', 30_000);
    await assertSameMeeting(pages);
    assert.equal(await participantsOnServer(parley), 2);
    await ada.waitForTile(bob.participantId, "tile.hasAttribute('camera-off')", 5000);
    await bob.evaluateRoom((element) => element.toggleCamera(true));
    await assertEveryoneReceivesEveryone(pages);
  });

  test('the server refuses the resume with `internal` a few times (its store is down): the room retries and gets back in', async () => {
    const pages = await openMeeting(['Ada', 'Bob']);
    const [ada] = pages as [MeetingPage, MeetingPage];
    let refusals = 3;
    // A connection middleware, so that its packet middleware comes before the server's own (which handles every
    // event): it answers the first resumes as a node whose store is down does. Inert once they are used up.
    parley.io.use((socket, next) => {
      socket.use(([event, ...args], nextPacket) => {
        if (event !== 'resume-meeting' || refusals === 0) return nextPacket();
        refusals -= 1;
        const ack = args.at(-1) as (result: unknown) => void;
        ack({ ok: false, error: { code: 'internal', message: 'storage unavailable' } });
      });
      next();
    });
    await proxy.block('reset');
    proxy.cut();
    await waitForRoomState(ada, 'reconnecting', 10_000);
    // Once the server has seen the sockets go, as if they came back to a node that never held them.
    while (parley.io.of('/').sockets.size > 0) await delay(50);
    (parley.io.of('/').adapter as unknown as { sessions: Map<string, unknown> }).sessions.clear();
    await proxy.unblock();
    for (const page of pages) await waitForRoomState(page, 'joined', 30_000);
    assert.equal(refusals, 0, 'the server refused the resumes');
    for (const page of pages) assert.deepEqual(await roomEvents(page), ['reconnecting', 'reconnected'], `${page.name} never left`);
    await assertSameMeeting(pages);
    await assertEveryoneReceivesEveryone(pages);
  });

  test("the server closes a participant's socket itself: the room ends at once instead of retrying", async () => {
    const pages = await openMeeting(['Ada', 'Bob']);
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    const socket = [...parley.io.of('/').sockets.values()].find((s) => s.data.participantId === ada.participantId)!;
    socket.disconnect(true);
    await waitForRoomState(ada, 'left', 5000);
    assert.deepEqual(await roomEvents(ada), ['disconnected', 'left']);
    await bob.waitForTile(ada.participantId, 'tile === null', 5000);
    assert.deepEqual(await ada.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
  });

  test('the server stays unreachable past the resume window: a call goes on; a room alone gives up; both release everything', async () => {
    // A separate server with a short window: the one above keeps its long one.
    const shortWindow = await startParley({ RESUME_WINDOW_MS: '2000' });
    const shortProxy = await startTcpProxy(Number(new URL(shortWindow.url).port));
    const shortEmbedder = await startEmbedder(shortProxy.url);
    try {
      const meeting = await createMeeting(shortWindow.url);
      const ada = await MeetingPage.open(browser, shortEmbedder.url, meeting, 'Ada');
      const bob = await MeetingPage.open(browser, shortEmbedder.url, meeting, 'Bob');
      const cy = await MeetingPage.open(browser, shortEmbedder.url, await createMeeting(shortWindow.url), 'Cy');
      pages.push(ada, bob, cy);
      await assertEveryoneReceivesEveryone([ada, bob]);
      for (const page of pages) await recordRoomEvents(page);
      await shortProxy.block('refuse');
      shortProxy.cut();
      // Cy is alone in his meeting: nothing to keep, so his room gives up once the window has passed.
      await waitForRoomState(cy, 'left', 10_000);
      assert.deepEqual(await roomEvents(cy), ['reconnecting', 'disconnected', 'left']);
      // Ada and Bob still see each other: their call goes on past the window, their rooms keep trying.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await assertEveryoneReceivesEveryone([ada, bob]);
      for (const page of [ada, bob]) assert.deepEqual(await roomEvents(page), ['reconnecting']);
      // Back, the server has dropped them (it was up all along, and they were away past its window): it refuses.
      await shortProxy.unblock();
      for (const page of [ada, bob]) {
        await waitForRoomState(page, 'left', 15_000);
        assert.deepEqual(await roomEvents(page), ['reconnecting', 'disconnected', 'left']);
      }
      for (const page of pages) {
        assert.deepEqual(await page.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
        assert.deepEqual(await page.openResources(), { openDataChannels: 0, openWebSockets: 0, pendingTimers: 0 });
      }
    } finally {
      await shortProxy.close();
      await shortEmbedder.close();
      await shortWindow.close();
    }
  });
});
