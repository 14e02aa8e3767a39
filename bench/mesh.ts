/**
 * `npm run bench:mesh`: N = 2, 4, 6 participants in one meeting, each a page of its own that shows (decodes) every
 * other participant's camera. Over a measured window, per N: decoded frames per second of every tile, freezes,
 * CPU per page and uplink per page. Loopback only; every server, page and browser it starts is closed before it exits.
 * `--topology mesh,sfu` runs each N peer to peer and then through Janus (SFU mode, whose process's CPU and memory
 * are reported too), side by side in one run.
 *
 *   npm run bench:mesh                                  # N = 2, 4, 6; 60 s each after 10 s of warm-up
 *   npm run bench:mesh -- --sizes 6 --seconds 20        # one size, a shorter window
 *   npm run bench:mesh -- --topology mesh,sfu --sizes 4,6
 *
 * One browser per N, one browser context (so one renderer process) per participant: the renderer is where a page's
 * WebRTC encoders and decoders run, so its CPU time is that participant's cost. Capture of the fake camera and the
 * network service are shared by every page, as they would not be on separate laptops: they are reported apart,
 * as "rest of Chromium".
 */
import { loadavg } from 'node:os';
import type { Browser, CDPSession } from 'playwright-core';
import { processCpu } from './lib/chromium-cpu.js';
import { launchChromium } from '../test/e2e/support/browser.js';
import { SdkPage } from '../test/e2e/support/sdk-page.js';
import { readGaps, resetGaps, showTiles, snapshotPeers, snapshotUplink, trackPeerConnections } from './lib/mesh-page.js';
import { machineLine, markdownTable, option, runBench, type Cleanups } from './lib/run.js';
import { fixed, range, summarize } from './lib/stats.js';
import { parseTopologies, processUsage, startTopology, type Topology } from './lib/topology.js';

const SIZES = option('sizes', '2,4,6')
  .split(',')
  .map((size) => Number.parseInt(size, 10));
const TOPOLOGIES = parseTopologies(option('topology', 'mesh'));
const WINDOW_S = Number(option('seconds', '60'));
/** Bandwidth estimation ramps up and the SDK's encoding steps settle before the window starts. */
const WARMUP_S = Number(option('warmup', '10'));
/** Joining, and every tile's first frame: a size that takes longer is broken, not slow. */
const SETUP_TIMEOUT_MS = 45_000;
/** Issue 7's target for 6 participants (issue 15's for SFU mode). */
const TARGET = { fps: 15, longestFreezeMs: 1000 } as const;

/** The counters of a peer that joined during the window: nothing before it. */
const NOTHING_YET = { framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, bytesReceived: 0 };

/** Main-thread task time of a page, seconds (CDP Performance `TaskDuration`). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
}

interface Participant {
  sdk: SdkPage;
  cdp: CDPSession;
  /** The renderer processes that appeared when the page opened. */
  pids: number[];
}

interface PageResult {
  /** Decoded frames per second of each remote tile. */
  fps: number[];
  freezes: number;
  /** Longest time between two presented frames of any tile, from requestVideoFrameCallback. */
  longestGapMs: number;
  /** Longest total freeze time of one tile (getStats `totalFreezesDuration`), ms. */
  freezeMs: number;
  /** Renderer CPU, percent of one core. */
  cpuPercent: number;
  /** Main-thread task time, percent of one core. */
  mainThreadPercent: number;
  uplinkKbps: number;
  videoUplinkKbps: number;
  receivedHeights: number[];
  sentHeights: number[];
  limitations: string[];
}

interface SizeResult {
  topology: Topology;
  size: number;
  seconds: number;
  pages: PageResult[];
  /** Every Chromium process (GPU, network, capture, browser included), percent of one core. */
  chromiumPercent: number;
  load: number[];
  /** Remote tiles with media when the warm-up began, per page: "5/5". */
  ready: string[];
  /** Each page's room state when the window ended: `joined` unless it lost the server. */
  states: string[];
  /** SFU mode: the Janus process over the window, CPU in percent of one core, and its memory at the end. */
  janus: { cpuPercent: number; rssBytes: number } | null;
}

