import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { io as connectClient } from 'socket.io-client';
import type { RunningServer } from '../index.js';
import { REDIS_OUTAGE_WAIT_MS } from './redis-meeting-store.js';
import { NODE_TIMEOUT_MS } from '../signaling/signaling.js';
import { connect, createMeeting, join, nextEvent, recordEvents, startTestServer, type TestClient } from '../../test/support/helpers.js';
import { startTcpProxy, type TcpProxy } from '../../../../test/e2e/support/tcp-proxy.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';

/** Long enough that a participant wrongly counted away is not dropped before the checks below look. */
const RESUME_WINDOW_MS = 10_000;

/**
 * Issue 13 §4, on two in-process nodes: Redis going away must neither take a node down nor make a node give up on
 * the other's participants, and what needs Redis meanwhile answers in bounded time. (test/faults/redis-outage.test.ts
 * runs the same outages under a real call.)
 */

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Resolves once `node` has read meeting `code` from storage, and acted on what it read: a node reads ahead a meeting
 * it hears of from another node, so that its participants can resume there during an outage.
 */
function readBy(node: RunningServer, code: string, timeoutMs = 10_000): Promise<void> {
  const meetings = node.meetings;
  const read = meetings.findResumable;
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`the node did not read ${code} within ${timeoutMs} ms`)), timeoutMs).unref();
    meetings.findResumable = async (...args: Parameters<typeof read>) => {
      const found = await read.apply(meetings, args);
      if (args[0] === code) {
        meetings.findResumable = read;
        // After the reader's own continuation (a microtask) has kept what it read.
        setImmediate(resolve);
      }
      return found;
    };
  });
}

// Node.js 20 sometimes never finishes exiting after this file: with every test passed and its results out, the
// process spins at 100% CPU in its exit-time handle cleanup (gdb: node::Environment::CleanupHandles → uv_run, for 9+
// minutes; also on the code before issue 14). Exiting once the event loop is empty skips that cleanup; the exit code
// is still the one node:test set (a failure still fails the file).
process.once('beforeExit', () => process.exit());

