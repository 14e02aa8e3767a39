import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../src/index.js';
import { REDIS_OUTAGE_WAIT_MS } from '../src/meetings/redis-meeting-store.js';
import { NODE_TIMEOUT_MS } from '../src/signaling/signaling.js';
import { connect, createMeeting, join, nextEvent, startTestServer, type TestClient } from './helpers.js';
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
  async function on(node: number): Promise<TestClient> {
    const socket = await connect(nodes[node]!);
    sockets.push(socket);
    return socket;
  }

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

  test('Redis away longer than a node may be silent: nobody counts as gone, relays flow at once after', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const host = await on(1);
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const guest = await on(0);
    const joinedSeen = nextEvent(host, 'participant-joined');
    const guestId = (await join(guest, meeting.code, 'Gus')).self.id;
    await joinedSeen;

    await redis.crash();
    await sleep(NODE_TIMEOUT_MS + 2500);
    await redis.revive();

    // Node 1 never heard from node 0 during the outage: Gus must still be connected there, so the offer reaches him
    // (held for an away participant, it would wait for a return that never comes).
    const offer = nextEvent(guest, 'offer', 8000);
    await host.emitWithAck('offer', { to: guestId, sdp: 'v=0 after the outage' });
    assert.equal((await offer).sdp, 'v=0 after the outage');
    const answer = nextEvent(host, 'answer', 8000);
    await guest.emitWithAck('answer', { to: hostId, sdp: 'v=0 answer' });
    assert.equal((await answer).sdp, 'v=0 answer');
    assert.deepEqual(unhandled.map(String), []);
  });

  test('a join while Redis is down gets a typed error in bounded time, and works once Redis is back', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const socket = await on(0);
    await redis.crash();
    try {
      const started = Date.now();
      const result = await socket.timeout(REDIS_OUTAGE_WAIT_MS + 5000).emitWithAck('join-meeting', {
        code: meeting.code,
        name: 'Ivy',
        audio: true,
        video: true,
      });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'internal', 'a retryable server error');
      assert.ok(Date.now() - started < REDIS_OUTAGE_WAIT_MS + 3000, `answered after ${Date.now() - started} ms`);
    } finally {
      await redis.revive();
    }
    await sleep(1500);
    assert.equal((await join(socket, meeting.code, 'Ivy')).self.name, 'Ivy');
  });
});
