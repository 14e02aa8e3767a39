import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { recordPeerConnections } from '../e2e/support/presented-frames.js';
import { useRelayCallServers } from '../e2e/support/relay-call.js';
import { waitForRelayedFrames } from '../e2e/support/relay-frames.js';
import { SdkPage } from '../e2e/support/sdk-page.js';
import { createMeeting } from '../e2e/support/servers.js';

/**
 * Issue 13 §1: after both peers of a relay-only call restart ICE at once (the polite one rolls back its offer and
 * answers), Chromium can leave the polite side's remote video decoded but never presented. <participant-tile>'s
 * watchdog must notice and have the SDK repair it. Both sides call `restartIce()` on their peer connections
 * directly, at the same moment, so the glare happens whatever the SDK's own restart policy is.
 */
const ROUNDS = 10;
/** Generous on 2 shared cores: the watchdog checks every 2.5 s, and a renewed connection goes through TURN. */
const PRESENTED_AGAIN_MS = 30_000;

declare global {
  interface Window {
    /** Frames the tile's <video> presented, counted with requestVideoFrameCallback. */
    __tileFramesPresented: number;
  }
}

const servers = useRelayCallServers();

/** An SDK page whose peer connections the test can reach. */
async function openPage(name: string): Promise<SdkPage> {
  const page = await SdkPage.open(servers.browser, servers.embedder.url, name);
  await recordPeerConnections(page);
  return page;
}

/** Shows `remoteId` in a <participant-tile>, the way <meeting-room> does, and counts the frames its video presents. */
async function showTile(page: SdkPage, remoteId: string): Promise<void> {
  await page.page.evaluate(async (id) => {
    window.__tileFramesPresented = 0;
    const tile = document.createElement('participant-tile');
    tile.participant = window.__room.participants.get(id)!;
    tile.style.cssText = 'display: block; width: 320px; height: 180px';
    document.body.append(tile);
    await tile.updateComplete;
    const video = tile.shadowRoot!.querySelector('video')!;
    const count = () => {
      window.__tileFramesPresented += 1;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
  }, remoteId);
}

const presented = (page: SdkPage) => page.page.evaluate(() => window.__tileFramesPresented);

for (let round = 1; round <= ROUNDS; round++) {
  test(`round ${round}: both peers restart ICE at once after TURN dies; every tile shows video again`, async () => {
    const { code } = await createMeeting(servers.parley.url);
    const ada = await openPage('Ada');
    const bob = await openPage('Bob');
    try {
      const adaId = await ada.join(servers.parley.url, code, { iceTransportPolicy: 'relay' });
      const bobId = await bob.join(servers.parley.url, code, { iceTransportPolicy: 'relay' });
      await waitForRelayedFrames(ada, bobId, 20_000);
      await waitForRelayedFrames(bob, adaId, 20_000);
      await showTile(ada, bobId);
      await showTile(bob, adaId);

      await servers.turn.kill();
      await delay(3000);
      await servers.turn.restart();
      await Promise.all(
        [ada, bob].map((side) =>
          side.page.evaluate(() => {
            for (const pc of window.__peerConnections) pc.restartIce();
          }),
        ),
      );

      const sides = [
        { page: ada, role: 'Ada (impolite)' },
        { page: bob, role: 'Bob (polite)' },
      ];
      await Promise.all(
        sides.map(async ({ page, role }) => {
          const before = await presented(page);
          const deadline = Date.now() + PRESENTED_AGAIN_MS;
          let now = before;
          // A few frames, not one: a frame already on its way when the glare happened does not count.
          while (now < before + 10 && Date.now() < deadline) {
            await delay(250);
            now = await presented(page);
          }
          assert.ok(
            now >= before + 10,
            `round ${round}: ${role}'s tile presented ${now - before} frames in ${PRESENTED_AGAIN_MS / 1000} s after the ` +
              `simultaneous ICE restart: its video stays frozen`,
          );
        }),
      );
    } finally {
      await Promise.all([ada.close(), bob.close()]);
      // The next round starts with a TURN server up, whatever happened in this one.
      if (!servers.turn.running) await servers.turn.restart();
    }
  });
}
