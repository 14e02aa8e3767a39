/**
 * `npm run bench:sfu` (after the mesh/SFU comparison of `bench:mesh --topology mesh,sfu`): SFU mode on Janus.
 * (1) Join to first remote frame through Janus against the in-page WebRTC floor, as `npm run bench` measures the
 * mesh. (2) Meetings of 25 and 50: a few publishers (a page each, Chromium's fake camera), the rest receive-only SDK
 * rooms joined without devices, several per page. Over a measured window: the frames per second every participant
 * decodes of every publisher, and the Janus process's CPU and memory (from /proc) per stream it forwards.
 * Loopback only (inside scripts/loopback-netns.sh, which gives Janus an address); every server, page and browser it
 * starts is closed before it exits.
 *
 *   npm run bench:sfu
 *   node --import tsx bench/sfu.ts --runs 5 --meetings 25 --seconds 20     # inside scripts/loopback-netns.sh
 */
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/e2e/support/browser.js';
import { SdkPage } from '../test/e2e/support/sdk-page.js';
import { processCpu } from './lib/chromium-cpu.js';
import { benchJoins } from './lib/join-runs.js';
import { showTiles, snapshotPeers, snapshotUplink, trackPeerConnections, type PeerSnapshot } from './lib/mesh-page.js';
import { joinReceivers, leaveReceivers, receiversDecoding } from './lib/receivers-page.js';
import { formatJoinTable, type JoinResults } from './lib/report.js';
import { machineLine, markdownTable, option, runBench, type Cleanups } from './lib/run.js';
import { fixed, range, summarize } from './lib/stats.js';
import { processUsage, startTopology } from './lib/topology.js';

/** Joins measured on each side; 0 leaves them out. */
const RUNS = Number(option('runs', '10'));
const MEETINGS = option('meetings', '25,50')
  .split(',')
  .filter(Boolean)
  .map((size) => Number.parseInt(size, 10));
/** Participants who send camera and microphone; everyone else only receives. */
const PUBLISHERS = Number(option('publishers', '3'));
/** Receive-only rooms per page (a page is a browser context, so a renderer process, of its own). */
const RECEIVERS_PER_PAGE = Number(option('receivers-per-page', '8'));
const WINDOW_S = Number(option('seconds', '30'));
/** Bandwidth estimation ramps up and the simulcast layers settle before the window starts. */
const WARMUP_S = Number(option('warmup', '10'));
/** Every room joined and decoding every publisher: a meeting that takes longer is broken, not slow. */
const SETUP_TIMEOUT_MS = 180_000;
/** The size receive-only participants show each camera at: a gallery thumbnail, so Janus sends the low layer. */
const TILE = { width: 320, height: 180 } as const;
const TARGET_FPS = 15;

interface MeetingResult {
  size: number;
  receivers: number;
  receiverPages: number;
  seconds: number;
  /** Frames per second each receive-only room decoded of each publisher (0 for a publisher it never got). */
  receiverFps: number[];
  /** The same for the publishers, of each other. */
  publisherFps: number[];
  freezes: number;
  /** Video streams Janus forwarded during the window: one per subscriber and publisher it receives. */
  forwardedVideo: number;
  /** What those streams carried, as the subscribers received it, kbit/s. */
  forwardedKbps: number;
  janusCpuPercent: number;
  /** Before anyone joined, and at the end of the window. */
  janusRss: { idle: number; end: number };
  /** Every Chromium process, percent of one core. */
  chromiumPercent: number;
  /** Publisher uplink to Janus, kbit/s. */
  publisherUplinkKbps: number[];
  /** Frames per second each publisher sent of the low layer, the one receivers get: their ceiling. */
  lowLayerFps: number[];
  /** Why the publishers' encoders sent less, per layer (`cpu`, `bandwidth`, `none`). */
  limitations: string[];
  receivedHeights: number[];
  /** Rooms that decoded every publisher when the warm-up began, of all rooms. */
  ready: string;
  load: number[];
}

