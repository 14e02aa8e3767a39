import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** coturn's server binary (Debian: `apt-get install coturn`). Override with TURNSERVER_PATH. */
export const TURNSERVER_PATH = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

/** The coturn configuration docs/self-hosting.md gives operators; the TURN tests start from it (`configFile`). */
export const SAMPLE_TURN_CONFIG = new URL('../../../docs/turnserver.conf', import.meta.url).pathname;

export interface TurnServerOptions {
  /**
   * `'static'` (default): one long-term user, `--user username:password`.
   * `'secret'`: TURN REST API, `--use-auth-secret --static-auth-secret`; the returned `username`/`credential`
   * are REST credentials for `username`, valid `credentialTtlSeconds`; mint more with `turnRestCredentials`.
   */
  auth?: 'static' | 'secret';
  /** Default `parley`. With `auth: 'secret'`, the user part of the REST username. */
  username?: string;
  /** Static password; default `parley-turn-password`. */
  password?: string;
  /** Shared secret for `auth: 'secret'`; default `parley-turn-secret`. */
  secret?: string;
  /** Validity of the REST credentials returned with `auth: 'secret'`; default one hour. */
  credentialTtlSeconds?: number;
  /** Default `parley.test`. */
  realm?: string;
  /** Listening port (UDP and TCP); default: a free one. */
  port?: number;
  /** How long to wait for the port to accept TCP connections; default 10 s. */
  readyTimeoutMs?: number;
  /** Pass `--verbose` to coturn (logs every allocation and permission). */
  verbose?: boolean;
  /**
   * coturn configuration file to start from (`-c`); default none (`/dev/null`). Everything this helper passes on
   * the command line (addresses, ports, auth, TLS off, files) takes precedence over it.
   */
  configFile?: string;
  /** More turnserver arguments, appended last. */
  extraArgs?: string[];
  /**
   * Run `configFile` as it is: the command line then only says where coturn writes (pid file, log, user database),
   * nothing about addresses, ports, auth or TLS. `port`, `auth`, `secret` and `realm` must then say what the file
   * does, for the returned URLs and credentials.
   */
  asWritten?: boolean;
}

export interface TurnServer {
  readonly port: number;
  /** `['turn:127.0.0.1:PORT?transport=udp']`. */
  readonly urls: string[];
  readonly username: string;
  readonly credential: string;
  readonly realm: string;
  /** `{ urls, username, credential }`: ready for `RTCConfiguration.iceServers` or Parley's `ICE_SERVERS`. */
  readonly iceServer: { urls: string[]; username: string; credential: string };
  /** coturn's log (stdout and stderr of every run, appended). */
  readonly logFile: string;
  readonly running: boolean;
  /** Kills coturn (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Every allocation is lost. */
  stop(): Promise<void>;
  /** Kills coturn with SIGKILL, as a crash would, and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts coturn again on the same port, with the same credentials; waits until it accepts. */
  restart(): Promise<void>;
  /** Stops coturn and removes its temp directory (log included). */
  close(): Promise<void>;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, as coturn's `use-auth-secret` checks them):
 * username `${expiry}:${user}` with expiry in Unix seconds, credential base64(HMAC-SHA1(secret, username)).
 */
export function turnRestCredentials(
  secret: string,
  user: string,
  ttlSeconds = 3600,
  nowMs = Date.now(),
): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (bound to 0, then released). */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error('No port free for both TCP and UDP on 127.0.0.1');
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * coturn's `turnserver` as a child process on 127.0.0.1, UDP and TCP on one free port, long-term credentials,
 * no TLS/DTLS, relaying on 127.0.0.1 to loopback peers. Nothing is read from /etc: `-c /dev/null` unless
 * `configFile` is given, and the user DB, pid file and log live in a temp directory.
 */
export async function startTurnServer(options: TurnServerOptions = {}): Promise<TurnServer> {
  if (!existsSync(TURNSERVER_PATH)) {
    throw new Error(
      `No coturn at ${TURNSERVER_PATH}: install it (apt-get update && apt-get install -y coturn) or set TURNSERVER_PATH`,
    );
  }
  const auth = options.auth ?? 'static';
  const user = options.username ?? 'parley';
  const password = options.password ?? 'parley-turn-password';
  const secret = options.secret ?? 'parley-turn-secret';
  const realm = options.realm ?? 'parley.test';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const port = options.port ?? (await freeTcpUdpPort());
  const dir = await mkdtemp(join(tmpdir(), 'parley-turn-'));
  const logFile = join(dir, 'turnserver.log');

  const { username, credential } =
    auth === 'secret'
      ? turnRestCredentials(secret, user, options.credentialTtlSeconds ?? 3600)
      : { username: user, credential: password };

  if (options.asWritten && !(options.configFile && options.port)) throw new Error('asWritten needs configFile and port');
  const settings = [
    '--listening-ip', '127.0.0.1',
    '--listening-port', String(port),
    '--relay-ip', '127.0.0.1',
    '--allow-loopback-peers',
    '--realm', realm,
    '--fingerprint',
    ...(auth === 'secret'
      ? ['--use-auth-secret', '--static-auth-secret', secret]
      : ['--lt-cred-mech', '--user', `${user}:${password}`]),
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    // RFC 5780 NAT behaviour discovery needs a second address; without this coturn warns on every start.
    '--no-rfc5780',
  ];
  const args = [
    '-c', options.configFile ?? '/dev/null',
    ...(options.asWritten ? [] : settings),
    '--userdb', join(dir, 'turndb'),
    '--pidfile', join(dir, 'turnserver.pid'),
    // `stdout` is coturn's keyword for "no log file, stdout only"; stdout goes to `logFile` below.
    '--log-file', 'stdout',
    ...(options.verbose ? ['--verbose'] : []),
    ...(options.extraArgs ?? []),
  ];

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');

  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const start = async () => {
    const logFd = openSync(logFile, 'a');
    let running: ChildProcess;
    try {
      running = spawn(TURNSERVER_PATH, args, { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    child = running;
    let exitCode: number | string | null = null;
    exited = new Promise((resolve) => {
      running.once('exit', (code, signal) => {
        exitCode = code ?? signal;
        if (child === running) child = null;
        process.off('exit', killOnExit);
        resolve();
      });
      running.once('error', (error) => {
        exitCode = error.message;
        if (child === running) child = null;
        process.off('exit', killOnExit);
        resolve();
      });
    });
    process.on('exit', killOnExit);
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await acceptsTcp(port))) {
      if (exitCode !== null) {
        throw new Error(`turnserver exited (${exitCode}) before accepting on port ${port}:\n${logTail()}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`turnserver did not accept on port ${port} within ${readyTimeoutMs} ms:\n${logTail()}`);
      }
      await delay(50);
    }
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    if (!running) return;
    running.kill(signal);
    const killed = await Promise.race([exited.then(() => true), delay(5000, false)]);
    if (!killed) {
      running.kill('SIGKILL');
      await exited;
    }
  };

  await start();

  return {
    port,
    urls: [`turn:127.0.0.1:${port}?transport=udp`],
    username,
    credential,
    realm,
    iceServer: { urls: [`turn:127.0.0.1:${port}?transport=udp`], username, credential },
    logFile,
    get running() {
      return child !== null;
    },
    stop: () => stop(),
    kill: () => stop('SIGKILL'),
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
