// docs/parley.service must start the server as written: its Environment= lines and ExecStart=, run from the
// repository root (the unit's WorkingDirectory is a checkout like this one), with a free port and a temp data folder
// in place of /var/lib/parley.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;

/** The unit's `Key=value` lines of the [Service] section, every value of a repeated key, in order. */
function serviceDirectives(unit: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let section = '';
  for (const line of unit.split('\n').map((text) => text.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      section = line;
      continue;
    }
    const separator = line.indexOf('=');
    if (section !== '[Service]' || separator < 0) continue;
    const key = line.slice(0, separator);
    directives.set(key, [...(directives.get(key) ?? []), line.slice(separator + 1)]);
  }
  return directives;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('docs/parley.service: its ExecStart with its Environment serves /healthz', { timeout: 60_000 }, async () => {
  const unit = serviceDirectives(await readFile(join(root, 'docs/parley.service'), 'utf8'));
  const environment = Object.fromEntries((unit.get('Environment') ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
  assert.equal(environment.HOST, '127.0.0.1', 'behind a reverse proxy on the same machine');
  const [command, ...args] = unit.get('ExecStart')![0]!.split(/\s+/);
  // systemd wants an absolute path to node; this machine's may live elsewhere.
  assert.equal(basename(command!), 'node');

  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-unit-'));
  const server = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...environment, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout.on('data', (chunk) => (output += chunk));
  server.stderr.on('data', (chunk) => (output += chunk));
  try {
    let health: Response | undefined;
    const deadline = Date.now() + 30_000;
    while (!health && Date.now() < deadline && server.exitCode === null) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(health, `no answer on port ${port}:\n${output}`);
    assert.deepEqual(await health.json(), { status: 'ok' });
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.equal(server.exitCode, 0, output);
});
