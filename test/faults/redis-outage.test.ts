import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser.js';
import { startCluster, waitFor, type Cluster } from '../e2e/support/processes.js';
import { SdkPage } from '../e2e/support/sdk-page.js';
import { createMeeting } from '../e2e/support/servers.js';
import { startTcpProxy, type TcpProxy } from '../e2e/support/tcp-proxy.js';

/**
 * Issue 13 §4: Redis goes away under a running meeting. Two nodes on one append-only Redis behind nginx (the
 * deployment of docs/scaling.md), three people in one meeting: Ada and Bob on node 0, Cy on node 1. Redis is
 * SIGKILLed and started again after 3 s (ROUNDS rounds) and after 30 s (ROUNDS rounds). In every round nobody leaves
 * anyone's view, every pair stays `connected` with its video advancing during and after the outage, and once Redis
 * is back a newcomer (on node 1, then node 0, in turn) gets connected with everyone, then leaves.
 *
 * The rounds share one cluster and one call: a round ends only once the newcomer is gone from every view and the
 * three are connected as at the start, and Redis keeps its data across each crash, so a round starts from the state
 * the first one did. What could leak (a node wrongly counting the other's participants as away, a drop scheduled
 * for later) is exactly what the next rounds and the final check would see.
 *
 * Roaming rounds: Fay and Gil meet alone on one node, Gil through a proxy standing for nginx (which is not sticky).
 * During an outage longer than storage may take, Gil's connection drops and comes back on the other node, which
 * never held him: he must be back as the same participant at once, and neither leaves the other's view.
 */

const ROUNDS = 3;
// Every kill makes each node log its lost Redis connection; a crash of a node still shows (it is no log line).
process.env.LOG_LEVEL ??= 'fatal';
const SHORT_OUTAGE_MS = 3000;
const LONG_OUTAGE_MS = 30_000;
/** Issue 13's goal is 5 s from Redis being back; asserted with room for a loaded machine, and measured. */
const NEWCOMER_CONNECTED_MS = 15_000;
/** startCluster's RESUME_WINDOW_MS, plus the slack and jitter a node waits before dropping another node's away participant. */
const LATE_DROP_MS = 20_000 + 2000 + 1000;
/** Longer than a node waits for Redis before a storage command fails (REDIS_OUTAGE_WAIT_MS, 5 s). */
const ROAMING_OUTAGE_MS = 8000;

declare global {
  interface Window {
    /** Who left this page's view so far, and why. */
    __departures: string[];
    /** How often this page's room lost its server connection. */
    __reconnects: number;
  }
}

interface Person {
  page: SdkPage;
  id: string;
}

let cluster: Cluster;
let browser: Browser;
let code: string;
const people = new Map<string, Person>();
/** The roaming rounds' meeting: Fay, and Gil reaching node `node` through `balancer`. */
let roaming: { pair: Map<string, Person>; balancer: TcpProxy; node: number };
/** Per round: ms from Redis accepting connections again to the newcomer connected with everyone. */
const newcomerTimes: { round: string; node: number; ms: number }[] = [];

/** Joins with a small, slow camera and no microphone: six rounds of a three-way call on two shared cores. */
async function join(name: string, via: number | string, hostKey?: string, meetingCode = code): Promise<Person> {
  const page = await SdkPage.open(browser, cluster.embedder.url, name);
  const server = typeof via === 'number' ? cluster.nodes[via]!.url : via;
  const id = await page.page.evaluate(
    async ({ server, code, name, hostKey }) => {
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 160, height: 120, frameRate: 10 } });
      window.__room = new Room({ server });
      window.__departures = [];
      window.__reconnects = 0;
      window.__room.on('reconnecting', () => (window.__reconnects += 1));
      window.__room.on('participant-left', (participant, reason) => window.__departures.push(`${participant.name} (${reason})`));
      await window.__room.join({ code, name, stream, audio: false, video: true, ...(hostKey ? { hostKey } : {}) });
      return window.__room.localParticipant.id;
    },
    { server, code: meetingCode, name, hostKey },
  );
  return { page, id };
}

/** What `person` sees: each remote participant's connection state by name, and who left. */
function viewOf(person: Person): Promise<{ states: Record<string, string>; departures: string[] }> {
  return person.page.page.evaluate(() => ({
    states: Object.fromEntries([...window.__room.participants.values()].map((remote) => [remote.name, remote.connectionState])),
    departures: window.__departures,
  }));
}

