import type { BackgroundCost } from './background-cost.js';
import type { FloorRun } from './floor.js';
import type { RecoveryRun } from './ice-recovery.js';
import type { ParleyRun } from './parley-join.js';
import { summarizeField, type Summary } from './stats.js';

export interface BundleSize {
  path: string;
  rawBytes: number;
  gzipBytes: number;
  /** The chunks beside it, fetched later (panels, stats, translations): name → gzipped bytes. */
  laterGzipBytes: Record<string, number>;
}

/** Join latency: the floor and Parley's joins, side by side. */
export interface JoinResults {
  /** How the joiner's media went: peer to peer, or through Janus. */
  topology: 'mesh' | 'sfu';
  runs: number;
  /** Runs made before the measured ones and left out. */
  warmupRuns: number;
  floor: FloorRun[];
  /** The floor again, its first frames as small as the SDK's fast start makes them. */
  floorFastStart: FloorRun[];
  parley: ParleyRun[];
  /** Joins whose room called `connect()` first, as `<meeting-room>` does during its prejoin screen. */
  parleyPreconnected: ParleyRun[];
  /** The machine's load average while the joins ran (see `machineLine`). */
  load: string;
}

export interface BenchResults extends JoinResults {
  recovery: RecoveryResults;
  bundle: BundleSize;
  /** `null` with `--background-seconds 0`. */
  background: BackgroundCost | null;
}

export interface RecoveryResults {
  /** How often the pages polled getStats for new frames: the resolution of "media flowing". */
  pollMs: number;
  /** How long coturn stayed dead each time. */
  turnDownMs: number;
  runs: RecoveryRun[];
}

interface Row {
  step: string;
  floor: Summary | undefined;
  floorFastStart: Summary | undefined;
  parley: Summary | undefined;
  parleyPreconnected: Summary | undefined;
}

const KB = 1024;

type Field<T> = (run: T) => number | null;

function row(
  { floor, floorFastStart, parley, parleyPreconnected }: JoinResults,
  step: string,
  floorField: Field<FloorRun> | null,
  parleyField: Field<ParleyRun> | null,
): Row {
  return {
    step,
    floor: floorField ? summarizeField(floor, floorField) : undefined,
    floorFastStart: floorField ? summarizeField(floorFastStart, floorField) : undefined,
    parley: parleyField ? summarizeField(parley, parleyField) : undefined,
    parleyPreconnected: parleyField ? summarizeField(parleyPreconnected, parleyField) : undefined,
  };
}

/** The steps in time order; a side has no entry for a step it does not go through. */
function rows(results: JoinResults): Row[] {
  return [
    row(results, 'WebSocket open', null, (run) => run.socketOpenMs),
    row(results, 'join acknowledged', null, (run) => run.joinedMs),
    row(results, 'host: connection created', null, (run) => run.hostConnectionMs),
    row(results, 'host: offer set', null, (run) => run.hostOfferMs),
    row(results, 'remote offer applied', null, (run) => run.offerMs),
    row(results, 'answer set', null, (run) => run.answerMs),
    row(results, 'offer + answer applied', (run) => run.negotiatedMs, null),
    row(results, 'ICE connected', (run) => run.iceConnectedMs, (run) => run.iceConnectedMs),
    row(results, 'connected (ICE + DTLS)', (run) => run.connectedMs, (run) => run.connectedMs),
    row(results, 'first frame received', (run) => run.frameReceivedMs, (run) => run.frameReceivedMs),
    row(results, 'first frame decoded', (run) => run.firstFrameMs, (run) => run.firstFrameMs),
    row(results, 'its width, px', (run) => run.firstFrameWidth, (run) => run.firstFrameWidth),
  ];
}

function cell(summary: Summary | undefined): string {
  if (!summary) return '—';
  return `${summary.median.toFixed(0)} (${summary.min.toFixed(0)}–${summary.max.toFixed(0)})`;
}

/** Only for the steps both sides go through. */
function ratioCell({ floor, parley }: Row): string {
  return floor && parley ? `${(parley.median / floor.median).toFixed(1)}×` : '';
}

/** Left-aligned columns under a header and a rule. */
function formatColumns(header: string[], body: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => line[column]!.length)));
  const line = (cells: string[]) => cells.map((text, column) => text.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
}

