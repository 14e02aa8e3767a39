import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { waitFor } from './support/processes.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';
import { startSfuServer, type SfuServer } from './support/sfu-server.js';

declare global {
  interface Window {
    /**
     * Each camera tile's <video>, by participant id: when it presented a frame and how many it had presented by then
     * (requestVideoFrameCallback's `presentationTime` and `presentedFrames`).
     */
    __frameTimes: Record<string, [time: number, presented: number][]>;
    /** When each remote camera tile's <video> was given a new stream (to 50 ms), by participant id. */
    __streamSwaps: Record<string, number[]>;
  }
}

/** The requirement: a switch of path shows no frozen or black tile for more than this. */
const MAX_GAP_MS = 1000;

/**
 * From now on, records when the <video> of every remote camera tile presents a frame, per participant: whatever the
 * tile shows (a new stream, a new element), a frozen or black tile is a gap between two of these.
 */
async function recordFrameTimes(page: MeetingPage): Promise<void> {
  // tsx names the functions below with a helper of its own, which the page lacks.
  await page.page.evaluate('self.__name ??= (target) => target');
  await page.page.evaluate(() => {
    window.__frameTimes = {};
    window.__streamSwaps = {};
    const watched = new WeakMap<HTMLVideoElement, MediaProvider | null>();
    const scan = () => {
      const grid = document.querySelector('meeting-room')?.shadowRoot?.querySelector('participant-grid')?.shadowRoot;
      for (const tile of grid?.querySelectorAll<HTMLElement>('participant-tile:not([source="screen"])') ?? []) {
        const id = tile.dataset.participantId!;
        const video = tile.shadowRoot?.querySelector('video');
        // A new element or a new stream on it: its own chain of callbacks (a stale chain only repeats times).
        if (!video || watched.get(video) === video.srcObject) continue;
        watched.set(video, video.srcObject);
        (window.__streamSwaps[id] ??= []).push(performance.now());
        const source = video.srcObject;
        const times = (window.__frameTimes[id] ??= []);
        const next = (_now: number, frame: VideoFrameCallbackMetadata) => {
          times.push([frame.presentationTime, frame.presentedFrames]);
          if (video.srcObject === source) video.requestVideoFrameCallback(next);
        };
        video.requestVideoFrameCallback(next);
      }
      setTimeout(scan, 50);
    };
    scan();
  });
}

/**
 * The longest gap between two frames of `remoteId`'s tile on `page` from `from` to `to` (page clock), when it began,
 * and when the tile was given a new stream (ms after `from`).
 */
async function longestGap(
  page: MeetingPage,
  remoteId: string,
  from: number,
  to: number,
): Promise<{ gap: number; at: number; frames: number; streamsAt: number[] }> {
  const [times, swaps] = await page.page.evaluate((id) => [window.__frameTimes[id] ?? [], window.__streamSwaps[id] ?? []] as const, remoteId);
  const within = [...new Map(times.filter(([time]) => time >= from && time <= to))].sort(([a], [b]) => a - b);
  let gap = within.length > 0 ? Math.max(within[0]![0] - from, to - within.at(-1)![0]) : to - from;
  let at = from;
  for (let index = 1; index < within.length; index++) {
    const [[before, presentedBefore], [time, presented]] = [within[index - 1]!, within[index]!];
    // A callback late because the page's main thread was busy says how many frames the compositor presented
    // meanwhile: the picture moved, a frame every so often.
    const interval = (time - before) / Math.max(1, presented - presentedBefore);
    if (interval > gap) [gap, at] = [interval, before];
  }
  const streamsAt = swaps.filter((time) => time >= from && time <= to).map((time) => Math.round(time - from));
  return { gap: Math.round(gap), at: Math.round(at - from), frames: within.length, streamsAt };
}

const pageNow = (page: MeetingPage) => page.page.evaluate(() => performance.now());

/**
 * The ends of the connection that carries `remoteId`'s media to `page`, as `address:port`: on the mesh, the remote
 * end is the other page's own local end; through the SFU, it is Janus.
 */
