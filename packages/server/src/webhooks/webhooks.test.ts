import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { RunningServer } from '../index.js';
import { connect, createMeeting, join, knock, startTestServer, type TestClient } from '../../test/support/helpers.js';
import { startReceiver, type ReceivedWebhook, type TestReceiver } from '../../test/support/webhook-receiver.js';
import { verifyWebhook, WEBHOOK_EVENT_TYPES, WebhookVerificationError, type WebhookEvent } from './verify.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** Checks the delivery's signature as a receiver would, and returns its event. */
const verified = (webhook: ReceivedWebhook): WebhookEvent => verifyWebhook(SECRET, webhook.headers, webhook.body);

/** Servers, receivers and sockets a test started, stopped after it whatever happens. */
function cleanup() {
  const servers: RunningServer[] = [];
  const receivers: TestReceiver[] = [];
  const sockets: TestClient[] = [];
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const server of servers) await server.close();
    for (const receiver of receivers) await receiver.stop();
  });
  return {
    async server(env: NodeJS.ProcessEnv) {
      const server = await startTestServer({ WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_MS: '50', ...env });
      servers.push(server);
      return server;
    },
    async receiver(...args: Parameters<typeof startReceiver>) {
      const receiver = await startReceiver(...args);
      receivers.push(receiver);
      return receiver;
    },
    async client(server: RunningServer) {
      const socket = await connect(server);
      sockets.push(socket);
      return socket;
    },
  };
}

