import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useRelayCallServers } from './support/relay-call.js';
import { SdkPage } from './support/sdk-page.js';
import { waitForRelayedFrames } from './support/relay-frames.js';
import { createMeeting } from './support/servers.js';

const servers = useRelayCallServers();

test('a relay-only call survives its TURN server dying: ICE restart brings media back', async () => {
  const { parley, embedder, browser, turn } = servers;
  const { code } = await createMeeting(parley.url);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  const adaId = await ada.join(parley.url, code, { iceTransportPolicy: 'relay' });
  const bobId = await bob.join(parley.url, code, { iceTransportPolicy: 'relay' });
  await waitForRelayedFrames(ada, bobId, 20_000);
  await waitForRelayedFrames(bob, adaId, 20_000);

  // Every allocation dies with the server: the path is gone for good until ICE restarts.
  await turn.stop();
  await ada.page.waitForFunction(
    (id) => ['disconnected', 'failed'].includes(window.__room.participants.get(id)?.connectionState ?? ''),
    bobId,
    { timeout: 30_000, polling: 200 },
  );
  await turn.restart();
  await waitForRelayedFrames(ada, bobId, 45_000);
  await waitForRelayedFrames(bob, adaId, 45_000);
  for (const [page, remote] of [
    [ada, bobId],
    [bob, adaId],
  ] as const) {
    assert.equal((await page.received(remote)).state, 'connected');
  }
  await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
  await Promise.all([ada.close(), bob.close()]);
});
