import { defaultMediaConstraints } from '@parley/sdk';
import type { Browser } from 'playwright-core';
import { MeetingPage } from '../../test/e2e/support/meeting-page.js';
import { prepareFloor, type FloorRun } from './floor.js';
import { openEmbedderPage } from './pages.js';
import { prepareParleyJoins, type ParleyRun } from './parley-join.js';
import type { JoinResults } from './report.js';
import { machineLine, type Cleanups } from './run.js';
import type { BenchServer } from './topology.js';

/**
 * Discarded first runs on each side: the browser's first peer connections pay one-off start-up costs (codec and
 * network-service initialization) that would land on whichever side runs first.
 */
const WARMUP_RUNS = 1;

/** One run that takes this long is broken, not slow. */
const RUN_TIMEOUT_MS = 10_000;

/** Lets the previous run's connections finish closing on both sides before the next clock starts. */
const PAUSE_BETWEEN_RUNS_MS = 250;

/**
 * Join latency on `server`'s meeting (mesh or SFU): the floor and Parley, run after run in turns (which goes first alternates), so both see the same
 * load of a shared machine; their pages are closed before the recovery runs start.
 */
export async function benchJoins(browser: Browser, server: BenchServer, runs: number, cleanups: Cleanups): Promise<JoinResults> {
  const { parleyUrl, embedderUrl, meeting } = server;
  // (a) two connections in a page of its own.
  const floorPage = await openEmbedderPage(browser, embedderUrl, 'floor');
  cleanups.add(() => floorPage.close());
  const runFloor = await prepareFloor(floorPage.page, { constraints: defaultMediaConstraints, timeoutMs: RUN_TIMEOUT_MS });

  // (b) The first participant joins the documented way and stays; the second joins and leaves each run.
  const host = await MeetingPage.open(browser, embedderUrl, meeting, 'Host');
  cleanups.add(() => host.close());
  const joiner = await openEmbedderPage(browser, embedderUrl, 'joiner');
  cleanups.add(() => joiner.close());
  const runParley = await prepareParleyJoins(joiner.page, host.page, {
    parleyUrl,
    code: meeting.code,
    constraints: defaultMediaConstraints,
    timeoutMs: RUN_TIMEOUT_MS,
  });

  const floor: FloorRun[] = [];
  const floorFastStart: FloorRun[] = [];
  const parleyRuns: ParleyRun[] = [];
  const preconnectedRuns: ParleyRun[] = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_RUNS_MS));
  for (let index = 0; index < WARMUP_RUNS + runs; index++) {
    const measures = [
      async () => floor.push(await runFloor(false)),
      async () => floorFastStart.push(await runFloor(true)),
      async () => parleyRuns.push(await runParley(index, false)),
      async () => preconnectedRuns.push(await runParley(index, true)),
    ];
    // Each goes first, second and third in turn.
    for (let turn = 0; turn < measures.length; turn++) {
      await measures[(index + turn) % measures.length]!();
      await pause();
    }
  }
  const load = machineLine();
  // The host's camera would keep encoding on the two cores the recovery runs share.
  await Promise.all([floorPage.close(), joiner.close(), host.close()]);
  return {
    topology: server.topology,
    runs,
    warmupRuns: WARMUP_RUNS,
    floor: floor.slice(WARMUP_RUNS),
    floorFastStart: floorFastStart.slice(WARMUP_RUNS),
    parley: parleyRuns.slice(WARMUP_RUNS),
    parleyPreconnected: preconnectedRuns.slice(WARMUP_RUNS),
    load,
  };
}
