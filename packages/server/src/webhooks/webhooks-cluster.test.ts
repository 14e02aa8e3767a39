import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectRedis, type RedisClient } from '../meetings/redis-meeting-store.js';
import { Metrics } from '../metrics.js';
import { createMeeting, join } from '../../test/support/helpers.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';
import { useTwoNodes } from '../../test/support/two-nodes.js';
import { startReceiver, type ReceivedWebhook, type TestReceiver } from '../../test/support/webhook-receiver.js';
import { WebhookDeliveries } from './deliveries.js';
import { verifyWebhook } from './verify.js';
import { RedisWebhookClaims, Webhooks } from './webhooks.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** How many deliveries of each event type the receiver got, each checked as a receiver would. */
function countByType(received: ReceivedWebhook[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const webhook of received) {
    const { type } = verifyWebhook(SECRET, webhook.headers, webhook.body);
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** Every delivery's webhook-id is its own: no event went twice. */
function assertNoRepeats(received: ReceivedWebhook[]): void {
  const ids = received.map((webhook) => String(webhook.headers['webhook-id']));
  assert.equal(new Set(ids).size, ids.length, `repeated webhook-id among ${ids.join(', ')}`);
}

describe('webhooks on two nodes', () => {
  let receiver: TestReceiver;
  before(async () => {
    receiver = await startReceiver();
  });
  const { nodes, on } = useTwoNodes(() => ({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, RESUME_WINDOW_MS: '1000' }));
  // After the nodes have stopped (hooks run in the order they were added): nothing is sent to a closed receiver.
  after(() => receiver.stop());
  /** Waits for `count` deliveries in all, then a while longer, so that a second copy from another node shows. */
  async function deliveries(count: number): Promise<ReceivedWebhook[]> {
    await receiver.waitFor(count);
    await sleep(500);
    return receiver.received.splice(0);
  }

  test('a meeting across both nodes, ended by a host whom both nodes see end it: each event once', async () => {
    const meeting = await createMeeting(nodes[0]!);
    await join(await on(0), meeting.code, 'Hana', meeting.hostKey);
    const [ada, bob] = [await on(1), await on(1)];
    await join(ada, meeting.code, 'Ada');
    await join(bob, meeting.code, 'Bob');
    assert.ok((await ada.emitWithAck('leave-meeting')).ok);
    // The host is on node 0: end it from there once node 1's departure is known.
    const host = await on(0);
    await join(host, meeting.code, 'Hana again', meeting.hostKey);
    assert.ok((await host.emitWithAck('end-meeting')).ok);
    const received = await deliveries(7);
    assertNoRepeats(received);
    assert.deepEqual(countByType(received), { 'meeting.started': 1, 'participant.joined': 4, 'participant.left': 1, 'meeting.ended': 1 });
  });

  test('the last two participants leave on two nodes at once: the meeting ends once', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const [hana, ada] = [await on(0), await on(1)];
    await join(hana, meeting.code, 'Hana', meeting.hostKey);
    await join(ada, meeting.code, 'Ada');
    await receiver.waitFor(3);
    await Promise.all([hana.emitWithAck('leave-meeting'), ada.emitWithAck('leave-meeting')]);
    const received = await deliveries(6);
    assertNoRepeats(received);
    assert.deepEqual(countByType(received), { 'meeting.started': 1, 'participant.joined': 2, 'participant.left': 2, 'meeting.ended': 1 });
  });

  test('a participant whose connection is cut is held away by both nodes; once the window closes, one participant.left', async () => {
    const meeting = await createMeeting(nodes[0]!);
    await join(await on(0), meeting.code, 'Hana', meeting.hostKey);
    const ada = await on(1);
    await join(ada, meeting.code, 'Ada');
    await receiver.waitFor(3);
    // The connection is cut, not closed by the client: Ada is away, and dropped once her resume window closes.
    ada.io.engine.close();
    const received = await deliveries(4);
    assertNoRepeats(received);
    assert.equal(countByType(received)['participant.left'], 1);
  });
});

describe('webhook claims in Redis', () => {
  let redis: TestRedis;
  let receiver: TestReceiver;
  const clients: RedisClient[] = [];
  const deliveries: WebhookDeliveries[] = [];

  before(async () => {
    redis = await startRedis();
    receiver = await startReceiver();
  });
  after(async () => {
    for (const delivery of deliveries) delivery.close();
    for (const client of clients) await client.close();
    await receiver.stop();
    await redis.stop();
  });

  /** What one node would have: its own Redis connection, queue and claims. */
  async function node(): Promise<Webhooks> {
    const logger = createLogger('silent');
    const client = await connectRedis(redis.url, () => {});
    clients.push(client);
    const config = loadConfig({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET }).webhooks!;
    const delivery = new WebhookDeliveries(config, logger, new Metrics());
    deliveries.push(delivery);
    return new Webhooks(delivery, new RedisWebhookClaims(client), logger);
  }

  test('two nodes told of the same events at once send each once; a meeting emptied on both ends once', async () => {
    const [first, second] = [await node(), await node()];
    const hana = { meetingCode: 'abcd-efgh-jkmn', info: { id: 'hana', name: 'Hana', isHost: true, audioEnabled: true, videoEnabled: true, screenSharing: false } };
    const ada = { ...hana, info: { ...hana.info, id: 'ada', name: 'Ada', isHost: false } };
    // Each node lets one of them in: the first to claim the session starts the meeting.
    first.participantJoined(hana, true);
    second.participantJoined(ada, true);
    for (const webhooks of [first, second]) {
      webhooks.recordingChanged(ada, 'started', 1_700_000_000_000);
      webhooks.participantLeft({ ...ada, recordingSince: 1_700_000_000_000 }, 'disconnected');
      webhooks.participantLeft(hana, 'left');
      webhooks.meetingEmptied(hana.meetingCode);
    }
    await Promise.all([first.settled(), second.settled()]);
    await receiver.waitFor(8);
    await sleep(300);
    assertNoRepeats(receiver.received);
    assert.deepEqual(countByType(receiver.received), {
      'meeting.started': 1,
      'participant.joined': 2,
      'recording.started': 1,
      'recording.stopped': 1,
      'participant.left': 2,
      'meeting.ended': 1,
    });
  });
});
