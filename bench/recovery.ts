/**
 * Recovery times by fault (docs/performance.md, "Recovery times by fault"): a two-person call of `<meeting-room>`
 * pages, the fault, and when each page saw it (`reconnecting`) and was back (`reconnected`), from the room's own
 * events on the shared wall clock. Video is checked to advance again after each round.
 *
 *   sh scripts/loopback-netns.sh node --import tsx bench/recovery.ts [--rounds 5] [--outage-ms 3000]
 *
 * TURN restarts are measured by `npm run bench` (its ICE recovery table); Redis outages by the fault suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { freePort } from '../packages/server/test/support/redis-server.js';
import { launchChromium } from '../test/e2e/support/browser.js';
import { MeetingPage } from '../test/e2e/support/meeting-page.js';
import { healthy, startCluster, startServerProcess, waitFor, type ServerProcess } from '../test/e2e/support/processes.js';
import { createMeeting, startEmbedder, startParley } from '../test/e2e/support/servers.js';
import { startTcpProxy } from '../test/e2e/support/tcp-proxy.js';
import { Cleanups, machineLine, markdownTable, option, runBench } from './lib/run.js';
import { summarize } from './lib/stats.js';

const ROUNDS = Number(option('rounds', '3'));
const OUTAGE_MS = Number(option('outage-ms', '3000'));

declare global {
  interface Window {
    /** `Date.now()` of the room's latest `reconnecting` and `reconnected`, 0 until they happen. */
    __recovery: { lostAt: number; backAt: number };
  }
}

/** One round: when the fault began, when the server answered again, and what the pages saw. */
interface Round {
  /** Fault → the later page's `reconnecting` (the Reconnecting notice). */
  noticeMs: number;
  /** Server answering again (or the path restored) → the later page's `reconnected`. */
  backMs: number;
  /** Fault → the later page's `reconnected`: the whole outage as a person sees it. */
  totalMs: number;
}

interface Scenario {
  fault: string;
  /** What stands in for "the server answers again" in `backMs`. */
  backFrom: string;
  rounds: Round[];
}

/** A call of two pages on `front`, each recording its room's connection events. */
async function openCall(browser: Browser, front: string, embedderUrl: string): Promise<MeetingPage[]> {
  const meeting = await createMeeting(front);
  const pages = [await MeetingPage.open(browser, embedderUrl, meeting, 'Ada'), await MeetingPage.open(browser, embedderUrl, { code: meeting.code }, 'Bob')];
  await pages[0]!.waitForVideoFrom(pages[1]!.participantId, 30_000);
  await pages[1]!.waitForVideoFrom(pages[0]!.participantId, 30_000);
  for (const page of pages) {
    await page.evaluateRoom((element) => {
      window.__recovery = { lostAt: 0, backAt: 0 };
      element.room!.on('reconnecting', () => (window.__recovery.lostAt = Date.now()));
      element.room!.on('reconnected', () => (window.__recovery.backAt = Date.now()));
    });
  }
  return pages;
}

/** Runs `fault` (which resolves when the server answers again) and measures the pages that lost their server. */
async function measureRound(pages: MeetingPage[], what: string, fault: () => Promise<number>): Promise<Round> {
  for (const page of pages) await page.page.evaluate(() => (window.__recovery = { lostAt: 0, backAt: 0 }));
  const faultAt = Date.now();
  const answeredAt = await fault();
  const affected: { lostAt: number; backAt: number }[] = [];
  const back = waitFor(
    async () => {
      affected.length = 0;
      for (const page of pages) {
        const times = await page.page.evaluate(() => window.__recovery);
        if (times.lostAt) affected.push(times);
      }
      return affected.length > 0 && affected.every((times) => times.backAt > times.lostAt);
    },
    'the pages back',
    60_000,
  );
  await back.catch(async (error: unknown) => {
    const states = await Promise.all(pages.map((page) => page.evaluateRoom((element) => element.room?.state)));
    throw new Error(`${what}: ${String(error)}; rooms ${states.join(', ')}; ${JSON.stringify(affected)}`);
  });
  // Media after the fault: every page decodes more from the other.
  for (const page of pages) {
    const other = pages.find((candidate) => candidate !== page)!;
    const before = (await page.receivedFrom(other.participantId)).framesDecoded;
    await waitFor(async () => (await page.receivedFrom(other.participantId)).framesDecoded > before, `${page.name}'s video advancing`, 20_000);
  }
  const lostAt = Math.max(...affected.map((times) => times.lostAt));
  const backAt = Math.max(...affected.map((times) => times.backAt));
  return { noticeMs: lostAt - faultAt, backMs: backAt - answeredAt, totalMs: backAt - faultAt };
}

