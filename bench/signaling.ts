import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { machineLine, markdownTable, option, runBench, type Cleanups } from './lib/run.js';
import type { FromWorker, ToWorker, WorkerMeeting } from './signaling-worker.js';

/**
 * Signaling load: simulated participants (Socket.IO's wire format over ws, in worker processes) in 6-person meetings, each relaying
 * an `ice-candidate` to another member at 5 msg/s, against one node in memory and two nodes on one redis-server.
 * `--idle N` instead holds N idle sockets on one node. Loopback only; the server runs as `packages/server/dist`.
 *
 *   npm run bench:signaling -- --participants 300 --seconds 20 --warmup 5
 *   npm run bench:signaling -- --idle 10000
 *   npm run bench:signaling -- --participants 1000 --setups memory --workers 4 --client-nice 10
 *   npm run bench:signaling -- --participants 400 --setups memory --server-args '--cpu-prof --cpu-prof-dir /tmp/prof'
 */

const participants = Number(option('participants', '300'));
const seconds = Number(option('seconds', '20'));
/**
 * The first seconds of sending, reported apart: right after 1,000 joins the node runs behind for a few seconds
 * (p99 near 1 s) before it settles, and a steady call is what the p99 target is about.
 */
const warmupS = Number(option('warmup', '5'));
const idle = Number(option('idle', '0'));
const meetingSize = Number(option('meeting-size', '6'));
const ratePerS = Number(option('rate', '5'));
/** Worker processes for the active run (the clients share the cores with the server: fewer means less competition). */
const workerCount = Number(option('workers', '0'));
/** Sockets per worker process, unless `--workers` says how many processes. */
const perWorker = Number(option('per-worker', idle > 0 ? '5000' : '150'));
/**
 * Niceness of the client processes (0–19): they share the machine's cores with the server, and a higher value lets
 * the server run first, as it would on a machine of its own.
 */
const clientNice = Number(option('client-nice', '0'));
/** Which active setups to run: `memory` (one node), `redis` (two nodes), or `both`. */
const setups = option('setups', 'both');
/** Extra node options for the server processes, e.g. `--cpu-prof --cpu-prof-dir DIR` to profile them. */
const serverArgs = option('server-args', '').split(' ').filter(Boolean);
const DRAIN_MS = 3_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./signaling-worker.ts', import.meta.url));

/** High enough that the bench measures the server, not its limiters (every client is 127.0.0.1). */
const SERVER_ENV = {
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
  PORT: '0',
  DATABASE_PATH: ':memory:',
  SOCKET_EVENT_LIMIT: '1000000/10',
  JOIN_FAILURE_LIMIT: '1000000/600',
  CREATE_MEETING_LIMIT: '1000000/600',
  // Every simulated client connects from 127.0.0.1, and idle sockets are what --idle measures.
  MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  CONNECTION_IDLE_TIMEOUT_MS: '0',
};

interface Node {
  url: string;
  pid: number;
}

/** User plus system CPU time of a process so far, in seconds (Linux clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  // The fields after the command name, which is in parentheses and may contain spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) * 1024;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function startNode(cleanups: Cleanups, env: NodeJS.ProcessEnv): Promise<Node> {
  const child = spawn(process.execPath, [...serverArgs, join(ROOT, 'packages/server/dist/bin.js')], {
    env: { ...process.env, ...SERVER_ENV, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.add(() => stopChild(child));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string; level?: number };
        if (entry.msg === 'Parley server listening' && entry.url) resolve(entry.url);
        else if ((entry.level ?? 0) >= 50) console.error('server:', line);
      } catch {
        // not a log line
      }
    });
  });
  return { url, pid: child.pid! };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server on a free loopback port, in memory (no persistence), as packages/server/test/support/redis-server.ts. */
async function startRedis(cleanups: Cleanups): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-redis-'));
  cleanups.add(async () => rmSync(dir, { recursive: true, force: true }));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.add(() => stopChild(child, 'SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) resolve();
    });
  });
  child.stdout!.resume();
  return `redis://127.0.0.1:${port}`;
}

class Worker {
  readonly #child: ChildProcess;
  #waiting: ((message: FromWorker) => void) | undefined;

  constructor(cleanups: Cleanups) {
    this.#child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (clientNice > 0) setPriority(this.#child.pid!, clientNice);
    this.#child.on('message', (message: FromWorker) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(message);
    });
    cleanups.add(async () => {
      if (this.#child.connected) this.#child.send({ type: 'close' } satisfies ToWorker);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await stopChild(this.#child);
    });
  }

  ask<T extends FromWorker['type']>(message: ToWorker, expect: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      this.#waiting = (answer) => {
        if (answer.type === expect) resolve(answer as Extract<FromWorker, { type: T }>);
        else reject(new Error(answer.type === 'error' ? answer.message : `worker answered ${answer.type}`));
      };
      this.#child.send(message);
    });
  }
}

