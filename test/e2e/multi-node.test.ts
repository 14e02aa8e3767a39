import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { connect, tryJoin } from '../../packages/server/test/support/helpers.js';
import { launchChromium } from './support/browser.js';
import { startCluster, waitFor, type Cluster, type ServerProcess } from './support/processes.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';

/**
 * Parley nodes (real processes) on one real redis-server, behind nginx configured from docs/nginx.conf: browsers on
 * different nodes share a meeting, host controls reach across nodes, and a node killed mid-call loses nobody.
 */

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Sockets a node holds itself (`parley_sockets` is per node; presence gauges count the whole cluster). */
async function socketsOn(node: ServerProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^parley_sockets (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function mediaFlows(page: SdkPage, from: string, what: string): Promise<void> {
  await waitFor(async () => (await page.framesDecodedFrom(from)) > 0, `${page.name} decoding video (${what})`, 30_000);
  const first = await page.framesDecodedFrom(from);
  await delay(1000);
  assert.ok((await page.framesDecodedFrom(from)) > first, `${page.name}: video from the other side advances (${what})`);
}

describe('two nodes behind nginx', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2);
  });
  after(async () => {
    await cluster?.stop();
  });

  test("two browsers on two nodes share a meeting; the host's node is killed and the call goes on", async () => {
    const { nodes, front, embedder } = cluster;
    const { code, hostKey } = await createMeeting(front);
    const ada = await SdkPage.open(browser, embedder.url, 'Ada');
    const bob = await SdkPage.open(browser, embedder.url, 'Bob');
    // The SDK comes straight from a node, so that only the sockets go through nginx and least_conn counts just them:
    // /parley.js fetches its panels once the page is idle, and such a fetch through nginx counts as a connection.
    const moduleServer = nodes[0]!.url;
    const adaId = await ada.join(front, code, {}, hostKey, moduleServer);
    const counts = await Promise.all(nodes.map(socketsOn));
    const adaNode = nodes[counts.indexOf(1)]!;
    assert.deepEqual([...counts].sort(), [0, 1], 'Ada holds one socket on one node');
    const bobId = await bob.join(front, code, {}, undefined, moduleServer);
    assert.deepEqual(await Promise.all(nodes.map(socketsOn)), [1, 1], 'Bob landed on the other node (least_conn)');

    await mediaFlows(ada, bobId, 'across nodes');
    await mediaFlows(bob, adaId, 'across nodes');
    for (const page of [ada, bob]) await page.recordLifecycleEvents();

    // Kill Ada's node outright: no goodbye, no hand-over.
    await adaNode.kill();
    const survivor = nodes.find((node) => node !== adaNode)!;
    const framesWhileDown = await bob.framesDecodedFrom(adaId);
    await delay(500);
    assert.ok((await bob.framesDecodedFrom(adaId)) > framesWhileDown, "peer-to-peer media flows while Ada's node is gone");

    await ada.waitForLifecycleEvent('reconnected');
    assert.equal(await socketsOn(survivor), 2, 'Ada reconnected through nginx to the surviving node');
    const state = await ada.page.evaluate(() => ({
      events: window.__lifecycle,
      self: window.__room.localParticipant.id,
      isHost: window.__room.localParticipant.isHost,
      others: [...window.__room.participants.keys()],
    }));
    assert.deepEqual(state, { events: ['reconnecting', 'reconnected'], self: adaId, isHost: true, others: [bobId] }, 'same identity, still host');
    assert.deepEqual(await bob.lifecycleEvents(), [], 'Bob never lost his node');
    assert.deepEqual(await bob.page.evaluate(() => [...window.__room.participants.keys()]), [adaId], 'Bob still sees Ada');

    // Host controls work from the survivor: Ada asks Bob to mute.
    await ada.page.evaluate((id) => window.__room.muteParticipant(id), bobId);
    await bob.page.waitForFunction(() => window.__room.localParticipant.audioEnabled === false, undefined, { timeout: 10_000 });
    await mediaFlows(bob, adaId, 'after the kill');
    await mediaFlows(ada, bobId, 'after the kill');
    await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
    await Promise.all([ada.close(), bob.close()]);
  });
});

describe('three nodes behind nginx', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(3);
  });
  after(async () => {
    await cluster?.stop();
  });

  test('three browsers on three nodes, two of them joining at the same instant, see each other; host controls cross nodes', async () => {
    const { nodes, front, embedder } = cluster;
    const { code, hostKey } = await createMeeting(front);
    const [ada, bob, cy] = await Promise.all(['Ada', 'Bob', 'Cy'].map((name) => SdkPage.open(browser, embedder.url, name)));
    const moduleServer = nodes[0]!.url;
    const adaId = await ada.join(front, code, {}, hostKey, moduleServer);
    // Their joins cross on two nodes: each node may answer before it hears of the other join.
    const [bobId, cyId] = await Promise.all([bob.join(front, code, {}, undefined, moduleServer), cy.join(front, code, {}, undefined, moduleServer)]);
    assert.deepEqual(await Promise.all(nodes.map(socketsOn)), [1, 1, 1], 'one participant on each node (least_conn)');
    const everyone = [
      { page: ada, id: adaId },
      { page: bob, id: bobId },
      { page: cy, id: cyId },
    ];
    for (const receiver of everyone) {
      for (const sender of everyone) {
        if (sender !== receiver) await mediaFlows(receiver.page, sender.id, `${sender.page.name} → ${receiver.page.name}`);
      }
    }
    for (const { page } of everyone) await page.recordLifecycleEvents();

    // Ada (host) asks Cy to mute: Cy's room turns the microphone off, and Bob, on the third node, sees it.
    await ada.page.evaluate((id) => window.__room.muteParticipant(id), cyId);
    await cy.page.waitForFunction(() => window.__room.localParticipant.audioEnabled === false, undefined, { timeout: 10_000 });
    await bob.page.waitForFunction((id) => window.__room.participants.get(id)?.audioEnabled === false, cyId, { timeout: 10_000 });

    // Ada removes Bob: his room ends, and the others see him go.
    await ada.page.evaluate((id) => window.__room.removeParticipant(id), bobId);
    await bob.waitForLifecycleEvent('left', 10_000);
    assert.equal(await bob.leftBecause(), 'removed');
    for (const page of [ada, cy]) {
      await page.page.waitForFunction((id) => !window.__room.participants.has(id), bobId, { timeout: 10_000 });
    }

    // Ada makes Cy host; Cy, on another node, ends the meeting for everyone.
    await ada.page.evaluate((id) => window.__room.transferHost(id), cyId);
    await cy.page.waitForFunction(() => window.__room.localParticipant.isHost, undefined, { timeout: 10_000 });
    await ada.page.waitForFunction(() => !window.__room.localParticipant.isHost, undefined, { timeout: 10_000 });
    await cy.page.evaluate(() => window.__room.endMeeting());
    for (const page of [ada, cy]) {
      await page.waitForLifecycleEvent('left', 10_000);
      assert.equal(await page.leftBecause(), 'ended', `${page.name}'s room ended with the meeting`);
    }
    for (const node of nodes) {
      const socket = await connect(node);
      assert.equal(await tryJoin(socket, code), 'meeting-not-found', `the code is dead on ${node.url} too`);
      socket.disconnect();
    }
    await Promise.all([ada, bob, cy].map((page) => page.close()));
  });
});