describe('a Redis outage under two nodes', () => {
  let redis: TestRedis;
  /** Node 1 reaches Redis through this: cut, only node 1 loses Redis. */
  let link: TcpProxy;
  /** Two nodes on `redis`, and every client socket opened, closed at the end. */
  const nodes: RunningServer[] = [];
  /** Node 0's log lines. */
  const logs: string[] = [];
  const sockets: TestClient[] = [];
  /** Rejections nobody handled: in a real process each one would have ended it. */
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', record);
    redis = await startRedis();
    link = await startTcpProxy(redis.port);
    const env = { RESUME_WINDOW_MS: String(RESUME_WINDOW_MS), LOG_LEVEL: 'info' };
    nodes.push(await startTestServer({ ...env, REDIS_URL: redis.url }, { logDestination: { write: (line: string) => void logs.push(line) } }));
    nodes.push(await startTestServer({ ...env, REDIS_URL: `redis://127.0.0.1:${link.port}` }, { logDestination: { write: () => undefined } }));
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
    await link.close();
    process.off('unhandledRejection', record);
  });
  async function on(node: number): Promise<TestClient> {
    const socket = await connect(nodes[node]!);
    sockets.push(socket);
    return socket;
  }

  /** Hana (host) on node `hostNode` and Gus on the other, in one meeting, each told of the other. */
  async function acrossNodes(hostNode: number) {
    const meeting = await createMeeting(nodes[0]!);
    const host = await on(hostNode);
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const guest = await on(1 - hostNode);
    const joinedSeen = nextEvent(host, 'participant-joined');
    const guestId = (await join(guest, meeting.code, 'Gus')).self.id;
    await joinedSeen;
    return { host, guest, hostId, guestId };
  }

  /** An offer from Hana reaches Gus, and his answer reaches her, each within `timeoutMs`. */
  async function relaysFlow({ host, guest, hostId, guestId }: Awaited<ReturnType<typeof acrossNodes>>, timeoutMs: number) {
    const offer = nextEvent(guest, 'offer', timeoutMs);
    await host.emitWithAck('offer', { to: guestId, sdp: 'v=0 offer' });
    assert.equal((await offer).sdp, 'v=0 offer');
    const answer = nextEvent(host, 'answer', timeoutMs);
    await guest.emitWithAck('answer', { to: hostId, sdp: 'v=0 answer' });
    assert.equal((await answer).sdp, 'v=0 answer');
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
    const call = await acrossNodes(1);

    await redis.crash();
    await sleep(NODE_TIMEOUT_MS + 2500);
    await redis.revive();

    // Node 1 never heard from node 0 during the outage: Gus must still be connected there, so the offer reaches him
    // (held for an away participant, it would wait for a return that never comes).
    await relaysFlow(call, 8000);
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

  test('a connection that drops while Redis is down resumes at once, as the same participant', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const socket: TestClient = connectClient(nodes[0]!.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 100 });
    sockets.push(socket);
    await once(socket as never, 'connect');
    const joined = await join(socket, meeting.code, 'Ada');
    await redis.crash();
    try {
      const reconnected = once(socket as never, 'connect');
      socket.io.engine.close();
      await reconnected;
      // Socket.IO's own recovery needs Redis: the client is back on a fresh connection and resumes by token.
      assert.equal(socket.recovered, false);
      const started = Date.now();
      const result = await socket.timeout(10_000).emitWithAck('resume-meeting', { resumeToken: joined.resumeToken, audio: true, video: true });
      assert.ok(result.ok, `resumed (${JSON.stringify(result)})`);
      assert.equal(result.data.self.id, joined.self.id);
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms, not after waiting for storage`);
    } finally {
      await redis.revive();
    }
  });

  test('a connection that drops while Redis is down resumes at once on the other node, which never held it', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const readAhead = readBy(nodes[1]!, meeting.code);
    const host = await on(0);
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const guest = await on(0);
    const joinedSeen = nextEvent(host, 'participant-joined');
    const joined = await join(guest, meeting.code, 'Gus');
    await joinedSeen;
    // Node 1 has heard of both (presence) but no one there joined or resumed: it has only read the meeting ahead (a
    // fixed second's wait for that once fell short on the loaded CI machine).
    await readAhead;
    await redis.crash();
    try {
      guest.disconnect();
      // nginx is not sticky: the reconnect lands on node 1.
      const again = await on(1);
      const started = Date.now();
      const result = await again.timeout(10_000).emitWithAck('resume-meeting', { resumeToken: joined.resumeToken, audio: true, video: true });
      assert.ok(result.ok, `resumed (${JSON.stringify(result)})`);
      assert.equal(result.data.self.id, joined.self.id);
      assert.deepEqual(result.data.participants.map((participant: { id: string }) => participant.id), [hostId]);
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms, not after waiting for storage`);
    } finally {
      await redis.revive();
    }
  });

  test('the last departure during an outage longer than storage waits is stored once Redis is back', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const socket = await on(0);
    await join(socket, meeting.code, 'Ola');
    const client = createClient({ url: redis.url });
    const occupied = async () => {
      await client.connect();
      try {
        return Boolean(await client.sIsMember('parley:occupied', meeting.code));
      } finally {
        await client.quit();
      }
    };
    assert.equal(await occupied(), true, 'occupied while Ola is in it');
    await redis.crash();
    try {
      await socket.timeout(REDIS_OUTAGE_WAIT_MS + 5000).emitWithAck('leave-meeting');
      // Past the wait: storing the departure has failed.
      await sleep(REDIS_OUTAGE_WAIT_MS + 1000);
    } finally {
      await redis.revive();
    }
    const deadline = Date.now() + 10_000;
    while (await occupied()) {
      assert.ok(Date.now() < deadline, 'the meeting is still stored as occupied: its code would not die after the grace period');
      await sleep(500);
    }
  });

  test('only one node loses Redis: the other counts its participants away, and takes them back when it returns', async () => {
    const call = await acrossNodes(0);
    const hostHeard = recordEvents(call.host);

    // Node 0 still has Redis: node 1's silence means something there.
    // Refused and closed, not reset: the Redis clients are in this process (see `TcpProxy.cut`).
    await link.block('refuse');
    link.cut('close');
    const cutAt = Date.now();
    try {
      await waitUntil(() => logs.some((line) => line.includes(call.guestId) && line.includes('away: its node is gone')), NODE_TIMEOUT_MS + 5000);
    } finally {
      await link.unblock();
    }
    // Past when node 0 would drop Gus (its resume window after counting him away) had node 1 not come back.
    await sleep(Math.max(0, cutAt + NODE_TIMEOUT_MS + RESUME_WINDOW_MS + 4000 - Date.now()));
    assert.deepEqual(
      hostHeard.filter((event) => event.name === 'participant-left'),
      [],
      'Gus never left Hana\'s meeting',
    );
    await relaysFlow(call, 5000);
  });
});
