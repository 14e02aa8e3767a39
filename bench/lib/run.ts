import { cpus, loadavg } from 'node:os';

/**
 * What every bench shares: closing what it started even when it fails, a deadline on the whole run, and a process
 * that exits when the work is done (or soon after cleanup began, whatever is still open).
 */

type Cleanup = () => Promise<void>;

/** What the bench started, closed newest first; one failure does not keep the rest open. */
export class Cleanups {
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

export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Cleanup gets this long before the process exits regardless. */
const CLEANUP_DEADLINE_MS = 15_000;

/**
 * Runs `bench` within `deadlineMs`, prints what `report` makes of its result, and closes everything it added to
 * the cleanups. A failure sets a non-zero exit code.
 */
export async function runBench<T>(
  deadlineMs: number,
  bench: (cleanups: Cleanups) => Promise<T>,
  report: (results: T) => string[],
): Promise<void> {
  const cleanups = new Cleanups();
  try {
    const results = await withDeadline(bench(cleanups), deadlineMs, 'the bench');
    for (const text of report(results)) console.log(text);
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

/** `--name value` from the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  return value ?? fallback;
}

/** The machine, for the results: load average matters, other runs may share the cores. */
export function machineLine(): string {
  return `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;
}

/** A Markdown table, columns padded, so the output pastes into docs/performance.md as it is. */
export function markdownTable(header: string[], body: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => line[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
}