async function createMeeting(url: string): Promise<{ code: string; hostKey: string }> {
  const response = await fetch(`${url}/api/meetings`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/meetings answered ${response.status}`);
  return (await response.json()) as { code: string; hostKey: string };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

interface ActiveResult {
  setup: string;
  held: number;
  failed: number;
  sent: number;
  received: number;
  warmupLatenciesMs: number[];
  latenciesMs: number[];
  rssPerSocket: number;
  /** The worst node's event-loop delay after the warm-up (Node's monitorEventLoopDelay, 10 ms resolution), in ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** The server nodes' CPU while sending, summed, in % of one core. */
  serverCpuPercent: number;
  /** The server nodes' CPU time from the first send to the end of the drain, per message delivered, in seconds. */
  serverCpuPerMessage: number;
}

async function active(cleanups: Cleanups, setup: string, nodes: Node[]): Promise<ActiveResult> {
  const meetingCount = Math.ceil(participants / meetingSize);
  const meetings: WorkerMeeting[] = [];
  for (let index = 0; index < meetingCount; index++) {
    const size = Math.min(meetingSize, participants - index * meetingSize);
    const created = await createMeeting(nodes[index % nodes.length]!.url);
    // Members alternate between nodes, so with two nodes every relay to a neighbour crosses Redis.
    meetings.push({ ...created, urls: Array.from({ length: size }, (_, member) => nodes[(index + member) % nodes.length]!.url) });
  }
  await settle();
  const before = nodes.map((node) => rssBytes(node.pid));
  const perWorkerMeetings =
    workerCount > 0 ? Math.ceil(meetings.length / workerCount) : Math.max(1, Math.floor(perWorker / meetingSize));
  const workers: { worker: Worker; meetings: WorkerMeeting[] }[] = [];
  for (let at = 0; at < meetings.length; at += perWorkerMeetings) {
    workers.push({ worker: new Worker(cleanups), meetings: meetings.slice(at, at + perWorkerMeetings) });
  }
  const ready = await Promise.all(workers.map(({ worker, meetings: list }) => worker.ask({ type: 'join', meetings: list }, 'ready')));
  const held = ready.reduce((sum, answer) => sum + answer.sockets, 0);
  await settle();
  const after = nodes.map((node, index) => rssBytes(node.pid) - before[index]!);
  const serverCpu = () => nodes.reduce((sum, node) => sum + cpuSeconds(node.pid), 0);
  const cpuBefore = serverCpu();
  const runs = Promise.all(workers.map(({ worker }) => worker.ask({ type: 'run', seconds, warmupS, ratePerS, drainMs: DRAIN_MS }, 'result')));
  await new Promise((resolve) => setTimeout(resolve, warmupS * 1000));
  // prom-client resets its event-loop delay histogram at each scrape: this one starts the measured window.
  await Promise.all(nodes.map(loopDelay));
  await new Promise((resolve) => setTimeout(resolve, (seconds - warmupS) * 1000));
  const delays = await Promise.all(nodes.map(loopDelay));
  const cpuWhileSending = serverCpu() - cpuBefore;
  const results = await runs;
  // Until the drain ends: a node that fell behind relays after the senders stopped.
  const cpuInAll = serverCpu() - cpuBefore;
  return {
    setup,
    held,
    failed: ready.reduce((sum, answer) => sum + answer.failed, 0),
    sent: results.reduce((sum, result) => sum + result.sent, 0),
    received: results.reduce((sum, result) => sum + result.received, 0),
    warmupLatenciesMs: results.flatMap((result) => result.warmupLatenciesMs),
    latenciesMs: results.flatMap((result) => result.latenciesMs),
    rssPerSocket: after.reduce((sum, delta) => sum + delta, 0) / Math.max(1, held),
    loopDelayP99Ms: Math.max(...delays.map((delay) => delay.p99Ms)),
    loopDelayMaxMs: Math.max(...delays.map((delay) => delay.maxMs)),
    serverCpuPercent: (100 * cpuWhileSending) / seconds,
    serverCpuPerMessage: cpuInAll / Math.max(1, results.reduce((sum, result) => sum + result.received, 0)),
  };
}

/** The node's event-loop delay since the previous scrape, from its own `/metrics`. */
async function loopDelay(node: Node): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const inSeconds = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { p99Ms: inSeconds('nodejs_eventloop_lag_p99_seconds') * 1000, maxMs: inSeconds('nodejs_eventloop_lag_max_seconds') * 1000 };
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function idleRun(cleanups: Cleanups): Promise<string[]> {
  const node = await startNode(cleanups, {});
  await settle();
  const before = rssBytes(node.pid);
  const workers = Array.from({ length: Math.ceil(idle / perWorker) }, () => new Worker(cleanups));
  const ready = await Promise.all(
    workers.map((worker, index) => worker.ask({ type: 'connect', url: node.url, count: Math.min(perWorker, idle - index * perWorker) }, 'ready')),
  );
  await settle();
  const held = ready.reduce((sum, answer) => sum + answer.sockets, 0);
  const failed = ready.reduce((sum, answer) => sum + answer.failed, 0);
  const delta = rssBytes(node.pid) - before;
  return [
    `Idle sockets on one node (not joined), ${machineLine()}:`,
    '',
    ...markdownTable(
      ['asked', 'held', 'failed', 'server RSS delta', 'RSS per socket'],
      [[String(idle), String(held), String(failed), `${(delta / 1024 / 1024).toFixed(1)} MB`, kb(delta / Math.max(1, held))]],
    ),
  ];
}

async function activeRuns(cleanups: Cleanups): Promise<string[]> {
  const rows: ActiveResult[] = [];
  if (setups !== 'redis') {
    const node = await startNode(cleanups, {});
    rows.push(await active(cleanups, '1 node, in memory', [node]));
  }
  if (setups !== 'memory') {
    const redisUrl = await startRedis(cleanups);
    const nodes = [await startNode(cleanups, { REDIS_URL: redisUrl }), await startNode(cleanups, { REDIS_URL: redisUrl })];
    rows.push(await active(cleanups, '2 nodes, Redis', nodes));
  }
  return [
    `${participants} participants in meetings of ${meetingSize}, each relaying an ice-candidate at ${ratePerS} msg/s for ${seconds} s ` +
      `(latency: p50 and p99 after the first ${warmupS} s, and p99 of those first seconds apart), ` +
      `${workerCount > 0 ? `${workerCount} client process${workerCount === 1 ? '' : 'es'}` : `${perWorker} sockets per client process`}` +
      `${clientNice > 0 ? ` at nice ${clientNice}` : ''}, ${machineLine()}:`,
    '',
    ...markdownTable(
      ['setup', 'held', 'join failed', 'delivered msg/s', 'p50', 'p99', 'p99 warm-up', 'server loop delay p99 / max', 'RSS per socket', 'server CPU', 'CPU per msg', 'sent', 'lost'],
      rows.map((row) => [
        row.setup,
        String(row.held),
        String(row.failed),
        (row.received / seconds).toFixed(0),
        `${percentile(row.latenciesMs, 50).toFixed(2)} ms`,
        `${percentile(row.latenciesMs, 99).toFixed(2)} ms`,
        `${percentile(row.warmupLatenciesMs, 99).toFixed(2)} ms`,
        `${row.loopDelayP99Ms.toFixed(1)} / ${row.loopDelayMaxMs.toFixed(1)} ms`,
        kb(row.rssPerSocket),
        `${row.serverCpuPercent.toFixed(0)} %`,
        `${(row.serverCpuPerMessage * 1e6).toFixed(0)} µs`,
        String(row.sent),
        String(row.sent - row.received),
      ]),
    ),
  ];
}

if (!['memory', 'redis', 'both'].includes(setups)) throw new Error('--setups takes memory, redis or both');
if (![participants, seconds, warmupS, idle, meetingSize, ratePerS, perWorker, workerCount].every((value) => Number.isFinite(value) && value >= 0)) {
  throw new Error('--participants, --seconds, --warmup, --idle, --meeting-size, --rate, --per-worker and --workers take numbers');
}
if (!(Number.isInteger(clientNice) && clientNice >= 0 && clientNice <= 19)) throw new Error('--client-nice takes 0 to 19');
if (warmupS >= seconds && idle === 0) throw new Error('--warmup must be shorter than --seconds');
if (participants > 5_000 || seconds > 600 || idle > 100_000) throw new Error('bounded: at most 5,000 participants, 600 s, 100,000 idle sockets');

await runBench(
  idle > 0 ? 5 * 60_000 : 2 * (seconds * 1000 + DRAIN_MS) + 4 * 60_000,
  (cleanups) => (idle > 0 ? idleRun(cleanups) : activeRuns(cleanups)),
  (lines) => lines,
);