async function benchSize(topology: Topology, size: number, cleanups: Cleanups): Promise<SizeResult> {
  const browser: Browser = await launchChromium();
  let closed = false;
  const closeBrowser = async () => {
    if (!closed) await browser.close();
    closed = true;
  };
  cleanups.add(closeBrowser);
  const server = await startTopology(topology, cleanups);
  const { code } = server.meeting;
  const browserCdp = await browser.newBrowserCDPSession();

  const participants: Participant[] = [];
  for (let index = 0; index < size; index++) {
    const before = await processCpu(browserCdp);
    const sdk = await SdkPage.open(browser, server.embedderUrl, `P${index + 1}`);
    const after = await processCpu(browserCdp);
    const pids = [...after.renderers.keys()].filter((pid) => !before.renderers.has(pid));
    const cdp = await sdk.context.newCDPSession(sdk.page);
    await cdp.send('Performance.enable');
    participants.push({ sdk, cdp, pids });
    await sdk.page.evaluate(trackPeerConnections);
    await sdk.join(server.parleyUrl, code);
  }
  // A page whose tiles never all show still gets measured: its missing tiles count as 0 fps.
  const setup = await Promise.all(
    participants.map(({ sdk }) => sdk.page.evaluate(showTiles, { expected: size - 1, timeoutMs: SETUP_TIMEOUT_MS })),
  );
  const ready = setup.map(([count]) => count!);
  for (const [index, [, ...missing]] of setup.entries()) {
    if (missing.length > 0) console.error(`bench:mesh (${topology}): page P${index + 1} had no video from ${missing.join(', ')}`);
  }
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));

  // The window: stats, CPU and frame gaps at its start and end.
  const read = () =>
    Promise.all([
      processCpu(browserCdp),
      Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(snapshotPeers, undefined))),
      Promise.all(participants.map(({ cdp }) => taskSeconds(cdp))),
      Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(snapshotUplink))),
      server.janusPid === undefined ? null : processUsage(server.janusPid),
    ]);
  await Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(resetGaps)));
  const [cpu0, peers0, tasks0, uplink0, janus0] = await read();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
  const [cpu1, peers1, tasks1, uplink1, janus1] = await read();
  const seconds = (performance.now() - t0) / 1000;
  const gaps = await Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(readGaps)));
  const states = await Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(() => window.__room.state)));
  const load = loadavg();

  const pages = participants.map((participant, index): PageResult => {
    const start = new Map(peers0[index]!.map((peer) => [peer.remoteId, peer]));
    const deltas = peers1[index]!.map((end) => ({ end, start: start.get(end.remoteId) ?? { ...end, ...NOTHING_YET } }));
    const cpuSeconds = participant.pids.reduce(
      (sum, pid) => sum + (cpu1.renderers.get(pid) ?? 0) - (cpu0.renderers.get(pid) ?? 0),
      0,
    );
    const [sent0, sent1] = [uplink0[index]!, uplink1[index]!];
    return {
      // A remote participant this page never even saw is a tile at 0 fps.
      fps: [
        ...deltas.map(({ start, end }) => (end.framesDecoded - start.framesDecoded) / seconds),
        ...Array<number>(Math.max(0, size - 1 - deltas.length)).fill(0),
      ],
      freezes: deltas.reduce((sum, { start, end }) => sum + end.freezeCount - start.freezeCount, 0),
      freezeMs: Math.max(0, ...deltas.map(({ start, end }) => (end.totalFreezesDuration - start.totalFreezesDuration) * 1000)),
      longestGapMs: Math.max(0, ...Object.values(gaps[index]!).map((gap) => gap.longestMs)),
      cpuPercent: (cpuSeconds / seconds) * 100,
      mainThreadPercent: ((tasks1[index]! - tasks0[index]!) / seconds) * 100,
      uplinkKbps: ((sent1.bytesSent - sent0.bytesSent) * 8) / seconds / 1000,
      videoUplinkKbps: ((sent1.videoBytesSent - sent0.videoBytesSent) * 8) / seconds / 1000,
      receivedHeights: deltas.map(({ end }) => end.frameHeight ?? 0),
      sentHeights: sent1.sentHeights,
      limitations: sent1.limitations,
    };
  });
  const chromiumPercent = ((cpu1.total - cpu0.total) / seconds) * 100;
  const janus = janus0 && janus1 && { cpuPercent: ((janus1.cpuSeconds - janus0.cpuSeconds) / seconds) * 100, rssBytes: janus1.rssBytes };

  await Promise.all(participants.map(({ sdk }) => sdk.page.evaluate(() => window.__room.leave()).catch(() => undefined)));
  await closeBrowser();
  return { topology, size, seconds, pages, chromiumPercent, load, ready, states, janus };
}

async function bench(cleanups: Cleanups): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    for (const topology of TOPOLOGIES) {
      console.error(`bench:mesh: ${size} participants (${topology}), ${WARMUP_S} s warm-up, ${WINDOW_S} s measured…`);
      // Each size as it completes: a later size that fails does not take the earlier ones with it.
      const result = await benchSize(topology, size, cleanups);
      if (SIZES.length * TOPOLOGIES.length > 1) console.error(formatMesh([result]).join('\n'));
      results.push(result);
    }
  }
  return results;
}

const distinct = (values: (number | string)[]) => [...new Set(values)].sort().join('/');

