import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { JanusSession } from '@parley/protocol/janus';
import { signCoreToken } from '../../src/sfu/janus-tokens.js';
import { freePort } from './redis-server.js';

const JANUS_BINARY = '/usr/bin/janus';
const JANUS_LIBRARIES = '/usr/lib/x86_64-linux-gnu/janus';

/**
 * A real Janus (the Debian package's binary) with its own configuration folder, never the system service's:
 * WebSocket transport on a free 127.0.0.1 port, signed-token auth, the VideoRoom with an admin key and string ids,
 * ICE gathered on `pj0` only (scripts/loopback-netns.sh makes it; Janus gathers nothing on `lo`).
 */
export interface TestJanus {
  /** The WebSocket API, `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** `token_auth_secret`: signs the tokens every request needs. */
  readonly tokenSecret: string;
  /** The VideoRoom's `admin_key`, needed to create rooms. */
  readonly adminKey: string;
  /** The running process's id (benchmarks read its CPU and memory in /proc); `undefined` once it is stopped or killed. */
  readonly pid: number | undefined;
  /** Stops it (SIGTERM, then SIGKILL if it lingers) and removes its folder. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL: a crash). `restart` brings it back. */
  kill(): Promise<void>;
  /** Kills it if it runs, then starts it again on the same port with the same secrets; resolves once it answers. */
  restart(): Promise<void>;
  /** Stops the process (SIGSTOP): Janus hangs with its connections open, answering nothing. `resume` undoes it. */
  hang(): void;
  /** Lets a hung process go on (SIGCONT); nothing if it is not hung. */
  resume(): void;
}

/** Whether the VideoRoom `room` exists on `janus` now (asked through a session of its own). */
export async function janusRoomExists(janus: TestJanus, room: string): Promise<boolean> {
  const session = await JanusSession.connect({ url: janus.url, token: signCoreToken(janus.tokenSecret, Date.now() + 60_000), WebSocket });
  try {
    const handle = await session.attach('janus.plugin.videoroom');
    return (await handle.request({ request: 'exists', room })).data['exists'] === true;
  } finally {
    await session.close();
  }
}

export interface TestJanusOptions {
  /** Seconds without a request (or keepalive) before Janus drops a session; Janus's default is 60. */
  sessionTimeout?: number;
  /** The WebSocket port; a free one by default. */
  port?: number;
  /**
   * The interfaces Janus gathers ICE candidates on: `pj0` (scripts/loopback-netns.sh) by default; `null` for all of
   * the machine's (a Janus for browsers on this machine, outside the tests' namespace).
   */
  iceEnforceList?: string | null;
  /** Another instance's secrets, for instances that share them (`JANUS_URLS`); fresh random ones by default. */
  secrets?: Pick<TestJanus, 'tokenSecret' | 'adminKey'>;
}

export async function startJanus(options: TestJanusOptions = {}): Promise<TestJanus> {
  const port = options.port ?? (await freePort());
  const tokenSecret = options.secrets?.tokenSecret ?? randomBytes(16).toString('hex');
  const adminKey = options.secrets?.adminKey ?? randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'parley-janus-'));
  writeConfig(dir, {
    port,
    tokenSecret,
    adminKey,
    sessionTimeout: options.sessionTimeout ?? 60,
    iceEnforceList: options.iceEnforceList === undefined ? 'pj0' : options.iceEnforceList,
  });
  const url = `ws://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    const started = spawn(JANUS_BINARY, ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'], {
      // A crash dumps its core into the working folder: this one is removed with the instance, not the checkout.
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    // Keep the tail of the log for the error when it does not come up; drain it either way.
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
    started.stdout!.on('data', keep);
    started.stderr!.on('data', keep);
    const exited = new Promise<never>((_, reject) => {
      started.once('exit', (code, signal) => reject(new Error(`janus exited (${code ?? signal}) while starting:\n${output}`)));
      // Not installed: CI installs it (.ci/run); locally `apt-get install --no-install-recommends janus`.
      started.once('error', (error) => reject(new Error(`cannot run ${JANUS_BINARY}: ${error.message}`)));
    });
    exited.catch(() => {});
    await Promise.race([waitUntilAnswering(url, 15_000).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${output}`))), exited]);
  };

  const kill = async () => {
    const running = child;
    if (!running || running.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const running = () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined);

  return {
    url,
    tokenSecret,
    adminKey,
    get pid() {
      return running();
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    hang() {
      const pid = running();
      if (pid === undefined) throw new Error('janus is not running');
      process.kill(pid, 'SIGSTOP');
    },
    resume() {
      const pid = running();
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
    },
    async stop() {
      const running = child;
      if (running && running.exitCode === null && running.signalCode === null) {
        // A hung process would only act on the SIGTERM once continued.
        running.kill('SIGCONT');
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeConfig(
  dir: string,
  settings: { port: number; tokenSecret: string; adminKey: string; sessionTimeout: number; iceEnforceList: string | null },
): void {
  // Folders of symlinks: Janus loads every library in its plugins and transports folders, and we want two.
  for (const [folder, libraries] of [
    ['plugins', ['libjanus_videoroom.so']],
    ['transports', ['libjanus_websockets.so']],
    ['events', []],
    ['loggers', []],
  ] as const) {
    mkdirSync(join(dir, folder));
    for (const library of libraries) symlinkSync(join(JANUS_LIBRARIES, folder, library), join(dir, folder, library));
  }
  const rtpBase = 40_000 + (settings.port % 500) * 40;
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${join(dir, 'plugins')}"
  transports_folder = "${join(dir, 'transports')}"
  events_folder = "${join(dir, 'events')}"
  loggers_folder = "${join(dir, 'loggers')}"
  debug_level = 4
  server_name = "parley-test-janus"
  session_timeout = ${settings.sessionTimeout}
  token_auth = true
  token_auth_secret = "${settings.tokenSecret}"
  protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var" ]
}
certificates: {
}
media: {
  rtp_port_range = "${rtpBase}-${rtpBase + 39}"
}
nat: {
${settings.iceEnforceList === null ? '' : `  ice_enforce_list = "${settings.iceEnforceList}"\n`}}
plugins: {
}
transports: {
}
events: {
}
loggers: {
}
`,
  );
  writeFileSync(
    join(dir, 'janus.plugin.videoroom.jcfg'),
    `general: {
  admin_key = "${settings.adminKey}"
  string_ids = true
}
`,
  );
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {
  json = "plain"
  ws = true
  ws_port = ${settings.port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
  );
}

/** Resolves once Janus answers `info` over its WebSocket API (the one request token auth lets through). */
async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersInfo(url)) return;
    if (Date.now() > deadline) throw new Error(`janus did not answer on ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answersInfo(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'janus-protocol');
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 2_000);
    socket.on('open', () => socket.send(JSON.stringify({ janus: 'info', transaction: 'ready' })));
    socket.on('message', (data) => done((JSON.parse(data.toString()) as { janus?: string }).janus === 'server_info'));
    socket.on('error', () => done(false));
  });
}