function selectedPair(page: MeetingPage, remoteId: string): Promise<{ local: string; remote: string } | null> {
  return page.page.evaluate(async (id) => {
    const report = await document.querySelector('meeting-room')!.room!.getStats(id);
    const stats = new Map<string, Record<string, unknown>>();
    report?.forEach((entry: Record<string, unknown>) => stats.set(entry['id'] as string, entry));
    const transport = [...stats.values()].find((entry) => entry['type'] === 'transport' && entry['selectedCandidatePairId']);
    const pair = stats.get(transport?.['selectedCandidatePairId'] as string);
    const end = (candidateId: unknown) => {
      const candidate = stats.get(candidateId as string);
      return candidate ? `${candidate['address']}:${candidate['port']}` : '';
    };
    return pair ? { local: end(pair['localCandidateId']), remote: end(pair['remoteCandidateId']) } : null;
  }, remoteId);
}

/** Whether `a` and `b` reach each other directly: what one sees as the other end is the other's own end. */
async function peerToPeer(a: MeetingPage, b: MeetingPage): Promise<boolean> {
  const [ab, ba] = [await selectedPair(a, b.participantId), await selectedPair(b, a.participantId)];
  return ab !== null && ba !== null && ab.remote === ba.local && ba.remote === ab.local;
}

/** Resolves once `page` decodes more video of `remoteId` than it had (it flows now). */
async function untilDecoding(page: MeetingPage, remoteId: string, timeoutMs: number): Promise<void> {
  const before = (await page.receivedFrom(remoteId)).framesDecoded;
  await waitFor(async () => (await page.receivedFrom(remoteId)).framesDecoded > before + 5, `${page.name} decoding ${remoteId}`, timeoutMs);
}

/**
 * `MEDIA_MODE=auto` end to end, real Janus and Chromium: two people talk peer to peer, a third moves the meeting to the
 * SFU, and when the third leaves it is peer to peer again. Every tile's <video> records when it presents frames, and
 * no switch leaves one frozen or black for more than a second (the requirement).
 */