function formatMesh(results: SizeResult[]): string[] {
  const header = [
    'topology',
    'N',
    'tiles',
    'fps/tile min',
    'fps/tile median',
    'freezes',
    'longest gap ms',
    'CPU/page % (min–max)',
    'main thread/page %',
    'uplink/page kbit/s',
    'rest of Chromium %',
    'Janus CPU %',
    'Janus RSS MB',
    'rx height',
    'tx height',
    'tx limited by',
    'tiles with media at start',
    'room states at end',
    'load avg',
  ];
  const body = results.map(({ topology, size, pages, chromiumPercent, load, ready, states, janus }) => {
    const fps = pages.flatMap((page) => page.fps);
    const renderers = pages.reduce((sum, page) => sum + page.cpuPercent, 0);
    return [
      topology,
      String(size),
      String(fps.length),
      fixed(Math.min(...fps), 1),
      fixed(summarize(fps).median, 1),
      String(pages.reduce((sum, page) => sum + page.freezes, 0)),
      fixed(Math.max(...pages.map((page) => page.longestGapMs))),
      range(pages.map((page) => page.cpuPercent)),
      range(pages.map((page) => page.mainThreadPercent)),
      range(pages.map((page) => page.uplinkKbps)),
      fixed(chromiumPercent - renderers),
      janus ? fixed(janus.cpuPercent) : '—',
      janus ? fixed(janus.rssBytes / 2 ** 20) : '—',
      distinct(pages.flatMap((page) => page.receivedHeights)),
      distinct(pages.flatMap((page) => page.sentHeights)),
      distinct(pages.flatMap((page) => page.limitations)),
      ready.join(' '),
      distinct(states),
      load.map((value) => value.toFixed(1)).join(' '),
    ];
  });
  const sixes = results.filter((result) => result.size === 6);
  const verdicts = sixes.map((six) => {
    const fps = Math.min(...six.pages.flatMap((page) => page.fps));
    const gap = Math.max(...six.pages.map((page) => page.longestGapMs));
    const met = fps >= TARGET.fps && gap <= TARGET.longestFreezeMs;
    return `Target (${six.topology}, N = 6: every tile ≥ ${TARGET.fps} fps, no freeze > ${TARGET.longestFreezeMs} ms): ${met ? 'met' : 'NOT met'} (min ${fixed(fps, 1)} fps, longest gap ${fixed(gap)} ms)`;
  });
  return [
    `${distinct(results.map((result) => result.topology))}: ${results[0]?.seconds.toFixed(0) ?? '?'} s measured per N after ${WARMUP_S} s warm-up; Chromium's fake camera (20 fps) at the SDK's default constraints; ${machineLine()}.`,
    'fps: getStats framesDecoded per tile; freezes: getStats freezeCount; longest gap: between presented frames of any tile',
    '(requestVideoFrameCallback); CPU: each page\'s renderer process (CDP SystemInfo cpuTime), % of one core;',
    'uplink: outbound-rtp bytesSent, audio + video, to all peers (to Janus in SFU mode); rest of Chromium: browser, GPU,',
    'network, fake capture; Janus: its process\'s /proc utime + stime over the window, % of one core, and VmRSS at its end.',
    ...markdownTable(header, body),
    ...(verdicts.length > 0 ? verdicts : ['Target (N = 6) not measured in this run.']),
    JSON.stringify(
      results.map(({ topology, size, seconds, pages, chromiumPercent, load, janus }) => ({
        topology,
        size,
        janus: janus && { cpuPercent: Math.round(janus.cpuPercent), rssMB: Math.round(janus.rssBytes / 2 ** 20) },
        seconds: Math.round(seconds),
        chromiumPercent: Math.round(chromiumPercent),
        load,
        pages: pages.map((page) => ({
          ...page,
          fps: page.fps.map((value) => Math.round(value * 10) / 10),
          cpuPercent: Math.round(page.cpuPercent),
          mainThreadPercent: Math.round(page.mainThreadPercent),
          uplinkKbps: Math.round(page.uplinkKbps),
          videoUplinkKbps: Math.round(page.videoUplinkKbps),
          longestGapMs: Math.round(page.longestGapMs),
          freezeMs: Math.round(page.freezeMs),
        })),
      })),
    ),
  ];
}

/** Each size: opening and joining its pages (slow on a loaded machine), setup, warm-up, window, closing. */
const DEADLINE_MS =
  TOPOLOGIES.length * SIZES.reduce((sum, size) => sum + SETUP_TIMEOUT_MS + size * 10_000 + (WARMUP_S + WINDOW_S) * 1000 + 20_000, 0);

await runBench(DEADLINE_MS, bench, formatMesh);