/** Everyone in `expected` sees exactly the others of it, all `connected`, and nobody of them ever left a view. */
async function assertViews(expected: Map<string, Person>, when: string): Promise<void> {
  for (const [name, person] of expected) {
    const view = await viewOf(person);
    const others = Object.fromEntries([...expected.keys()].filter((other) => other !== name).map((other) => [other, 'connected']));
    assert.deepEqual(view.states, others, `${when}: ${name} sees everyone else connected`);
    assert.deepEqual(
      view.departures.filter((departure) => expected.has(departure.split(' ')[0]!)),
      [],
      `${when}: nobody of the call left ${name}'s view`,
    );
  }
}

/** Video frames decoded, per "viewer<-sender", for every pair of the call. */
async function frames(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [viewer, person] of people) {
    for (const [sender, other] of people) {
      if (sender !== viewer) counts.set(`${viewer}<-${sender}`, await person.page.framesDecodedFrom(other.id));
    }
  }
  return counts;
}

/** The call is whole: everyone connected with everyone, and every pair's video advances. */
async function assertCallIntact(when: string): Promise<void> {
  await assertViews(people, when);
  const first = await frames();
  await delay(1500);
  for (const [pair, count] of await frames()) {
    assert.ok(count > first.get(pair)!, `${when}: video ${pair} advances (${first.get(pair)} → ${count} frames decoded)`);
  }
}

before(async () => {
  cluster = await startCluster(2);
  browser = await launchChromium();
  const meeting = await createMeeting(cluster.front);
  code = meeting.code;
  people.set('Ada', await join('Ada', 0, meeting.hostKey));
  people.set('Bob', await join('Bob', 0));
  people.set('Cy', await join('Cy', 1));
  await waitFor(
    async () => (await frames().then((counts) => [...counts.values()].every((count) => count > 0))),
    'video between everyone',
    30_000,
  );

  const other = await createMeeting(cluster.front);
  const balancer = await startTcpProxy(Number(new URL(cluster.nodes[0]!.url).port));
  const pair = new Map([
    ['Fay', await join('Fay', 0, other.hostKey, other.code)],
    ['Gil', await join('Gil', balancer.url, undefined, other.code)],
  ]);
  roaming = { pair, balancer, node: 0 };
  await waitFor(async () => (await viewOf(pair.get('Fay')!)).states.Gil === 'connected', 'Fay and Gil connected', 30_000);
});

after(async () => {
  if (newcomerTimes.length > 0) {
    const sorted = newcomerTimes.map((time) => time.ms).sort((a, b) => a - b);
    console.log(
      `newcomer connected with everyone after Redis was back: median ${sorted[Math.floor(sorted.length / 2)]} ms, ` +
        `worst ${sorted.at(-1)} ms (${newcomerTimes.map((time) => `${time.round} node ${time.node}: ${time.ms} ms`).join('; ')})`,
    );
  }
  for (const person of [...people.values(), ...(roaming?.pair.values() ?? [])]) await person.page.close().catch(() => undefined);
  await roaming?.balancer.close();
  await browser?.close();
  await cluster?.stop();
});

