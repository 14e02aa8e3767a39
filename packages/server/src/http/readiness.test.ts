import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../index.js';
import { startTestServer } from '../../test/support/helpers.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';

/**
 * Issue 13 §3: a readiness probe answers within a bounded time whatever Redis does — a fast 503 with the reason
 * while Redis is down or frozen, 200 again once it is back. `/healthz` answers throughout.
 */

/** Generous for a loaded machine: the server gives up on storage after 1 s (READINESS_TIMEOUT_MS). */
const PROBE_BOUND_MS = 1500;

/** `GET path`, with how long it took; gives up after 10 s, far past any bound, so a hang fails the test instead of stalling it. */
async function probe(server: RunningServer, path = '/readyz'): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  const body: unknown = await response.json();
  return { status: response.status, body, ms: Math.round(performance.now() - started) };
}

async function readyAgain(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await probe(server)).status !== 200) {
    assert.ok(Date.now() < deadline, '/readyz says ready again within 10 s of Redis being back');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual((await probe(server)).body, { status: 'ready' });
}

describe('/readyz with Redis', () => {
  let redis: TestRedis;
  let server: RunningServer;
  before(async () => {
    redis = await startRedis();
    server = await startTestServer({ REDIS_URL: redis.url });
  });
  after(async () => {
    await server?.close();
    await redis?.stop();
  });

  test('Redis killed: a fast 503 saying why, 200 again once it is back', async () => {
    assert.deepEqual(await probe(server).then(({ status, body }) => ({ status, body })), { status: 200, body: { status: 'ready' } });
    await redis.crash();
    try {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const answer = await probe(server);
        assert.equal(answer.status, 503, `probe ${attempt} while Redis is down`);
        assert.deepEqual(answer.body, { status: 'not ready', reason: 'redis unreachable' });
        assert.ok(answer.ms < PROBE_BOUND_MS, `probe ${attempt} answered in ${answer.ms} ms`);
        assert.equal((await probe(server, '/healthz')).status, 200, 'the process itself is fine');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await redis.revive();
    }
    await readyAgain(server);
  });

  test('Redis frozen (connection open, no answers): 503 within the bound, 200 once it answers again', async () => {
    redis.freeze();
    try {
      const answer = await probe(server);
      assert.equal(answer.status, 503);
      assert.deepEqual(answer.body, { status: 'not ready', reason: 'storage not answering' });
      assert.ok(answer.ms < PROBE_BOUND_MS, `answered in ${answer.ms} ms`);
    } finally {
      redis.thaw();
    }
    await readyAgain(server);
  });
});
