import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { healthy, processGroupMembers, startNginx, waitFor, type Nginx } from './support/processes.js';
import { startParley } from './support/servers.js';

/**
 * How the tests stop nginx (docs/nginx.conf): never leaving a worker behind to hold the port, which would break the
 * next start on it (`bind() … Address already in use`), as docs/self-hosting.md warns operators.
 */
let parley: RunningServer;
before(async () => {
  parley = await startParley();
});
after(() => parley?.close());

/** Whether nothing listens on `url`'s port any more: binding it succeeds. */
function portFree(url: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(Number(new URL(url).port), '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function assertGone(nginx: Nginx): Promise<void> {
  assert.deepEqual(processGroupMembers(nginx.pid), [], 'no nginx process left');
  assert.equal(await portFree(nginx.url), true, 'its port is free again');
}

function workersOf(nginx: Nginx): number[] {
  return processGroupMembers(nginx.pid).filter((pid) => pid !== nginx.pid);
}

test('stop(): master and workers end, the port is free', async () => {
  const nginx = await startNginx([new URL(parley.url).host]);
  assert.equal(workersOf(nginx).length, 1, 'worker_processes 1');
  await nginx.stop();
  await assertGone(nginx);
});

test('a master killed with SIGKILL leaves its worker serving the port; stop() ends that worker too', async () => {
  const nginx = await startNginx([new URL(parley.url).host]);
  const [worker] = workersOf(nginx);
  process.kill(nginx.pid, 'SIGKILL');
  await waitFor(async () => !processGroupMembers(nginx.pid).includes(nginx.pid), 'the master to die');
  // What docs/self-hosting.md warns of: the orphan still answers, so a new nginx could not take the port.
  assert.deepEqual(workersOf(nginx), [worker], 'the worker outlives its master');
  assert.equal(await healthy(nginx.url), true, 'the orphaned worker still proxies');
  await nginx.stop();
  await assertGone(nginx);
});
