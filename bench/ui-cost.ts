/**
 * `npm run bench:ui`: what a meeting of 9 costs the page's main thread when people join, leave and toggle their
 * microphone. One `<participant-grid>` (the elements' build, bundled here with esbuild) driven by the elements'
 * test `FakeRoom`: real SDK participant objects without a server, each tile with a canvas video track. Per event:
 * `updated()` calls of the grid and of each tile (only the tile that changed should re-render), main-thread long
 * tasks, and the time to the change being painted.
 *
 *   npm run bench:ui                  # 8 joins, then 10 rounds of 8 mute toggles, a leave and a join
 *   npm run bench:ui -- --rounds 1
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/e2e/support/browser.js';
import { machineLine, markdownTable, option, runBench, type Cleanups } from './lib/run.js';
import { summarize } from './lib/stats.js';
import type { EventCost } from './lib/ui-page.js';

const ROUNDS = Number(option('rounds', '10'));
/** Everyone but you: 9 in the meeting. */
const REMOTES = 8;
const DEADLINE_MS = 60_000 + ROUNDS * 10_000;

interface Measured {
  kind: string;
  /** Whose tile the event is about. */
  id: string;
  cost: EventCost;
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./lib/ui-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

async function bench(cleanups: Cleanups): Promise<Measured[]> {
  const script = await bundle();
  const browser = await launchChromium();
  cleanups.add(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (error) => console.error('[ui] page error:', error));
  await page.setContent('<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ content: script, type: 'module' });
  await page.waitForFunction(() => window.__ui !== undefined);

  const measured: Measured[] = [];
  const run = async (kind: string, id: string, action: 'join' | 'leave' | 'toggleMute') => {
    const cost = await page.evaluate(([method, who]) => window.__ui[method](who), [action, id] as const);
    measured.push({ kind, id, cost });
  };
  for (let index = 1; index <= REMOTES; index++) await run(`join (${index} → ${index + 1} people)`, `p${index}`, 'join');
  const tiles = await page.evaluate(() => window.__ui.tiles());
  if (tiles !== REMOTES + 1) throw new Error(`The grid shows ${tiles} tiles, not ${REMOTES + 1}`);
  let next = REMOTES + 1;
  let present = Array.from({ length: REMOTES }, (_, index) => `p${index + 1}`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of present) await run('mute toggle (9 people)', id, 'toggleMute');
    const leaving = present[round % present.length]!;
    await run('leave (9 → 8)', leaving, 'leave');
    present = present.filter((id) => id !== leaving);
    const joining = `p${next++}`;
    await run('join (8 → 9)', joining, 'join');
    present.push(joining);
  }
  await browser.close();
  return measured;
}

function report(measured: Measured[]): string[] {
  const kinds = [...new Set(measured.map((event) => event.kind))];
  const header = [
    'event',
    'n',
    'grid updates/event',
    'tile updates/event (max)',
    'other tiles re-rendered',
    'long tasks',
    'settled ms, median (max)',
    'painted ms, median (max)',
    'longest frame ms',
  ];
  const median = (values: number[]) => summarize(values).median;
  const body = kinds.map((kind) => {
    const events = measured.filter((event) => event.kind === kind);
    const grid = events.map((event) => event.cost.updates['participant-grid'] ?? 0);
    const tileUpdates = events.map((event) =>
      Object.entries(event.cost.updates)
        .filter(([label]) => label.startsWith('participant-tile'))
        .reduce((sum, [, count]) => sum + count, 0),
    );
    const others = events.map((event) =>
      Object.entries(event.cost.updates).filter(
        ([label]) => label.startsWith('participant-tile') && label !== `participant-tile#${event.id}`,
      ).length,
    );
    const longTasks = events.flatMap((event) => event.cost.longTasks);
    const settle = events.map((event) => event.cost.settleMs);
    const paint = events.map((event) => event.cost.paintMs);
    return [
      kind,
      String(events.length),
      `${median(grid)} (max ${Math.max(...grid)})`,
      `${median(tileUpdates)} (${Math.max(...tileUpdates)})`,
      String(others.reduce((sum, count) => sum + count, 0)),
      longTasks.length === 0 ? '0' : `${longTasks.length} (longest ${Math.max(...longTasks).toFixed(0)} ms)`,
      `${median(settle).toFixed(1)} (${Math.max(...settle).toFixed(1)})`,
      `${median(paint).toFixed(1)} (${Math.max(...paint).toFixed(1)})`,
      Math.max(...events.map((event) => event.cost.longestFrameMs)).toFixed(1),
    ];
  });
  const reRendered = measured
    .filter((event) => event.kind.startsWith('mute') || event.kind.startsWith('leave') || event.kind === 'join (8 → 9)')
    .flatMap((event) =>
      Object.keys(event.cost.updates).filter(
        (label) => label.startsWith('participant-tile') && label !== `participant-tile#${event.id}`,
      ),
    );
  return [
    `UI cost: one <participant-grid> at 1280×720, FakeRoom with ${REMOTES} remote participants + you, ${ROUNDS} rounds; ${machineLine()}.`,
    'updates: updated() calls per element instance (prototypes patched in the page); other tiles re-rendered: tiles',
    "updated that are not the event's participant, summed over events; long tasks: PerformanceObserver 'longtask';",
    'settled: event → every element updateComplete; painted: event → second animation frame.',
    ...markdownTable(header, body),
    reRendered.length === 0
      ? 'Only the tiles that changed re-rendered on mute toggles, leaves and joins at 9.'
      : `Tiles that did not change re-rendered ${reRendered.length} times: ${[...new Set(reRendered)].join(', ')}`,
  ];
}

await runBench(DEADLINE_MS, bench, report);
