import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort, startRedis, type TestRedis } from '../../packages/server/test/redis-server.js';
import { launchChromium } from './support/browser.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting, startEmbedder, type Embedder } from './support/servers.js';

/**
 * Two Parley nodes (real processes) on one real redis-server, behind nginx configured from docs/nginx.conf:
 * browsers on different nodes share a meeting, and a node killed mid-call loses nobody.
 */

const BIN = join(import.meta.dirname, '../../packages/server/dist/bin.js');
const NGINX = '/usr/sbin/nginx';

interface Node {
  url: string;
  process: ChildProcess;
}

let redis: TestRedis;
let nodes: Node[] = [];
let nginx: ChildProcess;
let front: string;
let dir: string;
let embedder: Embedder;
let browser: Browser;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startNode(port: number): Promise<Node> {
  const child = spawn(process.execPath, [BIN], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      REDIS_URL: redis.url,
      RESUME_WINDOW_MS: '20000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      TRUST_PROXY: 'loopback',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, `node on ${port}`);
  return { url, process: child };
}

/** Sockets a node holds itself (`parley_sockets` is per node; presence gauges count the whole cluster). */
async function socketsOn(node: Node): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^parley_sockets (\d+)/m.exec(text)?.[1] ?? NaN);
}

before(async () => {
  redis = await startRedis();
  nodes = [await startNode(await freePort()), await startNode(await freePort())];
  dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  // nginx's workers run as nobody: they write their temp files here.
  chmodSync(dir, 0o777);
  const listen = `127.0.0.1:${await freePort()}`;
  const config = readFileSync(join(import.meta.dirname, '../../docs/nginx.conf'), 'utf8')
    .replaceAll('{{PREFIX}}', dir)
    .replaceAll('{{LISTEN}}', listen)
    .replaceAll('{{UPSTREAMS}}', nodes.map((node) => `server ${new URL(node.url).host} max_fails=1 fail_timeout=5s;`).join('\n    '));
  writeFileSync(join(dir, 'nginx.conf'), config);
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  front = `http://${listen}`;
  await waitFor(async () => (await fetch(`${front}/healthz`)).ok, 'nginx');
  embedder = await startEmbedder(front);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await embedder?.close();
  nginx?.kill('SIGTERM');
  for (const node of nodes) node.process.kill('SIGTERM');
  await Promise.all(
    [nginx, ...nodes.map((node) => node.process)].map((child) =>
      child && child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
    ),
  );
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function framesFrom(page: SdkPage, id: string): Promise<number> {
  return (await page.received(id)).framesDecoded;
}

async function mediaFlows(page: SdkPage, from: string, what: string): Promise<void> {
  await waitFor(async () => (await framesFrom(page, from)) > 0, `${page.name} decoding video (${what})`, 30_000);
  const first = await framesFrom(page, from);
  await delay(1000);
  assert.ok((await framesFrom(page, from)) > first, `${page.name}: video from the other side advances (${what})`);
}

test('two browsers on two nodes share a meeting; the host\'s node is killed and the call goes on', async () => {
  const { code, hostKey } = await createMeeting(front);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  const adaId = await ada.page.evaluate(
    async ({ server, code, hostKey }) => {
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      window.__room = new Room({ server });
      await window.__room.join({ code, name: 'Ada', hostKey });
      return window.__room.localParticipant.id;
    },
    { server: front, code, hostKey },
  );
  const counts = await Promise.all(nodes.map(socketsOn));
  const adaNode = nodes[counts.indexOf(1)]!;
  assert.deepEqual([...counts].sort(), [0, 1], 'Ada holds one socket on one node');
  const bobId = await bob.join(front, code);
  assert.deepEqual(await Promise.all(nodes.map(socketsOn)), [1, 1], 'Bob landed on the other node (least_conn)');

  await mediaFlows(ada, bobId, 'across nodes');
  await mediaFlows(bob, adaId, 'across nodes');
  for (const page of [ada, bob]) {
    await page.page.evaluate(() => {
      const events: string[] = [];
      (window as unknown as { __events: string[] }).__events = events;
      for (const name of ['reconnecting', 'reconnected', 'disconnected', 'left'] as const) {
        window.__room.on(name as 'reconnected', () => events.push(name));
      }
    });
  }

  // Kill Ada's node outright: no goodbye, no hand-over.
  adaNode.process.kill('SIGKILL');
  await new Promise((resolve) => adaNode.process.once('exit', resolve));
  const survivor = nodes.find((node) => node !== adaNode)!;
  const framesWhileDown = await framesFrom(bob, adaId);
  await delay(500);
  assert.ok((await framesFrom(bob, adaId)) > framesWhileDown, 'peer-to-peer media flows while Ada\'s node is gone');

  await ada.page.waitForFunction(
    () => (window as unknown as { __events: string[] }).__events.includes('reconnected'),
    undefined,
    { timeout: 20_000, polling: 100 },
  );
  assert.equal(await socketsOn(survivor), 2, 'Ada reconnected through nginx to the surviving node');
  const state = await ada.page.evaluate(() => ({
    events: (window as unknown as { __events: string[] }).__events,
    self: window.__room.localParticipant.id,
    isHost: window.__room.localParticipant.isHost,
    others: [...window.__room.participants.keys()],
  }));
  assert.deepEqual(state, { events: ['reconnecting', 'reconnected'], self: adaId, isHost: true, others: [bobId] }, 'same identity, still host');
  assert.deepEqual(await bob.page.evaluate(() => (window as unknown as { __events: string[] }).__events), [], 'Bob never lost his node');
  assert.deepEqual(await bob.page.evaluate(() => [...window.__room.participants.keys()]), [adaId], 'Bob still sees Ada');

  // Host controls work from the survivor: Ada asks Bob to mute.
  await bob.page.evaluate(() => {
    (window as unknown as { __muteAsked: boolean }).__muteAsked = false;
    window.__room.on('mute-requested', () => ((window as unknown as { __muteAsked: boolean }).__muteAsked = true));
  });
  await ada.page.evaluate((id) => window.__room.muteParticipant(id), bobId);
  await bob.page.waitForFunction(() => window.__room.localParticipant.audioEnabled === false || (window as unknown as { __muteAsked: boolean }).__muteAsked, undefined, {
    timeout: 10_000,
  });
  await mediaFlows(bob, adaId, 'after the kill');
  await mediaFlows(ada, bobId, 'after the kill');
  await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
  await Promise.all([ada.close(), bob.close()]);
});
