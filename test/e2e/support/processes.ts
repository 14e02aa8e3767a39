import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startRedis, type TestRedis } from '../../../packages/server/test/support/redis-server.js';
import { startEmbedder, type Embedder } from './servers.js';

/** Parley servers as real processes (`node packages/server/dist/bin.js`), as deployed: they can be killed. */

const BIN = join(import.meta.dirname, '../../../packages/server/dist/bin.js');
const NGINX = '/usr/sbin/nginx';

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether `GET <url>/healthz` answers 200 now. */
export async function healthy(url: string): Promise<boolean> {
  return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;
}

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Every JSON log record it wrote (at info level and above), as written: for a failing test to say what it did. */
  log: string[];
  /** Sends `signal` (SIGKILL: a crash, with no goodbye and no hand-over) and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** pino's level from which a server's log record is also shown on the test's output (LOG_LEVEL, else errors). */
const SHOWN_FROM_LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }[process.env.LOG_LEVEL ?? 'error'] ?? 50;

/** A log line's pino level; a line that is no JSON record (a crash's output) counts as an error. */
function logLevel(line: string): number {
  try {
    return (JSON.parse(line) as { level?: number }).level ?? 50;
  } catch {
    return 50;
  }
}

/**
 * A Parley server process on `port` of 127.0.0.1, configured by `env`; resolves once `/healthz` answers. It logs at
 * info level into `log`; what LOG_LEVEL asks for (errors by default) also goes to the test's output.
 */
export async function startServerProcess(port: number, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    log.push(line);
    if (logLevel(line) >= SHOWN_FROM_LEVEL) process.stdout.write(`${line}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // Generous: a loaded test machine takes seconds to start a Node.js process.
    await waitFor(() => healthy(url), `the server on ${port}`, 30_000);
  } catch (error) {
    // Nobody would stop it otherwise: it would hold the port, and its output pipe would keep the test running.
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    process: child,
    log,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

/** `count` nodes on one Redis behind one nginx (least_conn), and a page on another origin that embeds them. */
export interface Cluster {
  /** The nodes now running, in start order; `restart` replaces an entry. */
  nodes: ServerProcess[];
  /** nginx's address: what browsers use. */
  front: string;
  embedder: Embedder;
  /** The one Redis every node uses (append-only: it keeps its data across a crash). */
  redis: TestRedis;
  /** Starts node `index` again on its port (after it was killed). */
  restart(index: number): Promise<void>;
  /** The log records of every node process started so far (killed ones too), each tagged with its port, by time. */
  logLines(): string[];
  stop(): Promise<void>;
}

/** Configuration of every node: one Redis, nginx in front. */
function nodeEnv(redis: TestRedis): NodeJS.ProcessEnv {
  return { REDIS_URL: redis.url, RESUME_WINDOW_MS: '20000', TRUST_PROXY: 'loopback' };
}

/** nginx (master and workers) as a child process, configured from docs/nginx.conf. */
export interface Nginx {
  /** `http://127.0.0.1:PORT`: what browsers use. */
  url: string;
  /** The master's pid, also the id of the process group its workers share. */
  pid: number;
  /**
   * Stops nginx and every worker, even when the master is already gone (a SIGKILL leaves its workers running and
   * holding the port), and waits until none is left.
   */
  stop(): Promise<void>;
}

/** Process groups of the nginx instances running, killed whole if this process ends without stopping them. */
const nginxGroups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Nobody left in it.
  }
}

/** Pids of the processes of group `pgid` still running (zombies waiting for init to reap them do not count). */
export function processGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses, so read from the last ")".
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === pgid && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

function killNginxGroups(): void {
  for (const pgid of nginxGroups) killGroup(pgid, 'SIGKILL');
}

let nginxCleanupInstalled = false;
function installNginxCleanup(): void {
  if (nginxCleanupInstalled) return;
  nginxCleanupInstalled = true;
  process.on('exit', killNginxGroups);
  // A test run interrupted (Ctrl-C, the runner's timeout) still takes its workers along, then ends as it would have.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killNginxGroups();
      process.kill(process.pid, signal);
    });
  }
}

/** nginx on a free port of 127.0.0.1 in front of `upstreams` (`host:port`); resolves once `/healthz` answers through it. */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  // nginx's workers run as nobody: they write their temp files here.
  chmodSync(dir, 0o777);
  const listen = `127.0.0.1:${await freePort()}`;
  const config = readFileSync(join(import.meta.dirname, '../../../docs/nginx.conf'), 'utf8')
    .replaceAll('{{PREFIX}}', dir)
    .replaceAll('{{LISTEN}}', listen)
    .replaceAll('{{UPSTREAMS}}', upstreams.map((host) => `server ${host} max_fails=1 fail_timeout=5s;`).join('\n    '));
  writeFileSync(join(dir, 'nginx.conf'), config);
  installNginxCleanup();
  // A process group of its own: the master and its workers, which outlive a master killed with SIGKILL.
  const master = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const pid = master.pid!;
  nginxGroups.add(pid);
  const masterExited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
  const url = `http://${listen}`;
  await waitFor(() => healthy(url), 'nginx');
  return {
    url,
    pid,
    async stop() {
      // Fast shutdown: the master stops its workers, then exits.
      if (master.exitCode === null && master.signalCode === null) master.kill('SIGTERM');
      await Promise.race([masterExited, delay(10_000)]);
      // Whatever is left (workers of a master that died without them, or a master that did not exit) goes now.
      killGroup(pid, 'SIGKILL');
      await waitFor(async () => processGroupMembers(pid).length === 0, `nginx process group ${pid} to end`);
      nginxGroups.delete(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The log lines of `processes`, each prefixed with its process's port, in the order of their records' times. */
export function timeOrdered(processes: ServerProcess[]): string[] {
  const time = (line: string) => Number(/"time":(\d+)/.exec(line)?.[1] ?? 0);
  return processes
    .flatMap((server) => server.log.map((line) => ({ time: time(line), line: `:${new URL(server.url).port} ${line}` })))
    .sort((a, b) => a.time - b.time)
    .map(({ line }) => line);
}

/** Nodes (real processes) on one real redis-server, behind nginx configured from docs/nginx.conf. */
export async function startCluster(count: number): Promise<Cluster> {
  const redis = await startRedis();
  const nodes: ServerProcess[] = [];
  for (let index = 0; index < count; index += 1) nodes.push(await startServerProcess(await freePort(), nodeEnv(redis)));
  const started = [...nodes];
  const nginx = await startNginx(nodes.map((node) => new URL(node.url).host));
  const front = nginx.url;
  const embedder = await startEmbedder(front);
  return {
    nodes,
    front,
    embedder,
    redis,
    async restart(index) {
      nodes[index] = await startServerProcess(Number(new URL(nodes[index]!.url).port), nodeEnv(redis));
      started.push(nodes[index]);
    },
    logLines: () => timeOrdered(started),
    async stop() {
      await embedder.close();
      await Promise.all([nginx.stop(), ...nodes.map((node) => node.kill('SIGTERM'))]);
      await redis.stop();
    },
  };
}
