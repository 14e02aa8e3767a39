import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../src/index.js';
import { startTestServer, type TestClient } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

/**
 * Issue 13 §4, on two in-process nodes: Redis going away must neither take a node down nor make a node give up on
 * the other's participants, and what needs Redis meanwhile answers in bounded time. (test/faults/redis-outage.test.ts
 * runs the same outages under a real call.)
 */

describe('a Redis outage under two nodes', () => {
  let redis: TestRedis;
  /** Two nodes on `redis`, and every client socket opened, closed at the end. */
  const nodes: RunningServer[] = [];
  const sockets: TestClient[] = [];
  /** Rejections nobody handled: in a real process each one would have ended it. */
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', record);
    redis = await startRedis();
    for (let index = 0; index < 2; index += 1) nodes.push(await startTestServer({ REDIS_URL: redis.url, RESUME_WINDOW_MS: '5000' }));
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
    process.off('unhandledRejection', record);
  });

  test('Redis dies with commands in flight: no node goes down', async () => {
    // Frozen, Redis takes the nodes' heartbeats (PUBLISH) without answering; killed, it fails them all at once.
    redis.freeze();
    await sleep(2500);
    await redis.crash();
    await sleep(500);
    await redis.revive();
    await sleep(500);
    assert.deepEqual(unhandled.map(String), [], 'every failed command was handled');
  });
});