/** "disconnected ×9, connected ×9": the states the sides reported during the outages, if any. */
function outageStates(runs: readonly RecoveryRun[]): string {
  const counts = new Map<string, number>();
  for (const state of runs.flatMap((run) => run.states)) counts.set(state, (counts.get(state) ?? 0) + 1);
  return counts.size > 0 ? [...counts].map(([state, count]) => `${state} ×${count}`).join(', ') : 'none (stayed connected)';
}

function formatRecovery({ pollMs, turnDownMs, runs }: RecoveryResults): string[] {
  const header = ['ms, median (best–worst)', 'TURN back → media flowing', 'total outage'];
  const body = [
    [
      'both sides, the later',
      cell(summarizeField(runs, (run) => run.recoveredMs)),
      cell(summarizeField(runs, (run) => run.outageMs)),
    ],
  ];
  return [
    `(e) ICE recovery, ${runs.length} runs: two SDK participants, iceTransportPolicy 'relay', through coturn.`,
    `    coturn SIGKILLed (every allocation gone), restarted ${turnDownMs} ms later; the SDK restarts ICE by itself;`,
    '    TURN back: coturn accepts again (turn.restart() resolved);',
    `    media flowing: a newly decoded video frame (getStats framesDecoded, polled every ${pollMs} ms);`,
    '    total outage: coturn killed → media flowing.',
    ...formatColumns(header, body),
    `    connection states reported during the outages: ${outageStates(runs)}`,
  ];
}

function firstFrameRatio({ parley }: JoinResults, floor: readonly FloorRun[]): number | undefined {
  const floorFirstFrame = summarizeField(floor, (run) => run.firstFrameMs)?.median;
  const parleyFirstFrame = summarizeField(parley, (run) => run.firstFrameMs)?.median;
  return floorFirstFrame && parleyFirstFrame ? parleyFirstFrame / floorFirstFrame : undefined;
}

/** The join latency table: medians with the range of the runs, ms from each side's clock start. */
export function formatJoinTable(results: JoinResults): string[] {
  const join = results.topology === 'sfu' ? '(b) Parley join, SFU' : '(b) Parley join';
  const header = ['ms, median (min–max)', '(a) WebRTC floor', "(a') floor, fast start", join, "(b') after connect()", '(c) b/a'];
  const body = rows(results).map((row) => [
    row.step,
    cell(row.floor),
    cell(row.floorFastStart),
    cell(row.parley),
    cell(row.parleyPreconnected),
    ratioCell(row),
  ]);
  return [
    `Join latency${results.topology === 'sfu' ? ' in SFU mode (media through Janus)' : ''}, ${results.runs} runs each after ${results.warmupRuns} warm-up, same browser, (a), (a'), (b) and (b') interleaved.`,
    '(a) clock starts before createOffer, media already captured; (b) clock starts at room.join(), media already',
    '    captured (as by the prejoin preview) and handed to join(). (a\') is (a) with the SDK\'s fast start (first',
    '    frames of at most 320×240): what is left between (a\') and (b) is what signaling costs. (b\') is (b) with',
    '    room.connect() called and connected before the clock, as <meeting-room> does while its prejoin screen shows.',
    ...formatColumns(header, body),
    `signaling round trips the join waited on before connected: ${cell(summarizeField(results.parley, (run) => run.roundTrips))}` +
      ` ((b'): ${cell(summarizeField(results.parleyPreconnected, (run) => run.roundTrips))}); ` +
      `Socket.IO messages sent ${cell(summarizeField(results.parley, (run) => run.messagesSent))}, ` +
      `received ${cell(summarizeField(results.parley, (run) => run.messagesReceived))}`,
    `ratio on the first decoded frame, median (b) / median (a): ${firstFrameRatio(results, results.floor)?.toFixed(2) ?? '—'} (target ≤ 1.15); ` +
      `(b) / (a'): ${firstFrameRatio(results, results.floorFastStart)?.toFixed(2) ?? '—'}; ` +
      `(b') / (a): ${firstFrameRatio({ ...results, parley: results.parleyPreconnected }, results.floor)?.toFixed(2) ?? '—'}`,
    `${results.load}`,
  ];
}