async function outageRound(round: string, outageMs: number, newcomerNode: number): Promise<void> {
  await assertCallIntact(`${round}, before the outage`);
  await cluster.redis.crash();
  let redisDown = true;
  const downAt = Date.now();
  const name = `Dee${round.replace(/\W/g, '')}`;
  let newcomer: Person | undefined;
  try {
    // During the outage: checked at once and then every few seconds (each check takes a moment itself).
    for (let check = 1; Date.now() - downAt < outageMs - 2000 || check === 1; check += 1) {
      await assertCallIntact(`${round}, ${Math.round((Date.now() - downAt) / 1000)} s into the outage`);
      await delay(Math.min(3000, Math.max(0, outageMs - 2000 - (Date.now() - downAt))));
    }
    await delay(Math.max(0, outageMs - (Date.now() - downAt)));
    await cluster.redis.revive();
    redisDown = false;
    const backAt = Date.now();

    newcomer = await join(name, newcomerNode);
    const everyone = new Map([...people, [name, newcomer]]);
    await waitFor(
      async () => {
        for (const [viewer, person] of everyone) {
          const { states } = await viewOf(person);
          const others = [...everyone.keys()].filter((other) => other !== viewer);
          if (!others.every((other) => states[other] === 'connected')) return false;
        }
        return true;
      },
      `${round}: newcomer ${name} on node ${newcomerNode} connected with everyone`,
      NEWCOMER_CONNECTED_MS,
    ).catch(async (error: unknown) => {
      const views = await Promise.all([...everyone].map(async ([who, person]) => `${who}: ${JSON.stringify((await viewOf(person)).states)}`));
      throw new Error(`${(error as Error).message}\n${views.join('\n')}`);
    });
    newcomerTimes.push({ round, node: newcomerNode, ms: Date.now() - backAt });
    await assertViews(everyone, `${round}, after the newcomer came`);
  } finally {
    // A failed round must not leave Redis down or the newcomer in the call for the rounds after it.
    if (redisDown) await cluster.redis.revive();
    if (newcomer) {
      await newcomer.page.page.evaluate(() => window.__room.leave()).catch(() => undefined);
      await newcomer.page.close();
    }
  }
  await waitFor(
    async () => (await Promise.all([...people.values()].map(viewOf))).every((view) => !(name in view.states)),
    `${round}: newcomer ${name} gone from every view`,
  );
  await assertCallIntact(`${round}, after the outage`);
}

for (let index = 0; index < ROUNDS; index += 1) {
  test(`Redis killed for 3 s, round ${index + 1}: the call goes on and a newcomer joins`, { timeout: 90_000 }, () =>
    outageRound(`3 s round ${index + 1}`, SHORT_OUTAGE_MS, index % 2 === 0 ? 1 : 0),
  );
}

for (let index = 0; index < ROUNDS; index += 1) {
  test(`Redis killed for 30 s, round ${index + 1}: the call goes on and a newcomer joins`, { timeout: 120_000 }, () =>
    outageRound(`30 s round ${index + 1}`, LONG_OUTAGE_MS, index % 2 === 0 ? 0 : 1),
  );
}

/** Gil's connection drops during an outage and comes back on the node that did not hold him (nor ever read the meeting). */
async function roamingRound(round: string): Promise<void> {
  const { pair, balancer } = roaming;
  const gil = pair.get('Gil')!;
  await assertViews(pair, `${round}, before the outage`);
  const reconnectsBefore = await gil.page.page.evaluate(() => window.__reconnects);
  await cluster.redis.crash();
  const downAt = Date.now();
  try {
    roaming.node = 1 - roaming.node;
    balancer.retarget(Number(new URL(cluster.nodes[roaming.node]!.url).port));
    balancer.cut();
    await waitFor(
      async () =>
        gil.page.page.evaluate(
          ({ before, id }) => window.__reconnects > before && window.__room.state === 'joined' && window.__room.localParticipant.id === id,
          { before: reconnectsBefore, id: gil.id },
        ),
      `${round}: Gil back as the same participant on node ${roaming.node} while Redis is down`,
      ROAMING_OUTAGE_MS - 1000,
    ).catch(async (error: unknown) => {
      const seen = await gil.page.page.evaluate(() => ({ state: window.__room.state, reconnects: window.__reconnects, id: window.__room.localParticipant?.id }));
      throw new Error(`${(error as Error).message}: ${JSON.stringify(seen)}`);
    });
    await assertViews(pair, `${round}, Gil back during the outage`);
    await delay(Math.max(0, ROAMING_OUTAGE_MS - (Date.now() - downAt)));
  } finally {
    await cluster.redis.revive();
  }
  // Once Redis is back the nodes re-converge; Gil's old node must not drop him when his old connection's window ends.
  await delay(3000);
  await assertViews(pair, `${round}, after the outage`);
}

for (let index = 0; index < ROUNDS; index += 1) {
  test(`Redis killed for 8 s, round ${index + 1}: a dropped connection comes back on the other node`, { timeout: 60_000 }, () =>
    roamingRound(`roaming round ${index + 1}`),
  );
}

test('after every outage, nobody is dropped later', { timeout: 60_000 }, async () => {
  // A node that counted the other's participants as away drops them once their resume window closes.
  await delay(LATE_DROP_MS);
  await assertCallIntact('well after the last outage');
  await assertViews(roaming.pair, 'well after the last outage (Fay and Gil)');
});