async function metric(server: RunningServer, event: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`parley_webhook_deliveries_total{event="${event}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('webhooks', () => {
  const started = cleanup();

  test('a meeting from start to end: every event, signed, each with its own webhook-id, to every WEBHOOK_URL', async () => {
    const [first, second] = [await started.receiver(), await started.receiver()];
    const server = await started.server({ WEBHOOK_URL: `${first.url},${second.url}` });
    const meeting = await createMeeting(server);
    const [host, ada, bob] = [await started.client(server), await started.client(server), await started.client(server)];
    const hana = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self;
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await first.waitFor(3);
    assert.ok((await host.emitWithAck('set-recording', { recording: true })).ok);
    assert.ok((await host.emitWithAck('set-recording', { recording: false })).ok);
    assert.deepEqual(await host.emitWithAck('remove-participant', { participantId: adaId }), { ok: true });
    assert.ok((await host.emitWithAck('update-meeting', { waitingRoom: true })).ok);
    const bobId = await knock(bob, meeting.code, 'Bob');
    await first.waitFor(7);
    assert.ok((await host.emitWithAck('leave-meeting')).ok);

    const events = (await first.waitFor(9)).map(verified);
    // Deliveries run side by side, so they may arrive in another order than the events happened.
    assert.deepEqual(
      events.map((event) => event.type).sort(),
      ['meeting.ended', 'meeting.started', 'participant.joined', 'participant.joined', 'participant.left', 'participant.removed', 'recording.started', 'recording.stopped', 'waiting.knocked'],
    );
    assert.deepEqual(new Set(events.map((event) => event.type)), new Set(WEBHOOK_EVENT_TYPES), 'every event type the package lists, and no other');
    const find = <Type extends WebhookEvent['type']>(type: Type, participant?: string) =>
      events.find((event): event is Extract<WebhookEvent, { type: Type }> => event.type === type && (!participant || JSON.stringify(event.data).includes(participant)));
    const [start, end, hanaJoined] = [find('meeting.started'), find('meeting.ended'), find('participant.joined', hana.id)];
    const [recordingStarted, recordingStopped, removed] = [find('recording.started'), find('recording.stopped'), find('participant.removed')];
    const [knocked, left] = [find('waiting.knocked'), find('participant.left')];
    assert.ok(start && end);
    assert.equal(start.data.code, meeting.code);
    assert.deepEqual(end.data, { code: meeting.code, session: start.data.session, reason: 'empty' });
    assert.deepEqual(hanaJoined?.data, { code: meeting.code, participant: { id: hana.id, name: 'Hana', isHost: true } });
    assert.ok(recordingStarted && recordingStopped);
    assert.equal(recordingStopped.data.startedAt, recordingStarted.data.startedAt);
    assert.deepEqual(recordingStarted.data.participant, { id: hana.id, name: 'Hana', isHost: true });
    assert.deepEqual(removed?.data, { code: meeting.code, participant: { id: adaId, name: 'Ada', isHost: false } });
    assert.deepEqual(knocked?.data, { code: meeting.code, participant: { id: bobId, name: 'Bob' } });
    assert.deepEqual(left?.data, { code: meeting.code, participant: { id: hana.id, name: 'Hana', isHost: true }, reason: 'left' });
    for (const event of events) assert.ok(Math.abs(Date.parse(event.timestamp) - Date.now()) < 60_000, event.timestamp);

    const ids = first.received.map((webhook) => webhook.headers['webhook-id']);
    assert.equal(new Set(ids).size, 9, 'one webhook-id per event');
    for (const webhook of first.received) {
      assert.match(String(webhook.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
      assert.equal(webhook.headers['content-type'], 'application/json');
    }
    // The second URL gets the same events under the same ids.
    await second.waitFor(9);
    assert.deepEqual(new Set(second.received.map((webhook) => webhook.headers['webhook-id'])), new Set(ids));
    assert.equal(await metric(server, 'participant.joined', 'delivered'), 4);
  });

  test('a host ending the meeting ends its session; joining again starts a new one', async () => {
    const receiver = await started.receiver();
    const server = await started.server({ WEBHOOK_URL: receiver.url });
    const meeting = await createMeeting(server);
    const host = await started.client(server);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    assert.ok((await host.emitWithAck('end-meeting')).ok);
    const events = (await receiver.waitFor(3)).map(verified);
    const start = events.find((event) => event.type === 'meeting.started');
    const end = events.find((event) => event.type === 'meeting.ended');
    assert.ok(start?.type === 'meeting.started' && end?.type === 'meeting.ended');
    assert.deepEqual(end.data, { code: meeting.code, session: start.data.session, reason: 'ended-by-host' });

    // An emptied meeting stays joinable for the grace period: a second stretch of it is a second session.
    const other = await createMeeting(server);
    const ada = await started.client(server);
    await join(ada, other.code, 'Ada');
    assert.ok((await ada.emitWithAck('leave-meeting')).ok);
    await join(ada, other.code, 'Ada');
    const later = (await receiver.waitFor(9)).slice(3).map(verified);
    const startedSessions = later.flatMap((event) => (event.type === 'meeting.started' ? [event.data.session] : []));
    const endedSessions = later.flatMap((event) => (event.type === 'meeting.ended' ? [event.data.session] : []));
    assert.equal(new Set(startedSessions).size, 2, 'two sessions started');
    assert.equal(endedSessions.length, 1);
    assert.ok(startedSessions.includes(endedSessions[0]!), 'the first one ended');
  });

  test('a receiver that fails twice, then accepts: three attempts under one webhook-id, each signed', async () => {
    const seen = new Map<string, number>();
    const receiver = await started.receiver(({ headers }) => {
      const id = String(headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return seen.get(id)! <= 2 ? 503 : 200;
    });
    const server = await started.server({ WEBHOOK_URL: receiver.url });
    const host = await started.client(server);
    const meeting = await createMeeting(server);
    const before = Date.now();
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    // meeting.started and participant.joined: each refused twice, then taken.
    await receiver.waitFor(6);
    // Backoff: 50 ms, then 100 ms (±20 %) before the retries.
    assert.ok(Date.now() - before >= 120);
    await sleep(300);
    assert.equal(receiver.received.length, 6, 'no attempt after the one accepted');
    for (const type of ['meeting.started', 'participant.joined']) {
      const attempts = receiver.received.filter((webhook) => verified(webhook).type === type);
      assert.equal(attempts.length, 3);
      assert.equal(new Set(attempts.map((webhook) => webhook.headers['webhook-id'])).size, 1);
      assert.equal(new Set(attempts.map((webhook) => webhook.body)).size, 1, 'the same body each time');
      assert.equal(await metric(server, type, 'delivered'), 1);
      assert.equal(await metric(server, type, 'failed'), 0);
    }
  });

  test('after WEBHOOK_MAX_ATTEMPTS failures the delivery is given up, logged and counted failed', async () => {
    const receiver = await started.receiver(() => 500);
    const server = await started.server({ WEBHOOK_URL: receiver.url, WEBHOOK_MAX_ATTEMPTS: '2' });
    const host = await started.client(server);
    const meeting = await createMeeting(server);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    await receiver.waitFor(4);
    await sleep(300);
    assert.equal(receiver.received.length, 4, 'two events, two attempts each');
    assert.equal(await metric(server, 'meeting.started', 'failed'), 1);
    assert.equal(await metric(server, 'participant.joined', 'failed'), 1);
  });

  test('a receiver that never answers delays no join', async () => {
    const receiver = await started.receiver(() => 'hold');
    const server = await started.server({ WEBHOOK_URL: receiver.url, WEBHOOK_TIMEOUT_MS: '60000' });
    const meeting = await createMeeting(server);
    const host = await started.client(server);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    await receiver.waitFor(2);
    for (const name of ['Ada', 'Bob', 'Cleo']) {
      const began = Date.now();
      await join(await started.client(server), meeting.code, name);
      assert.ok(Date.now() - began < 2000, `${name}'s join took ${Date.now() - began} ms`);
    }
    // Every webhook so far is still waiting for its answer while the joins went through.
    await receiver.waitFor(5);
    assert.equal(await metric(server, 'participant.joined', 'delivered'), 0);
  });

  test('a refused or unreachable receiver is retried and never breaks signaling', async () => {
    const receiver = await started.receiver();
    const unreachable = receiver.url.replace(/:\d+\//, ':1/');
    const server = await started.server({ WEBHOOK_URL: `${unreachable},${receiver.url}`, WEBHOOK_MAX_ATTEMPTS: '2' });
    const meeting = await createMeeting(server);
    const host = await started.client(server);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    await receiver.waitFor(2);
    await sleep(400);
    assert.equal(await metric(server, 'participant.joined', 'failed'), 1);
    assert.equal(await metric(server, 'participant.joined', 'delivered'), 1);
    assert.ok((await host.emitWithAck('leave-meeting')).ok);
  });
});