/** Frames per second of `ids` between two snapshots; a publisher missing from the end counts as 0. */
function fpsOf(ids: string[], start: PeerSnapshot[], end: PeerSnapshot[], seconds: number): { fps: number[]; freezes: number; bytes: number } {
  const before = new Map(start.map((peer) => [peer.remoteId, peer]));
  const after = new Map(end.map((peer) => [peer.remoteId, peer]));
  let freezes = 0;
  let bytes = 0;
  const fps = ids.map((id) => {
    const [from, to] = [before.get(id), after.get(id)];
    if (!to) return 0;
    freezes += to.freezeCount - (from?.freezeCount ?? 0);
    bytes += to.bytesReceived - (from?.bytesReceived ?? 0);
    return (to.framesDecoded - (from?.framesDecoded ?? 0)) / seconds;
  });
  return { fps, freezes, bytes };
}

async function benchMeeting(browser: Browser, size: number, cleanups: Cleanups): Promise<MeetingResult> {
  const server = await startTopology('sfu', cleanups);
  const { parleyUrl, embedderUrl, meeting } = server;
  const janusPid = server.janusPid!;
  const janusIdle = processUsage(janusPid);
  const browserCdp = await browser.newBrowserCDPSession();

  const publishers: { sdk: SdkPage; id: string }[] = [];
  for (let index = 0; index < PUBLISHERS; index++) {
    const sdk = await SdkPage.open(browser, embedderUrl, `Publisher ${index + 1}`);
    cleanups.add(() => sdk.close());
    await sdk.page.evaluate(trackPeerConnections);
    publishers.push({ sdk, id: await sdk.join(parleyUrl, meeting.code) });
  }
  const publisherIds = publishers.map(({ id }) => id);
  let receivers = size - PUBLISHERS;
  const names = Array.from({ length: receivers }, (_, index) => `Viewer ${index + 1}`);
  const receiverPages: SdkPage[] = [];
  for (let first = 0; first < receivers; first += RECEIVERS_PER_PAGE) {
    const sdk = await SdkPage.open(browser, embedderUrl, `Viewers ${first + 1}–`);
    cleanups.add(() => sdk.close());
    receiverPages.push(sdk);
  }
  // The pages join at the same time, each its rooms one after another.
  const failures = await Promise.all(
    receiverPages.map((sdk, page) =>
      sdk.page.evaluate(joinReceivers, {
        parleyUrl,
        code: meeting.code,
        names: names.slice(page * RECEIVERS_PER_PAGE, (page + 1) * RECEIVERS_PER_PAGE),
        tile: TILE,
      }),
    ),
  );
  for (const failure of failures.flat()) console.error(`bench:sfu: could not join: ${failure}`);
  await Promise.all(publishers.map(({ sdk }) => sdk.page.evaluate(showTiles, { expected: PUBLISHERS - 1, timeoutMs: SETUP_TIMEOUT_MS })));
  const started = performance.now();
  let decoding: number[] = [];
  for (;;) {
    decoding = (await Promise.all(receiverPages.map((sdk) => sdk.page.evaluate(receiversDecoding, publisherIds)))).flat();
    if (decoding.every((count) => count === PUBLISHERS) || performance.now() - started > SETUP_TIMEOUT_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const ready = `${decoding.filter((count) => count === PUBLISHERS).length}/${decoding.length}`;
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));

  const roomsOf = await Promise.all(receiverPages.map((sdk) => sdk.page.evaluate(() => window.__receivers!.length)));
  // Rooms that failed to join are not in the meeting: the tables count those that are.
  receivers = roomsOf.reduce((sum, rooms) => sum + rooms, 0);
  const read = () =>
    Promise.all([
      Promise.all(publishers.map(({ sdk }) => sdk.page.evaluate(snapshotPeers, undefined))),
      Promise.all(receiverPages.map((sdk, page) => Promise.all(Array.from({ length: roomsOf[page]! }, (_, room) => sdk.page.evaluate(snapshotPeers, room))))),
      Promise.all(publishers.map(({ sdk }) => sdk.page.evaluate(snapshotUplink))),
      processCpu(browserCdp),
      processUsage(janusPid),
    ]);
  const [publishers0, receivers0, uplink0, chromium0, janus0] = await read();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
  const [publishers1, receivers1, uplink1, chromium1, janus1] = await read();
  const seconds = (performance.now() - t0) / 1000;
  const load = loadavg();

  const receiverStats = receivers1.flatMap((rooms, page) => rooms.map((end, room) => fpsOf(publisherIds, receivers0[page]![room]!, end, seconds)));
  const publisherStats = publishers.map(({ id }, index) =>
    fpsOf(publisherIds.filter((other) => other !== id), publishers0[index]!, publishers1[index]!, seconds),
  );

  await Promise.all(receiverPages.map((sdk) => sdk.page.evaluate(leaveReceivers).catch(() => undefined)));
  await Promise.all([...publishers.map(({ sdk }) => sdk), ...receiverPages].map((sdk) => sdk.close()));
  return {
    size,
    receivers,
    receiverPages: receiverPages.length,
    seconds,
    receiverFps: receiverStats.flatMap(({ fps }) => fps),
    publisherFps: publisherStats.flatMap(({ fps }) => fps),
    freezes: [...receiverStats, ...publisherStats].reduce((sum, { freezes }) => sum + freezes, 0),
    forwardedVideo: receivers * PUBLISHERS + PUBLISHERS * (PUBLISHERS - 1),
    forwardedKbps: ([...receiverStats, ...publisherStats].reduce((sum, { bytes }) => sum + bytes, 0) * 8) / seconds / 1000,
    janusCpuPercent: ((janus1.cpuSeconds - janus0.cpuSeconds) / seconds) * 100,
    janusRss: { idle: janusIdle.rssBytes, end: janus1.rssBytes },
    chromiumPercent: ((chromium1.total - chromium0.total) / seconds) * 100,
    lowLayerFps: uplink1.map((end, index) => ((end.framesSent['l'] ?? 0) - (uplink0[index]!.framesSent['l'] ?? 0)) / seconds),
    limitations: [...new Set(uplink1.flatMap((end) => end.limitations))].sort(),
    publisherUplinkKbps: uplink1.map((end, index) => ((end.bytesSent - uplink0[index]!.bytesSent) * 8) / seconds / 1000),
    receivedHeights: [...new Set(receivers1.flat(2).map((peer) => peer.frameHeight ?? 0))].filter(Boolean).sort((a, b) => a - b),
    ready,
    load,
  };
}