describe('auto media mode: 2 → 3 → 2 people without a frozen tile', () => {
  let sfu: SfuServer;
  let browser: Browser;
  const pages: MeetingPage[] = [];

  before(async () => {
    sfu = await startSfuServer({ MEDIA_MODE: 'auto' });
    browser = await launchChromium();
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await browser?.close();
    await sfu?.stop();
  });

  test('peer to peer for two, through Janus for three, peer to peer again; every gap between frames under 1 s', async () => {
    const meeting = await createMeeting(sfu.parley.url);
    const open = async (name: string, host = false) => {
      const page = await MeetingPage.open(browser, sfu.embedder.url, host ? meeting : { code: meeting.code }, name);
      pages.push(page);
      await recordFrameTimes(page);
      return page;
    };
    const ada = await open('Ada', true);
    const bob = await open('Bob');
    await ada.waitForVideoFrom(bob.participantId, 30_000);
    await bob.waitForVideoFrom(ada.participantId, 30_000);
    await waitFor(() => peerToPeer(ada, bob), 'Ada and Bob peer to peer', 20_000);
    assert.equal(await sfu.roomOf(meeting.code), undefined, 'no Janus room for two');
    await delay(2000);
    await screenshot(ada.page, 'auto-2-on-mesh-before');

    // A third person: everyone moves to the SFU. Cem's page loads first (its prejoin screen) and the machine settles:
    // what is measured is the switch, not Chromium starting a page.
    let [adaFrom, bobFrom] = [0, 0];
    const cem = await MeetingPage.openUrl(browser, `${sfu.parley.url}/m/${meeting.code}`, 'Cem', {
      join: async (page) => {
        await page.fill('meeting-room >> input[name=name]', 'Cem');
        await delay(3000);
        [adaFrom, bobFrom] = [await pageNow(ada), await pageNow(bob)];
        await page.click('meeting-room >> button[type=submit]');
      },
    });
    pages.push(cem);
    await recordFrameTimes(cem);
    const cemJoined = (await pageNow(ada)) - adaFrom;
    await delay(700);
    await screenshot(ada.page, 'auto-2-to-3-switching');
    await delay(800);
    await screenshot(ada.page, 'auto-2-to-3-switching-later');
    const room = await sfu.roomOf(meeting.code);
    assert.ok(room, "the meeting's Janus room is open");
    await waitFor(async () => (await sfu.publishers(room.room)).length === 3, 'all three publish to Janus', 30_000);
    await waitFor(async () => !(await peerToPeer(ada, bob)), 'Ada and Bob no longer peer to peer', 20_000);
    for (const [receiver, senders] of [[ada, [bob, cem]], [bob, [ada, cem]], [cem, [ada, bob]]] as const) {
      for (const sender of senders) await untilDecoding(receiver, sender.participantId, 30_000);
    }
    // Old connections closed (they linger a few seconds for the others' sake): two to Janus per page.
    await waitFor(
      async () => (await Promise.all([ada, bob].map((page) => page.liveMediaObjects()))).every(({ openPeerConnections }) => openPeerConnections === 2),
      'each page down to its two connections to Janus',
      20_000,
    );
    await delay(2000);
    await screenshot(ada.page, 'auto-3-on-sfu');
    const [adaAt3, bobAt3, cemAt3] = [await pageNow(ada), await pageNow(bob), await pageNow(cem)];
    // A new tile's first seconds on the SFU are no switch: its layer is chosen for its size then (a keyframe away).
    const settled = (page: MeetingPage, id: string) => page.page.evaluate((id) => window.__frameTimes[id]![0]![0] + 2000, id);
    const cemFrom = Math.max(await settled(cem, ada.participantId), await settled(cem, bob.participantId));

    // The third leaves: back to the mesh (after the server's few seconds of grace).
    const cemLeft = (await pageNow(ada)) - adaFrom;
    await cem.evaluateRoom((element) => element.room!.leave());
    await waitFor(() => peerToPeer(ada, bob), 'Ada and Bob peer to peer again', 30_000);
    await delay(700);
    await screenshot(ada.page, 'auto-3-to-2-switched');
    await untilDecoding(ada, bob.participantId, 20_000);
    await untilDecoding(bob, ada.participantId, 20_000);
    await waitFor(
      async () => (await Promise.all([ada, bob].map((page) => page.liveMediaObjects()))).every(({ openPeerConnections }) => openPeerConnections === 1),
      'each page down to its one connection to the other',
      20_000,
    );
    await delay(2000);
    await screenshot(ada.page, 'auto-2-on-mesh');

    // The gaps: Ada's and Bob's tiles of each other throughout; everyone's tiles of Cem, and Cem's, while Cem was in.
    const measured = {
      'Ada sees herself (no network: how much this machine stalls)': await longestGap(ada, ada.participantId, adaFrom, await pageNow(ada)),
      'Ada sees Bob (2 → 3 → 2)': await longestGap(ada, bob.participantId, adaFrom, await pageNow(ada)),
      'Bob sees Ada (2 → 3 → 2)': await longestGap(bob, ada.participantId, bobFrom, await pageNow(bob)),
      'Ada sees Cem (on the SFU)': await longestGap(ada, cem.participantId, await settled(ada, cem.participantId), adaAt3),
      'Bob sees Cem (on the SFU)': await longestGap(bob, cem.participantId, await settled(bob, cem.participantId), bobAt3),
      'Cem sees Ada and Bob': {
        ada: await longestGap(cem, ada.participantId, cemFrom, cemAt3),
        bob: await longestGap(cem, bob.participantId, cemFrom, cemAt3),
      },
    };
    console.log(`Cem joined ${Math.round(cemJoined)} ms, left ${Math.round(cemLeft)} ms after Ada's and Bob's measures began`);
    console.log('longest gaps between presented frames (ms):', JSON.stringify(measured, null, 1));
    const { 'Ada sees herself (no network: how much this machine stalls)': _control, ...remote } = measured;
    const gaps = Object.values(remote).flatMap((entry) => ('gap' in entry ? [entry] : Object.values(entry)));
    for (const { gap, frames } of gaps) {
      assert.ok(frames > 20, `a tile presented only ${frames} frames`);
      assert.ok(gap <= MAX_GAP_MS, `a tile showed no new frame for ${gap} ms: ${JSON.stringify(measured)}`);
    }
  });
});
