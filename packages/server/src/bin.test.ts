import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
/** tsx's loader by absolute URL: the process runs in a folder with no node_modules. */
const tsx = import.meta.resolve('tsx');

/** `parley-server` as a process of its own (through tsx), in `cwd`, with only `env` set besides PATH. */
function startBin(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  return watch(
    spawn(process.execPath, ['--import', tsx, bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH, NODE_PATH: process.env.NODE_PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** A child process with what it printed so far, and its exit. */
function watch(child: ChildProcessByStdio<null, Readable, Readable>) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('parley-server', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'parley-bin-'));
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('starts with no configuration (SQLite under ./data), and on SIGTERM shuts down cleanly', { timeout: 60_000 }, async () => {
    const server = startBin(cwd, { PORT: '0', HOST: '127.0.0.1' });
    let url: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!url && Date.now() < deadline) {
      url = /"url":"(http:\/\/[^"]+)"/.exec(server.output().stdout)?.[1];
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(url, JSON.stringify(server.output()));
    assert.ok(existsSync(join(cwd, 'data', 'parley.db')), 'the default database');
    assert.equal((await fetch(`${url}/api/meetings`, { method: 'POST' })).status, 201);
    server.child.kill('SIGTERM');
    const [code] = await server.exited;
    assert.equal(code, 0, JSON.stringify(server.output()));
    assert.match(server.output().stdout, /"signal":"SIGTERM".*"msg":"shutting down"/);
    assert.match(server.output().stdout, /Parley server stopped/);
  });

  test('--help says how to start it and where every setting is, --version prints the version; neither starts a server', { timeout: 60_000 }, async () => {
    const help = startBin(cwd, { PORT: '0', HOST: '127.0.0.1' }, ['--help']);
    assert.deepEqual(await help.exited, [0, null]);
    const { stdout } = help.output();
    assert.match(stdout, /^Usage: parley-server \[--port <port>\] \[--host <address>\]\n/);
    for (const option of ['--port <port>', '--host <address>', '-h, --help', '-v, --version', 'ICE_SERVERS', 'TLS_CERT', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'docs/self-hosting.md']) {
      assert.ok(stdout.includes(option), `--help mentions ${option}:\n${stdout}`);
    }
    assert.doesNotMatch(stdout, /Parley server listening/);

    const { version } = JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const printed = startBin(cwd, { PORT: '0', HOST: '127.0.0.1' }, [flag]);
      assert.deepEqual(await printed.exited, [0, null]);
      assert.deepEqual(printed.output(), { stdout: `${version}\n`, stderr: '' });
    }
  });

  test(
    'npm start in a terminal: after the build, the ICE_SERVERS warning in plain words and one line with the URL to open',
    { timeout: 180_000 },
    async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: cwd };
      for (const name of ['LOG_FORMAT', 'LOG_LEVEL', 'ICE_SERVERS', 'TURN_URLS', 'TURN_SECRET', 'TLS_CERT', 'TLS_KEY', 'DATABASE_PATH']) delete env[name];
      // script(1) gives it a terminal, as a person who types `npm start` has.
      const start = watch(spawn('script', ['-qec', 'npm start', '/dev/null'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
      try {
        let url: string | undefined;
        const deadline = Date.now() + 150_000;
        while (!url && Date.now() < deadline && start.child.exitCode === null) {
          url = /Parley is running: open (http:\/\/\S+) in a browser\./.exec(start.output().stdout)?.[1];
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(url, JSON.stringify(start.output()));
        assert.equal((await fetch(url)).status, 200, 'the URL opens the start page');
        // What the terminal shows: npm's spinner is erased (back to column 1, clear the line); npm's own
        // "> command" banner aside, this is all it printed.
        const printed = start
          .output()
          .stdout.split(/\r?\n/)
          .map((line) => line.replace(/^.*\x1b\[1G\x1b\[0K/, ''))
          .filter((line) => line !== '' && !line.startsWith('> '));
        assert.deepEqual(printed, [
          'Warning: ICE_SERVERS is not set, so calls connect only between machines that can reach each other directly, ' +
            'such as two computers on the same network. For calls between networks, set ICE_SERVERS to a STUN server, ' +
            'and TURN_URLS and TURN_SECRET for people behind strict firewalls. A browser on another machine also needs ' +
            'HTTPS (TLS_CERT and TLS_KEY) before it lets the page use its camera and microphone.',
          `Parley is running: open ${url} in a browser.`,
        ]);
      } finally {
        start.child.kill('SIGTERM');
        await start.exited;
      }
    },
  );

  test('a configuration mistake stops it at start with a clear message', { timeout: 60_000 }, async () => {
    const server = startBin(cwd, { PORT: '0', LOG_LEVEL: 'loud', TURN_URLS: 'turn:x' });
    const [code] = await server.exited;
    assert.equal(code, 1);
    assert.match(server.output().stderr, /^parley-server: 2 mistakes:\n- TURN_URLS and TURN_SECRET go together.*\n- LOG_LEVEL must be one of/m);
  });

  test('a port already in use stops it at start with one clear line, not a stack trace', { timeout: 60_000 }, async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const server = startBin(cwd, { PORT: String(port), HOST: '127.0.0.1' });
      const [code] = await server.exited;
      assert.equal(code, 1);
      assert.equal(
        server.output().stderr,
        `parley-server: port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT (or --port) to another\n`,
      );
    } finally {
      taken.close();
    }
  });

  test('an unreachable REDIS_URL stops it at start with a clear message instead of hanging', { timeout: 60_000 }, async () => {
    const closedPort = await freePort();
    const started = Date.now();
    const server = startBin(cwd, { PORT: '0', HOST: '127.0.0.1', REDIS_URL: `redis://:secret@127.0.0.1:${closedPort}` });
    const [code] = await server.exited;
    assert.equal(code, 1);
    const { stderr } = server.output();
    assert.match(stderr, new RegExp(`^parley-server: Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort} did not answer within 10000 ms \\(.*ECONNREFUSED.*\\); check REDIS_URL$`, 'm'));
    assert.doesNotMatch(stderr, /secret/);
    assert.ok(Date.now() - started >= 10_000, 'it retried for the whole start-up window');
  });
});

/** A loopback port nothing listens on (just released by the OS). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
