/**
 * `npm run bench`: how long joining a Parley meeting takes to show the other person's video, next to the floor
 * that WebRTC itself needs in the same browser; how long media takes to come back after the TURN server of a
 * relay-only call dies and returns; the size of the `/parley.js` bundle; and background blur's cost per frame.
 * Loopback only; every server, page and browser it starts is closed before it exits.
 *
 *   npm run bench                                        # 10 joins a side, 10 ICE recoveries
 *   npm run bench -- --runs 5 --recovery-runs 0          # a quicker look at the joins alone
 *   npm run bench -- --background-seconds 0              # without background blur's cost
 *
 * SFU mode (media through Janus) has its own: `npm run bench:sfu` (bench/sfu.ts), joins, mesh vs SFU, 25 and 50.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/e2e/support/browser.js';
import { SdkPage } from '../test/e2e/support/sdk-page.js';
import { createMeeting, startEmbedder, startParley } from '../test/e2e/support/servers.js';
import { startTurnServer } from '../test/e2e/support/turn-server.js';
import { measureBackgroundCost } from './lib/background-cost.js';
import { measureRecoveries, waitForMedia, type RecoveryOptions, type RecoveryRun } from './lib/ice-recovery.js';
import { benchJoins } from './lib/join-runs.js';
import { formatJson, formatTable, type BenchResults, type BundleSize } from './lib/report.js';
import { option, runBench, type Cleanups } from './lib/run.js';
import { startTopology } from './lib/topology.js';

/** Joins measured on each side; `--runs N` for a quicker look. */
const RUNS = Number(option('runs', '10'));
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
/** Background blur measured this long (after its warm-up); 0 leaves it out. */
const BACKGROUND_SECONDS = Number(option('background-seconds', '8'));
/** Two relay-only participants joining and sending media, before the first failure. */
const RECOVERY_CALL_SETUP_MS = 20_000;
/** The whole bench, cleanup excluded: some 30 s of joins, one or two minutes of recoveries, background blur, and margin. */
const BENCH_DEADLINE_MS = 270_000;
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
  const joins = await benchJoins(browser, await startTopology('mesh', cleanups), RUNS, cleanups);
  // `--recovery-runs 0` measures the joins alone.
  const recovery = { pollMs: RECOVERY.pollMs, turnDownMs: RECOVERY.turnDownMs, runs: RECOVERY.runs > 0 ? await benchRecovery(browser, cleanups) : [] };
  let background = null;
  if (BACKGROUND_SECONDS > 0) {
    const parley = await startParley();
    cleanups.add(() => parley.close());
    background = await measureBackgroundCost(browser, parley.url, BACKGROUND_SECONDS);
  }
  return { ...joins, recovery, bundle, background };
}

await runBench(BENCH_DEADLINE_MS, bench, (results) => [formatTable(results), formatJson(results)]);
