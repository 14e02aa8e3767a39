import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { setTimeout as delay } from 'node:timers/promises';
import { startJanus, type TestJanus } from '../../packages/server/test/support/janus-server.js';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';

declare global {
  interface Window {
    /** Every peer connection the page made. */
    __peerConnections: RTCPeerConnection[];
  }
}

/**
 * The SDK's SFU mode end to end: a Parley server with `JANUS_URL` puts the meeting on a real Janus, and the pages
 * publish to its VideoRoom and subscribe to each other through it.
 */
describe('SFU mode: pages meet through Janus', () => {
  let janus: TestJanus;
  const env: NodeJS.ProcessEnv = {};
  before(async () => {
    janus = await startJanus();
    Object.assign(env, { MEDIA_MODE: 'sfu', JANUS_URL: janus.url, JANUS_TOKEN_SECRET: janus.tokenSecret, JANUS_ADMIN_KEY: janus.adminKey });
  });
  // After Janus: a describe's hooks run in turn.
  const harness = useCallHarness({ env });
  let code: string;
  const pages: SdkPage[] = [];
  const ids: string[] = [];

  before(async () => {
    ({ code } = await createMeeting(harness.parley.url));
  });

  after(async () => {
    for (const page of pages) await page.close();
    await janus?.stop();
  });

  async function join(name: string): Promise<SdkPage> {
    const page = await SdkPage.open(harness.browser, harness.embedder.url, name);
    pages.push(page);
    // Counts the page's peer connections.
    await page.page.evaluate(() => {
      const Original = RTCPeerConnection;
      window.__peerConnections = [];
      window.RTCPeerConnection = function (configuration?: RTCConfiguration) {
        return window.__peerConnections[window.__peerConnections.push(new Original(configuration)) - 1]!;
      } as unknown as typeof RTCPeerConnection;
    });
    ids.push(await page.join(harness.parley.url, code));
    return page;
  }

  test('three pages decode each other’s cameras through Janus, and each is in SFU mode', async () => {
    for (const name of ['Ada', 'Bob', 'Cem']) await join(name);
    const everyone = pages.map((page, index) => ({ page, id: ids[index]! }));
    for (const { page, id } of everyone) {
      for (const other of everyone.filter((entry) => entry.id !== id)) {
        await waitUntil(async () => (await page.framesDecodedFrom(other.id)) > 0, 30_000, `${page.name} decodes ${other.page.name}`);
      }
      // One connection up to Janus and one down from it, whoever is in the meeting: no peer connection per participant.
      assert.equal(await page.page.evaluate(() => window.__room.participants.size), 2);
      assert.equal(await page.page.evaluate(() => window.__room.getSnapshot().state), 'joined');
      const states = await page.page.evaluate(() => window.__peerConnections.map(({ connectionState }) => connectionState));
      assert.deepEqual(states, ['connected', 'connected'], `${page.name}'s peer connections`);
    }
    // Live video, not a first frame: every counter moves.
    const first = await Promise.all(everyone.flatMap(({ page, id }) => everyone.filter((o) => o.id !== id).map((o) => page.framesDecodedFrom(o.id))));
    await delay(1500);
    const second = await Promise.all(everyone.flatMap(({ page, id }) => everyone.filter((o) => o.id !== id).map((o) => page.framesDecodedFrom(o.id))));
    second.forEach((frames, index) => assert.ok(frames > first[index]!, `a stream stuck at ${first[index]} frames`));
    // Sound arrives too.
    const ada = pages[0]!;
    const audio = await ada.page.evaluate(async (id) => {
      let packets = 0;
      (await window.__room.getStats(id))?.forEach((stats) => {
        if (stats.type === 'inbound-rtp' && stats.kind === 'audio') packets += stats.packetsReceived ?? 0;
      });
      return packets;
    }, ids[1]!);
    assert.ok(audio > 0, 'Ada receives Bob’s microphone');
    // Connection quality is measured per participant from what arrives of theirs.
    await waitUntil(
      () => ada.page.evaluate((id) => (window.__room.participants.get(id)?.connectionQuality ?? 0) > 0, ids[1]!),
      15_000,
      'Ada measures the quality of Bob’s media',
    );
  });

  test('a tile that shrinks to a thumbnail receives the low layer, and the full one when it grows again', async () => {
    const [ada, bobPage] = pages as [SdkPage, SdkPage];
    const bob = ids[1]!;
    await ada.page.evaluate((id) => window.__room.setVideoWanted(id, { width: 1280, height: 720 }), bob);
    await waitUntil(async () => (await frameWidth(ada, bob)) > 640, 30_000, 'Bob at full size on a stage');
    await ada.page.evaluate((id) => window.__room.setVideoWanted(id, { width: 240, height: 135 }), bob);
    await waitUntil(async () => {
      const width = await frameWidth(ada, bob);
      return width > 0 && width <= 320;
    }, 20_000, 'Bob’s low layer in a thumbnail');
    await ada.page.evaluate((id) => window.__room.setVideoWanted(id, { width: 1280, height: 720 }), bob);
    // At once: the browser ignores a keyframe request this soon after the last, and it takes another (see
    // SfuTransport's layer retries).
    await waitUntil(async () => (await frameWidth(ada, bob)) > 640, 20_000, 'Bob back at full size', async () => JSON.stringify(await sentLayers(bobPage)));
  });

  test('a camera shown nowhere is not received, and comes back when shown', async () => {
    const [ada] = pages as [SdkPage];
    const cem = ids[2]!;
    await ada.page.evaluate((id) => window.__room.setVideoWanted(id, null), cem);
    await waitUntil(async () => {
      const before = await ada.framesDecodedFrom(cem);
      await delay(1000);
      return (await ada.framesDecodedFrom(cem)) === before;
    }, 20_000, 'Cem’s camera stops arriving');
    await ada.page.evaluate((id) => window.__room.setVideoWanted(id, { width: 640, height: 360 }), cem);
    const resumed = await ada.framesDecodedFrom(cem);
    await waitUntil(async () => (await ada.framesDecodedFrom(cem)) > resumed + 10, 20_000, 'Cem’s camera back');
  });

  test('a shared screen arrives as a second video, and goes when the share stops', async () => {
    const [ada, bob] = pages as [SdkPage, SdkPage];
    const adaId = ids[0]!;
    // Screen capture needs a user gesture: a click on a button of the page's own.
    await ada.page.evaluate(() => {
      const button = document.body.appendChild(document.createElement('button'));
      button.textContent = 'Share';
      button.onclick = () => void window.__room.toggleScreenShare();
    });
    await ada.page.click('text=Share');
    await waitUntil(
      () =>
        bob.page.evaluate(async (id) => {
          const track = window.__room.participants.get(id)?.screenStream?.getVideoTracks()[0];
          let frames = 0;
          (await window.__room.getStats(id))?.forEach((stats) => {
            if (stats.type === 'inbound-rtp' && stats.trackIdentifier === track?.id) frames = stats.framesDecoded ?? 0;
          });
          return frames > 5;
        }, adaId),
      30_000,
      'Bob decodes Ada’s screen',
    );
    // Her camera still arrives beside it.
    const camera = await bob.page.evaluate((id) => window.__room.participants.get(id)?.stream?.getVideoTracks().length, adaId);
    assert.equal(camera, 1);
    await ada.page.click('text=Share');
    await waitUntil(
      () => bob.page.evaluate((id) => window.__room.participants.get(id)?.screenStream === null, adaId),
      10_000,
      'the share gone at Bob',
    );
    const screenMids = await bob.page.evaluate(async (id) => {
      let videos = 0;
      (await window.__room.getStats(id))?.forEach((stats) => {
        if (stats.type === 'inbound-rtp' && stats.kind === 'video') videos += 1;
      });
      return videos;
    }, adaId);
    assert.equal(screenMids, 1, 'only Ada’s camera is still subscribed');
  });

  test('<meeting-room> in an SFU meeting: each page shows the others’ cameras playing in their tiles', async () => {
    const meeting = await createMeeting(harness.parley.url);
    const rooms: MeetingPage[] = [];
    try {
      rooms.push(await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Dee'));
      // The server's own meeting page, whose Content Security Policy must let it reach Janus on its own port.
      const join = async (page: Page) => {
        await page.fill('meeting-room >> input[name=name]', 'Eli');
        await page.click('meeting-room >> button[type=submit]');
      };
      rooms.push(await MeetingPage.openUrl(harness.browser, `${harness.parley.url}/m/${meeting.code}`, 'Eli', { join }));
      await assertTiles(rooms);
      await assertEveryoneReceivesEveryone(rooms);
    } finally {
      for (const room of rooms) await room.close();
    }
  });

  test('chat goes through the server; a page that leaves is dropped from the others’ subscription', async () => {
    const [ada, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    const received = bob.page.evaluate(
      () => new Promise<string>((resolve) => window.__room.once('chat-message', (message) => resolve(message.text))),
    );
    await ada.page.evaluate(() => window.__room.sendChatMessage('hello through the server'));
    assert.equal(await received, 'hello through the server');

    await cem.page.evaluate(() => window.__room.leave());
    await waitUntil(
      () => ada.page.evaluate((id) => !window.__room.participants.has(id), ids[2]!),
      10_000,
      'Cem gone from Ada’s room',
    );
    // Bob still arrives.
    const before = await ada.framesDecodedFrom(ids[1]!);
    await waitUntil(async () => (await ada.framesDecodedFrom(ids[1]!)) > before, 10_000, 'Bob still decoding at Ada');
  });
});

/** The camera layers the page sends: their size, and how many keyframes were asked of each and made. */
function sentLayers(page: SdkPage): Promise<{ rid: string; width: number; keyframesAsked: number; keyframesMade: number }[]> {
  return page.page.evaluate(async () => {
    const layers: { rid: string; width: number; keyframesAsked: number; keyframesMade: number }[] = [];
    for (const pc of window.__peerConnections) {
      (await pc.getStats()).forEach((stats) => {
        if (stats.type !== 'outbound-rtp' || stats.kind !== 'video' || !stats.rid) return;
        layers.push({ rid: stats.rid, width: stats.frameWidth ?? 0, keyframesAsked: stats.pliCount + stats.firCount, keyframesMade: stats.keyFramesEncoded });
      });
    }
    return layers;
  });
}

/** The width of the video the page decodes from `remoteId` now. */
function frameWidth(page: SdkPage, remoteId: string): Promise<number> {
  return page.page.evaluate(async (id) => {
    let width = 0;
    (await window.__room.getStats(id))?.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video' && typeof stats.frameWidth === 'number') width = Math.max(width, stats.frameWidth);
    });
    return width;
  }, remoteId);
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}${explain ? ` (${await explain()})` : ''}`);
    await delay(250);
  }
}