/** The signaling path cut (every socket reset, new ones refused) for OUTAGE_MS: the network, not the server. */
async function networkCut(browser: Browser, cleanups: Cleanups): Promise<Scenario> {
  const parley = await startParley({ RESUME_WINDOW_MS: '20000' });
  cleanups.add(() => parley.close());
  const proxy = await startTcpProxy(Number(new URL(parley.url).port));
  cleanups.add(() => proxy.close());
  const embedder = await startEmbedder(proxy.url);
  cleanups.add(() => embedder.close());
  const pages = await openCall(browser, proxy.url, embedder.url);
  cleanups.add(async () => void (await Promise.all(pages.map((page) => page.close()))));
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.push(
      await measureRound(pages, `network cut, round ${round + 1}`, async () => {
        await proxy.block('reset');
        proxy.cut();
        await delay(OUTAGE_MS);
        await proxy.unblock();
        return Date.now();
      }),
    );
  }
  return { fault: `network cut between browsers and server, ${OUTAGE_MS / 1000} s`, backFrom: 'path restored', rounds };
}

/** One server process on a SQLite file, stopped with `signal` and started again after `outageMs`. */
async function serverDown(browser: Browser, cleanups: Cleanups, signal: NodeJS.Signals, outageMs: number): Promise<Round[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-recovery-'));
  cleanups.add(async () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { DATA_DIR: dir };
  let server: ServerProcess = await startServerProcess(port, env);
  cleanups.add(() => server.kill('SIGTERM'));
  const embedder = await startEmbedder(server.url);
  cleanups.add(() => embedder.close());
  const pages = await openCall(browser, server.url, embedder.url);
  cleanups.add(async () => void (await Promise.all(pages.map((page) => page.close()))));
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.push(
      await measureRound(pages, `${signal}, round ${round + 1}`, async () => {
        await server.kill(signal);
        await delay(outageMs);
        server = await startServerProcess(port, env);
        return Date.now();
      }),
    );
  }
  return rounds;
}

/** Two nodes behind nginx: the node holding most of the call's sockets is killed, and started again between rounds. */
async function nodeKilled(browser: Browser, cleanups: Cleanups): Promise<Scenario> {
  const cluster = await startCluster(2);
  cleanups.add(() => cluster.stop());
  const pages = await openCall(browser, cluster.front, cluster.embedder.url);
  cleanups.add(async () => void (await Promise.all(pages.map((page) => page.close()))));
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const sockets = await Promise.all(
      cluster.nodes.map(async (node) => Number(/^parley_sockets (\d+)/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1])),
    );
    const victim = sockets.indexOf(Math.max(...sockets));
    rounds.push(
      await measureRound(pages, `node killed, round ${round + 1}`, async () => {
        await cluster.nodes[victim]!.kill('SIGKILL');
        // The other node is up all along: "answering again" is the fault itself.
        return Date.now();
      }),
    );
    await cluster.restart(victim);
    await waitFor(() => healthy(cluster.nodes[victim]!.url), 'the killed node back');
  }
  return { fault: 'one node of two (behind nginx) killed with SIGKILL', backFrom: 'the kill (the other node is up)', rounds };
}

function report(scenarios: Scenario[]): string[] {
  const cell = (rounds: Round[], field: keyof Round) => {
    const { median, max } = summarize(rounds.map((round) => round[field]));
    return `${Math.round(median)} (${Math.round(max)})`;
  };
  return [
    `Recovery of a two-person call, ${ROUNDS} rounds each; ms, median (worst); ${machineLine()}`,
    '',
    ...markdownTable(
      ['fault', 'fault → Reconnecting notice', 'back after', 'answering again → back', 'fault → back'],
      scenarios.map(({ fault, backFrom, rounds }) => [fault, cell(rounds, 'noticeMs'), backFrom, cell(rounds, 'backMs'), cell(rounds, 'totalMs')]),
    ),
  ];
}

await runBench(
  15 * 60_000,
  async (cleanups) => {
    const browser = await launchChromium();
    cleanups.add(() => browser.close());
    const scenarios = [await networkCut(browser, cleanups)];
    scenarios.push({
      fault: `signaling server killed (SIGKILL), restarted after ${OUTAGE_MS / 1000} s`,
      backFrom: '/healthz answering',
      rounds: await serverDown(browser, cleanups, 'SIGKILL', OUTAGE_MS),
    });
    scenarios.push({
      fault: 'signaling server restarted gracefully (SIGTERM, then started at once)',
      backFrom: '/healthz answering',
      rounds: await serverDown(browser, cleanups, 'SIGTERM', 0),
    });
    scenarios.push(await nodeKilled(browser, cleanups));
    return scenarios;
  },
  report,
);
