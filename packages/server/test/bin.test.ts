import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
/** tsx's loader by absolute URL: the process runs in a folder with no node_modules. */
const tsx = import.meta.resolve('tsx');

/** `parley-server` as a process of its own (through tsx), in `cwd`, with only `env` set besides PATH. */
function startBin(cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', tsx, bin], {
    cwd,
    env: { PATH: process.env.PATH, NODE_PATH: process.env.NODE_PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

  test('a configuration mistake stops it at start with a clear message', { timeout: 60_000 }, async () => {
    const server = startBin(cwd, { PORT: '0', LOG_LEVEL: 'loud', TURN_URLS: 'turn:x' });
    const [code] = await server.exited;
    assert.equal(code, 1);
    assert.match(server.output().stderr, /^parley-server: 2 mistakes:\n- TURN_URLS and TURN_SECRET go together.*\n- LOG_LEVEL must be one of/m);
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
