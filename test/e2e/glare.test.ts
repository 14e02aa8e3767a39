import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';
import { useCallHarness } from './support/harness.js';

const ROUNDS = 50;

const harness = useCallHarness();

/**
 * Joins at a wall-clock instant shared with the other page, then waits until the other participant's video decodes.
 * Resolves with how many remote participants the room ended up with (duplicates would show here).
 */
function joinAtAndConnect(page: SdkPage, startAt: number, code: string, server: string): Promise<number> {
  return page.page.evaluate(
    async ({ startAt, code, server, name }) => {
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
      const room = new Room({ server });
      window.__room = room;
      await room.join({ code, name });
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [remote] = room.participants.keys();
        if (remote) {
          let frames = 0;
          (await room.getStats(remote))?.forEach((stats) => {
            if (stats.type === 'inbound-rtp' && stats.kind === 'video') frames += stats.framesDecoded ?? 0;
          });
          if (frames > 0) return room.participants.size;
        }
        if (Date.now() > deadline) throw new Error(`no video from the other side within 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    { startAt, code, server, name: page.name },
  );
}

/**
 * Starts sharing the screen at the shared instant — both sides renegotiate at once, so their offers cross — and
 * waits until the other side's screen decodes.
 */
function shareAtAndReceive(page: SdkPage, startAt: number): Promise<void> {
  return page.page.evaluate(async (startAt) => {
    const room = window.__room;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    await room.startScreenShare();
    const [remote] = room.participants.values();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const track = remote?.screenStream?.getVideoTracks()[0];
      if (track) {
        let frames = 0;
        (await room.getStats(remote!.id))?.forEach((stats) => {
          if (stats.type === 'inbound-rtp' && stats.trackIdentifier === track.id) frames += stats.framesDecoded ?? 0;
        });
        if (frames > 0) return;
      }
      if (Date.now() > deadline) throw new Error('no screen from the other side within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, startAt);
}

test(`two people join at the same instant, then both share at once: ${ROUNDS} rounds without a failure`, async () => {
  const ada = await SdkPage.open(harness.browser, harness.embedder.url, 'Ada');
  const bob = await SdkPage.open(harness.browser, harness.embedder.url, 'Bob');
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const { code } = await createMeeting(harness.parley.url);
      const startAt = Date.now() + 150;
      const sizes = await Promise.all([ada, bob].map((page) => joinAtAndConnect(page, startAt, code, harness.parley.url)));
      assert.deepEqual(sizes, [1, 1], `round ${round}`);
      const shareAt = Date.now() + 100;
      await Promise.all([ada, bob].map((page) => shareAtAndReceive(page, shareAt)));
      await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
    }
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});
