import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../../packages/server/test/support/redis-server.js';

const root = new URL('../../', import.meta.url).pathname;

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.once('close', () => socket.destroy());
  });

// docs/self-hosting.md's one command for a local Janus: it prints how to start Parley against it, and Ctrl-C
// (SIGINT to its process group, as a terminal sends it) stops Janus.
test('scripts/janus-local.ts starts a Janus, prints the Parley command for it, and stops it on Ctrl-C', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/janus-local.ts', '--port', String(port)], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const deadline = Date.now() + 20_000;
    while (!output.includes('Ctrl-C stops Janus.') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(
      output,
      new RegExp(`JANUS_URL=ws://127\\.0\\.0\\.1:${port} JANUS_TOKEN_SECRET=[0-9a-f]{32} JANUS_ADMIN_KEY=[0-9a-f]{32} npm start`),
    );
    assert.equal(await accepts(port), true);
  } finally {
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
  assert.equal(await accepts(port), false);
});
