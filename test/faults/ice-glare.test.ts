// Issue 13, fault 1: a relay-only call whose TURN server is SIGKILLed just after the first video frame and restarted
// 3 s later. Both peers lose the path together; when both restarted ICE at once, the polite one rolled back to
// answer, and Chromium then never presented its remote video again. Every round, both sides' <video> must present
// new frames once the call has recovered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { countPresentedFrames, untilPresenting } from '../e2e/support/presented-frames.js';
import { useRelayCallServers } from '../e2e/support/relay-call.js';
import { SdkPage } from '../e2e/support/sdk-page.js';
import { createMeeting } from '../e2e/support/servers.js';

const ROUNDS = 10;
/** How long the TURN server stays dead. */
const TURN_DOWN_MS = 3000;
/** Generous: recovery takes a few seconds, more on a loaded machine. */
const RECOVERY_TIMEOUT_MS = 40_000;

const servers = useRelayCallServers({ signalingRttMs: 100 });

/**
 * Joins relay-only through the slow signaling path with a small camera (160×120, no microphone: cheap), and shows
 * each remote participant's stream in a <video> on the page whose presented frames are counted.
 */
async function joinSmall(page: SdkPage, code: string): Promise<string> {
  await countPresentedFrames(page);
  return page.page.evaluate(
    async ({ server, moduleServer, code, name }) => {
      const { Room } = (await import(`${moduleServer}/parley.js`)) as typeof import('@parley/sdk');
      const room = new Room({ server, iceTransportPolicy: 'relay' });
      window.__room = room;
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 15 } });
      await room.join({ code, name, stream, audio: false });
      return room.localParticipant.id;
    },
    { server: servers.signalingUrl, moduleServer: servers.parley.url, code, name: page.name },
  );
}

for (let round = 1; round <= ROUNDS; round += 1) {
  test(`round ${round}/${ROUNDS}: both sides present remote video again after the TURN server is killed and restarted`, async () => {
    const { parley, embedder, browser, turn } = servers;
    const label = `round ${round}`;
    const { code } = await createMeeting(parley.url);
    const ada = await SdkPage.open(browser, embedder.url, 'Ada');
    const bob = await SdkPage.open(browser, embedder.url, 'Bob');
    try {
      const adaId = await joinSmall(ada, code);
      const bobId = await joinSmall(bob, code);
      // Just after the first video frame on both sides.
      await Promise.all([
        ada.page.waitForFunction((id) => (window.__presented[id] ?? 0) > 0, bobId, { timeout: 30_000, polling: 'raf' }),
        bob.page.waitForFunction((id) => (window.__presented[id] ?? 0) > 0, adaId, { timeout: 30_000, polling: 'raf' }),
      ]);
      await turn.kill();
      await delay(TURN_DOWN_MS);
      await turn.restart();
      const sides = await Promise.allSettled([
        untilPresenting(ada, bobId, RECOVERY_TIMEOUT_MS),
        untilPresenting(bob, adaId, RECOVERY_TIMEOUT_MS),
      ]);
      const frozen = sides.flatMap((side, index) =>
        side.status === 'rejected' ? [`${index === 0 ? 'Ada (impolite)' : 'Bob (polite)'}: ${String(side.reason)}`] : [],
      );
      assert.deepEqual(frozen, [], `${label}: frozen remote video\n  ${frozen.join('\n  ')}`);
    } finally {
      await Promise.all([ada.close(), bob.close()]);
      // The next round starts with a TURN server up, whatever happened in this one.
      if (!turn.running) await turn.restart();
    }
  });
}
