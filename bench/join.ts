/**
 * `npm run bench`: how long joining a Parley meeting takes to show the other person's video, next to the floor
 * that WebRTC itself needs in the same browser; how long media takes to come back after the TURN server of a
 * relay-only call dies and returns; and the size of the `/parley.js` bundle.
 * Loopback only; every server, page and browser it starts is closed before it exits.
 *
 *   npm run bench                                        # 10 joins a side, 10 ICE recoveries
 *   npm run bench -- --runs 5 --recovery-runs 0          # a quicker look at the joins alone
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defaultMediaConstraints } from '@parley/sdk';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/e2e/support/browser.js';
import { MeetingPage } from '../test/e2e/support/meeting-page.js';
import { SdkPage } from '../test/e2e/support/sdk-page.js';
import { createMeeting, startEmbedder, startParley } from '../test/e2e/support/servers.js';
import { startTurnServer } from '../test/e2e/support/turn-server.js';
import { prepareFloor, type FloorRun } from './lib/floor.js';
import { measureRecoveries, waitForMedia, type RecoveryOptions, type RecoveryRun } from './lib/ice-recovery.js';
import { openEmbedderPage } from './lib/pages.js';
import { prepareParleyJoins, type ParleyRun } from './lib/parley-join.js';
import { formatJson, formatTable, type BenchResults, type BundleSize } from './lib/report.js';
import { machineLine, option, runBench, type Cleanups } from './lib/run.js';

/** Joins measured on each side; `--runs N` for a quicker look. */
const RUNS = Number(option('runs', '10'));
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
 * ICE recovery: 10 forced failures (issue 13 asks for the median and worst of 10), some 8 s each: coturn dead 3 s,
 * media back a few seconds after, then settling 2 s before the next. Frames polled every 50 ms.
 */
const RECOVERY = {
  runs: Number(option('recovery-runs', '10')),
  turnDownMs: 3000,
  timeoutMs: 30_000,
  pollMs: 50,
  settleMs: 2000,
} as const satisfies RecoveryOptions;
/** Two relay-only participants joining and sending media, before the first failure. */
const RECOVERY_CALL_SETUP_MS = 20_000;
/** The whole bench, cleanup excluded: some 30 s of joins, one or two minutes of recoveries, and margin. */
const BENCH_DEADLINE_MS = 240_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const bundlePath = fileURLToPath(new URL('../packages/elements/bundle/parley.js', import.meta.url));

function measureBundle(): BundleSize {
  const raw = readFileSync(bundlePath);
  const folder = dirname(bundlePath);
  const laterGzipBytes = Object.fromEntries(
    readdirSync(folder)
      .filter((file) => /^parley-.+\.js$/.test(file))
      .map((file) => [file.replace(/^parley-(.+)-[\w-]{8}\.js$/, '$1'), gzipSync(readFileSync(join(folder, file)), { level: 9 }).length]),
  );
  return { path: relative(root, bundlePath), rawBytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length, laterGzipBytes };
}

/**
 * Join latency: the floor and Parley, run after run in turns (which goes first alternates), so both see the same
 * load of a shared machine; their pages are closed before the recovery runs start.
 */
async function benchJoins(browser: Browser, cleanups: Cleanups): Promise<Pick<BenchResults, 'floor' | 'floorFastStart' | 'parley' | 'parleyPreconnected' | 'load'>> {
  const parley = await startParley();
  cleanups.add(() => parley.close());
  const embedder = await startEmbedder(parley.url);
  cleanups.add(() => embedder.close());

  // (a) two connections in a page of its own.
  const floorPage = await openEmbedderPage(browser, embedder.url, 'floor');
  cleanups.add(() => floorPage.close());
  const runFloor = await prepareFloor(floorPage.page, { constraints: defaultMediaConstraints, timeoutMs: RUN_TIMEOUT_MS });

  // (b) The first participant joins the documented way and stays; the second joins and leaves each run.
  const meeting = await createMeeting(parley.url);
  const host = await MeetingPage.open(browser, embedder.url, meeting, 'Host');
  cleanups.add(() => host.close());
  const joiner = await openEmbedderPage(browser, embedder.url, 'joiner');
  cleanups.add(() => joiner.close());
  const runParley = await prepareParleyJoins(joiner.page, host.page, {
    parleyUrl: parley.url,
    code: meeting.code,
    constraints: defaultMediaConstraints,
    timeoutMs: RUN_TIMEOUT_MS,
  });

  const floor: FloorRun[] = [];
  const floorFastStart: FloorRun[] = [];
  const parleyRuns: ParleyRun[] = [];
  const preconnectedRuns: ParleyRun[] = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_RUNS_MS));
  for (let index = 0; index < WARMUP_RUNS + RUNS; index++) {
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
    floor: floor.slice(WARMUP_RUNS),
    floorFastStart: floorFastStart.slice(WARMUP_RUNS),
    parley: parleyRuns.slice(WARMUP_RUNS),
    parleyPreconnected: preconnectedRuns.slice(WARMUP_RUNS),
    load,
  };
}

/**
 * (e) ICE recovery: two SDK participants, relay-only through coturn, on a Parley server that hands out that TURN
 * server. Its own server and embedder, so the join measurements keep their host-candidate-only configuration.
 */
async function benchRecovery(browser: Browser, cleanups: Cleanups): Promise<RecoveryRun[]> {
  const turn = await startTurnServer();
  cleanups.add(() => turn.close());
  const parley = await startParley({ ICE_SERVERS: JSON.stringify([turn.iceServer]) });
  cleanups.add(() => parley.close());
  const embedder = await startEmbedder(parley.url);
  cleanups.add(() => embedder.close());

  const { code } = await createMeeting(parley.url);
  const ada = await SdkPage.open(browser, embedder.url, 'Ada');
  cleanups.add(() => ada.close());
  const bob = await SdkPage.open(browser, embedder.url, 'Bob');
  cleanups.add(() => bob.close());
  const adaId = await ada.join(parley.url, code, { iceTransportPolicy: 'relay' });
  const bobId = await bob.join(parley.url, code, { iceTransportPolicy: 'relay' });
  const sides = [
    { sdk: ada, remoteId: bobId },
    { sdk: bob, remoteId: adaId },
  ];
  await waitForMedia(sides, { ...RECOVERY, timeoutMs: RECOVERY_CALL_SETUP_MS });
  return measureRecoveries(turn, sides, RECOVERY);
}

async function bench(cleanups: Cleanups): Promise<BenchResults> {
  const bundle = measureBundle();
  const browser = await launchChromium();
  cleanups.add(() => browser.close());
  const joins = await benchJoins(browser, cleanups);
  // `--recovery-runs 0` measures the joins alone.
  const recovery = { pollMs: RECOVERY.pollMs, turnDownMs: RECOVERY.turnDownMs, runs: RECOVERY.runs > 0 ? await benchRecovery(browser, cleanups) : [] };
  return { runs: RUNS, warmupRuns: WARMUP_RUNS, ...joins, recovery, bundle };
}

await runBench(BENCH_DEADLINE_MS, bench, (results) => [formatTable(results), formatJson(results)]);
