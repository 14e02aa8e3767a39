// Child processes for the pack test: each in a process group of its own, so that stopping it stops what it started
// too (npm's node-gyp and make, npx's node), and every group still running is killed when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();

/** Commands need no npm configuration of the `npm test` that runs them: a child npm would act on this repository. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

/** Kills `child`'s whole process group and waits for `child` to be gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill.
    }
    await gone;
  }
  running.delete(child);
}

/** Kills every process group started here that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stop));
}

/** Starts `command` in a process group of its own; its output is collected in `output()`. */
export function start(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/**
 * Runs `command` to its end and resolves with its output; rejects, with the output, when it exits with an error or
 * is still running after `timeoutMs` (then its whole process group is killed).
 */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const { child, output } = start(command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(child);
  }, options.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs} ms:\n${output()}`);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output()}`);
  return output();
}