function formatBackground({ width, height, seconds, frames, segmented, meanMs }: BackgroundCost): string[] {
  return [
    `(f) Background blur (strong), Chromium's fake camera at ${width}×${height}, ${seconds} s after 2 s of warm-up, main thread:`,
    `    ${meanMs.toFixed(1)} ms per frame (segmentation + compositing; goal ≤ 8 ms), ${(frames / seconds).toFixed(1)} fps processed,`,
    `    segmentation on ${segmented} of ${frames} frames (the others reuse the last mask: the machine could not keep 15 fps)`,
  ];
}

/** The human table: the joins, the bundle, the ICE recoveries and background blur. */
export function formatTable(results: BenchResults): string {
  const { bundle } = results;
  return [
    ...formatJoinTable(results),
    '',
    `(d) ${bundle.path}: ${(bundle.rawBytes / KB).toFixed(1)} KB raw (${bundle.rawBytes} B), ` +
      `${(bundle.gzipBytes / KB).toFixed(1)} KB gzip -9 (${bundle.gzipBytes} B), budget 40 KB`,
    `    fetched later, gzip -9: ${Object.entries(bundle.laterGzipBytes)
      .map(([name, bytes]) => `${name} ${(bytes / KB).toFixed(1)} KB`)
      .join(', ')}`,
    // Left out with `--recovery-runs 0`.
    ...(results.recovery.runs.length > 0 ? ['', ...formatRecovery(results.recovery)] : []),
    ...(results.background ? ['', ...formatBackground(results.background)] : []),
  ].join('\n');
}

/** The machine summary: medians only, one line. */
export function formatJson(results: BenchResults): string {
  const round = (value: number) => Math.round(value * 10) / 10;
  const median = <T>(runs: readonly T[], field: (run: T) => number | null) => {
    const summary = summarizeField(runs, field);
    return summary ? round(summary.median) : null;
  };
  const ratio = firstFrameRatio(results, results.floor);
  return JSON.stringify({
    runs: results.runs,
    warmupRuns: results.warmupRuns,
    floorMs: {
      negotiated: median(results.floor, (run) => run.negotiatedMs),
      iceConnected: median(results.floor, (run) => run.iceConnectedMs),
      connected: median(results.floor, (run) => run.connectedMs),
      firstFrameReceived: median(results.floor, (run) => run.frameReceivedMs),
      firstFrame: median(results.floor, (run) => run.firstFrameMs),
    },
    parleyMs: {
      socketOpen: median(results.parley, (run) => run.socketOpenMs),
      joined: median(results.parley, (run) => run.joinedMs),
      hostOffer: median(results.parley, (run) => run.hostOfferMs),
      offer: median(results.parley, (run) => run.offerMs),
      answer: median(results.parley, (run) => run.answerMs),
      iceConnected: median(results.parley, (run) => run.iceConnectedMs),
      connected: median(results.parley, (run) => run.connectedMs),
      firstFrameReceived: median(results.parley, (run) => run.frameReceivedMs),
      firstFrame: median(results.parley, (run) => run.firstFrameMs),
    },
    floorFastStartMs: {
      connected: median(results.floorFastStart, (run) => run.connectedMs),
      firstFrame: median(results.floorFastStart, (run) => run.firstFrameMs),
    },
    parleyPreconnectedMs: {
      connected: median(results.parleyPreconnected, (run) => run.connectedMs),
      firstFrame: median(results.parleyPreconnected, (run) => run.firstFrameMs),
    },
    roundTrips: median(results.parley, (run) => run.roundTrips),
    ratio: ratio === undefined ? null : Math.round(ratio * 100) / 100,
    background: results.background && {
      frameMs: round(results.background.meanMs),
      fps: round(results.background.frames / results.background.seconds),
      segmentedShare: round(results.background.segmented / Math.max(results.background.frames, 1)),
    },
    recovery: {
      runs: results.recovery.runs.length,
      recoveredMs: median(results.recovery.runs, (run) => run.recoveredMs),
      worstRecoveredMs: results.recovery.runs.length > 0 ? Math.max(...results.recovery.runs.map((run) => run.recoveredMs)) : null,
      outageMs: median(results.recovery.runs, (run) => run.outageMs),
    },
    bundle: {
      rawBytes: results.bundle.rawBytes,
      gzipBytes: results.bundle.gzipBytes,
      rawKB: Math.round((results.bundle.rawBytes / KB) * 10) / 10,
      gzipKB: Math.round((results.bundle.gzipBytes / KB) * 10) / 10,
    },
  });
}
