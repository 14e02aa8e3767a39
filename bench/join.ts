/**
 * `npm run bench`: how long joining a Parley meeting takes to show the other person's video, next to the floor
 * that WebRTC itself needs in the same browser, plus the size of the `/parley.js` bundle.
 * Loopback only; every server, page and browser it starts is closed before it exits.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defaultMediaConstraints } from '@parley/sdk';
import { launchChromium } from '../test/e2e/support/browser.js';
import { MeetingPage } from '../test/e2e/support/meeting-page.js';
import { createMeeting, startEmbedder, startParley } from '../test/e2e/support/servers.js';
import { measureFloor } from './lib/floor.js';
import { openEmbedderPage } from './lib/pages.js';
import { measureParleyJoins } from './lib/parley-join.js';
import { formatJson, formatTable, type BenchResults, type BundleSize } from './lib/report.js';

const RUNS = 10;
/**
 * Discarded first runs on each side: the browser's first peer connections pay one-off start-up costs (codec and
 * network-service initialization) that would land on whichever side runs first.
 */
const WARMUP_RUNS = 1;
/** One run that takes this long is broken, not slow. */
const RUN_TIMEOUT_MS = 10_000;
/** Lets the previous run's connections finish closing on both sides before the next clock starts. */
const PAUSE_BETWEEN_RUNS_MS = 250;
/** The whole bench, cleanup excluded. */
const BENCH_DEADLINE_MS = 100_000;
/** Cleanup gets this long before the process exits regardless. */
const CLEANUP_DEADLINE_MS = 15_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const bundlePath = fileURLToPath(new URL('../packages/elements/bundle/parley.js', import.meta.url));

type Cleanup = () => Promise<void>;

/** What the bench started, closed newest first; one failure does not keep the rest open. */
class Cleanups {
  readonly #stack: Cleanup[] = [];
  #closing = false;

  /** After a deadline the bench may still be starting things: those are closed as soon as they are added. */
  add(cleanup: Cleanup): void {
    if (this.#closing) void Cleanups.#run(cleanup);
    else this.#stack.push(cleanup);
  }

  async closeAll(): Promise<void> {
    this.#closing = true;
    for (const cleanup of this.#stack.reverse()) await Cleanups.#run(cleanup);
  }

  static #run(cleanup: Cleanup): Promise<void> {
    return cleanup().catch((error: unknown) => console.error('bench: cleanup failed:', error));
  }
}

function measureBundle(): BundleSize {
  const raw = readFileSync(bundlePath);
  return { path: relative(root, bundlePath), rawBytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length };
}

async function bench(cleanups: Cleanups): Promise<BenchResults> {
  const bundle = measureBundle();
  const parley = await startParley();
  cleanups.add(() => parley.close());
  const embedder = await startEmbedder(parley.url);
  cleanups.add(() => embedder.close());
  const browser = await launchChromium();
  cleanups.add(() => browser.close());

  // (a) first, alone in the browser: the floor should not pay for the meeting pages' rendering.
  const floorPage = await openEmbedderPage(browser, embedder.url, 'floor');
  const floorRuns = await measureFloor(floorPage.page, {
    runs: WARMUP_RUNS + RUNS,
    constraints: defaultMediaConstraints,
    timeoutMs: RUN_TIMEOUT_MS,
    pauseMs: PAUSE_BETWEEN_RUNS_MS,
  });
  await floorPage.close();

  // (b) The first participant joins the documented way and stays; the second joins and leaves RUNS times.
  const meeting = await createMeeting(parley.url);
  const host = await MeetingPage.open(browser, embedder.url, meeting, 'Host');
  cleanups.add(() => host.close());
  const joiner = await openEmbedderPage(browser, embedder.url, 'joiner');
  cleanups.add(() => joiner.close());
  const parleyRuns = await measureParleyJoins(joiner.page, {
    parleyUrl: parley.url,
    code: meeting.code,
    runs: WARMUP_RUNS + RUNS,
    timeoutMs: RUN_TIMEOUT_MS,
    pauseMs: PAUSE_BETWEEN_RUNS_MS,
  });
  return {
    runs: RUNS,
    warmupRuns: WARMUP_RUNS,
    floor: floorRuns.slice(WARMUP_RUNS),
    parley: parleyRuns.slice(WARMUP_RUNS),
    bundle,
  };
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const cleanups = new Cleanups();
  try {
    const results = await withDeadline(bench(cleanups), BENCH_DEADLINE_MS, 'the bench');
    console.log(formatTable(results));
    console.log(formatJson(results));
  } catch (error) {
    console.error('bench failed:', error);
    process.exitCode = 1;
  } finally {
    // A hung close or a leftover handle must not hang the bench: exit anyway (Playwright kills its browser on
    // exit). Unref'd, so a clean finish exits at once.
    setTimeout(() => {
      console.error(`bench: still running ${CLEANUP_DEADLINE_MS / 1000} s after cleanup began, exiting`);
      process.exit(1);
    }, CLEANUP_DEADLINE_MS).unref();
    await cleanups.closeAll();
  }
}

await main();
