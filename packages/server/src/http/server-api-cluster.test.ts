import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createApiClient, type ApiClient } from '../api-client.js';
import type { RunningServer } from '../index.js';
import { connect, createMeeting, join, nextEvent, tryJoin, startTestServer, type TestClient } from '../../test/support/helpers.js';
import { documentedFetch } from '../../test/support/openapi-check.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';

const API_KEY = 'api-key-for-cluster-tests-0123456789abc';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('server API on two nodes sharing a Redis: node A acts on participants connected to node B', () => {
  let redis: TestRedis;
  let nodeA: RunningServer;
  let nodeB: RunningServer;
  /** The API through node A, every answer checked against the OpenAPI document. */
  let apiOnA: ApiClient;
  const sockets: TestClient[] = [];
  const clientOnB = async () => {
    const socket = await connect(nodeB);
    sockets.push(socket);
    return socket;
  };

  before(async () => {
    redis = await startRedis();
    nodeA = await startTestServer({ REDIS_URL: redis.url, API_KEY, API_LIMIT: '10000/60' });
    nodeB = await startTestServer({ REDIS_URL: redis.url, API_KEY, API_LIMIT: '10000/60' });
    apiOnA = createApiClient({ url: nodeA.url, apiKey: API_KEY, fetch: documentedFetch });
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await nodeA?.close();
    await nodeB?.close();
    await redis?.stop();
  });

  test('lists, updates, removes and ends across nodes', async () => {
    const { code, hostKey } = await createMeeting(nodeB);
    const host = await clientOnB();
    await join(host, code, 'Ada', hostKey);
    const guest = await clientOnB();
    const sessionId = 'guest-on-b';
    const joined = await guest.emitWithAck('join-meeting', { code, name: 'Bob', audio: true, video: true, sessionId });
    assert.ok(joined.ok && 'self' in joined.data);
    const guestId = joined.data.self.id;

    // Presence reaches node A through Redis.
    await waitUntil(async () => (await apiOnA.getMeeting(code)).participantCount === 2);
    assert.equal((await apiOnA.getMeeting(code)).state, 'active');
    assert.deepEqual(
      (await apiOnA.listParticipants(code)).map(({ name, connected }) => ({ name, connected })),
      [
        { name: 'Ada', connected: true },
        { name: 'Bob', connected: true },
      ],
    );
    assert.ok((await apiOnA.listMeetings({ limit: 100 })).meetings.some((meeting) => meeting.code === code));

    const heard = nextEvent(host, 'meeting-updated', 5000);
    assert.equal((await apiOnA.updateMeeting(code, { locked: true })).settings.locked, true);
    assert.deepEqual(await heard, { locked: true, waitingRoom: false });
    assert.equal(await tryJoin(await clientOnB(), code), 'meeting-locked');
    await apiOnA.updateMeeting(code, { locked: false });

    const told = nextEvent(guest, 'removed', 5000);
    const left = nextEvent(host, 'participant-left', 5000);
    await apiOnA.removeParticipant(code, guestId);
    await told;
    assert.deepEqual(await left, { participantId: guestId, reason: 'removed' });
    const retry = await (await clientOnB()).emitWithAck('join-meeting', { code, name: 'Bob', audio: true, video: true, sessionId });
    assert.equal(retry.ok || retry.error.code, 'removed', 'kept out on the node they were on');

    const ended = nextEvent(host, 'meeting-ended', 5000);
    await apiOnA.endMeeting(code);
    await ended;
    const onB = await fetch(`${nodeB.url}/api/meetings/${code}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    assert.equal(onB.status, 404);
    assert.equal(await tryJoin(await clientOnB(), code), 'meeting-not-found');
  });
});