interface SfuResults {
  joins: JoinResults | null;
  meetings: MeetingResult[];
}

async function bench(cleanups: Cleanups): Promise<SfuResults> {
  const browser = await launchChromium();
  cleanups.add(() => browser.close());
  let joins: JoinResults | null = null;
  if (RUNS > 0) {
    console.error(`bench:sfu: ${RUNS} joins a side through Janus…`);
    joins = await benchJoins(browser, await startTopology('sfu', cleanups), RUNS, cleanups);
    console.error(formatJoinTable(joins).join('\n'));
  }
  const meetings: MeetingResult[] = [];
  for (const size of MEETINGS) {
    console.error(`bench:sfu: a meeting of ${size}, ${PUBLISHERS} publishers, ${WARMUP_S} s warm-up, ${WINDOW_S} s measured…`);
    // Each meeting as it completes: a larger one that fails does not take the smaller with it.
    meetings.push(await benchMeeting(browser, size, cleanups));
    console.error(formatMeetings(meetings.slice(-1)).join('\n'));
  }
  return { joins, meetings };
}

const MB = 2 ** 20;

function formatMeetings(meetings: MeetingResult[]): string[] {
  const header = [
    'N',
    'publishers + receive-only (pages)',
    'decoding every publisher at start',
    'receiver fps/tile min',
    'median',
    `tiles ≥ ${TARGET_FPS} fps`,
    'publisher fps/tile min–max',
    'freezes',
    'rx height',
    'uplink/publisher kbit/s',
    'low layer sent fps',
    'tx limited by',
    'forwarded video streams',
    'forwarded Mbit/s',
    'Janus CPU %',
    'Janus CPU %/stream',
    'Janus CPU %/(Mbit/s)',
    'Janus RSS MB idle→end',
    'Janus RSS KB/stream',
    'Chromium CPU %',
    'load avg',
  ];
  const body = meetings.map((meeting) => {
    const { receiverFps, publisherFps, janusRss, forwardedVideo } = meeting;
    const { min, max } = summarize(publisherFps);
    return [
      String(meeting.size),
      `${PUBLISHERS} + ${meeting.receivers}${meeting.size - PUBLISHERS > meeting.receivers ? ` of ${meeting.size - PUBLISHERS} joined` : ''} (${meeting.receiverPages})`,
      meeting.ready,
      fixed(Math.min(...receiverFps), 1),
      fixed(summarize(receiverFps).median, 1),
      `${receiverFps.filter((fps) => fps >= TARGET_FPS).length}/${receiverFps.length}`,
      `${fixed(min, 1)}–${fixed(max, 1)}`,
      String(meeting.freezes),
      meeting.receivedHeights.join('/'),
      range(meeting.publisherUplinkKbps),
      range(meeting.lowLayerFps, 1),
      meeting.limitations.join('/'),
      String(forwardedVideo),
      fixed(meeting.forwardedKbps / 1000, 1),
      fixed(meeting.janusCpuPercent),
      fixed(meeting.janusCpuPercent / forwardedVideo, 2),
      fixed(meeting.janusCpuPercent / (meeting.forwardedKbps / 1000), 1),
      `${fixed(janusRss.idle / MB)}→${fixed(janusRss.end / MB)}`,
      fixed((janusRss.end - janusRss.idle) / 1024 / forwardedVideo),
      fixed(meeting.chromiumPercent),
      meeting.load.map((value) => value.toFixed(1)).join(' '),
    ];
  });
  const verdicts = meetings.map(({ size, receiverFps }) => {
    const slowest = Math.min(...receiverFps);
    return `Target (N = ${size}: every receiver decodes the publishers at ≥ ${TARGET_FPS} fps): ${slowest >= TARGET_FPS ? 'met' : 'NOT met'} (min ${fixed(slowest, 1)} fps)`;
  });
  return [
    `SFU meetings: ${meetings[0] ? fixed(meetings[0].seconds) : '?'} s measured after ${WARMUP_S} s warm-up; ${PUBLISHERS} publishers with Chromium's fake camera (20 fps), the rest`,
    `receive-only SDK rooms (no devices), ${RECEIVERS_PER_PAGE} per page, each showing every camera at ${TILE.width}×${TILE.height} (Janus sends the low layer);`,
    'fps: getStats framesDecoded per (participant, publisher); forwarded video streams: receivers × publishers + the publishers',
    'of each other (as many audio streams ride along), Mbit/s as their subscribers received them (video); Janus: /proc utime + stime over the window (% of one core) and VmRSS,',
    `per stream = that over the forwarded video streams; Chromium: every process of the one browser; ${machineLine()}.`,
    ...markdownTable(header, body),
    ...verdicts,
  ];
}

function formatResults({ joins, meetings }: SfuResults): string[] {
  const round = (value: number) => Math.round(value * 10) / 10;
  return [
    ...(joins ? [...formatJoinTable(joins), ''] : []),
    ...(meetings.length > 0 ? formatMeetings(meetings) : []),
    JSON.stringify(
      meetings.map(({ receiverFps, publisherFps, publisherUplinkKbps, lowLayerFps, ...meeting }) => ({
        lowLayerFps: lowLayerFps.map(round),
        ...meeting,
        receiverFps: summarize(receiverFps),
        publisherFps: publisherFps.map(round),
        publisherUplinkKbps: publisherUplinkKbps.map(Math.round),
        janusCpuPercent: round(meeting.janusCpuPercent),
      })),
    ),
  ];
}

/** Joins (some 4 × 11 runs of a few hundred ms), then each meeting: joining its rooms, warm-up, window, closing. */
const DEADLINE_MS = 120_000 + MEETINGS.reduce((sum, size) => sum + SETUP_TIMEOUT_MS + size * 2_000 + (WARMUP_S + WINDOW_S) * 1000 + 30_000, 0);

await runBench(DEADLINE_MS, bench, formatResults);