describe('verifyWebhook', () => {
  const body = JSON.stringify({ type: 'participant.joined', timestamp: new Date().toISOString(), data: { code: 'abcd-efgh-jkmn', participant: { id: 'p', name: 'Ada', isHost: false } } });
  const signed = (secret: string, at: Date, signedBody = body) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('msg_1', at, signedBody),
  });

  test('takes a body signed with the secret, from Node headers or Fetch Headers, and returns the event', () => {
    assert.equal(verifyWebhook(SECRET, signed(SECRET, new Date()), body).type, 'participant.joined');
    assert.equal(verifyWebhook(SECRET, new Headers(signed(SECRET, new Date())), Buffer.from(body)).type, 'participant.joined');
  });

  test('refuses a forged signature, a changed body, another id, missing headers and a body that is no event', () => {
    const refused = (headers: Record<string, string>, text = body) =>
      assert.throws(() => verifyWebhook(SECRET, headers, text), (error: unknown) => error instanceof WebhookVerificationError);
    refused(signed(OTHER_SECRET, new Date()));
    refused(signed(SECRET, new Date()), body.replace('Ada', 'Eve'));
    refused({ ...signed(SECRET, new Date()), 'webhook-id': 'msg_2' });
    refused({ 'webhook-id': 'msg_1' });
    refused(signed(SECRET, new Date(), '[1]'), '[1]');
  });

  test('refuses a timestamp more than five minutes old or ahead, even signed with the secret', () => {
    const refused = (at: Date) => assert.throws(() => verifyWebhook(SECRET, signed(SECRET, at), body), /too old|too new/);
    refused(new Date(Date.now() - 6 * 60_000));
    refused(new Date(Date.now() + 6 * 60_000));
    assert.equal(verifyWebhook(SECRET, signed(SECRET, new Date(Date.now() - 4 * 60_000)), body).type, 'participant.joined');
  });
});
