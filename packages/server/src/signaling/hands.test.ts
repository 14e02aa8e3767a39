import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { RaisedHand, Result } from '@parley/protocol';
import {
  connect,
  createMeeting,
  join,
  recordEvents,
  settle,
  useTestServer,
  withTestServer,
  type TestClient,
} from '../../test/support/helpers.js';
import { useTwoNodes } from '../../test/support/two-nodes.js';

const code = (result: Result<unknown>) => result.ok || result.error.code;

/** The hand requests as an untyped emitter, for payloads the types would not allow. */
const raw = (socket: TestClient) => socket as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<Result<unknown>> };

/** Who is in the queue, in its order. */
const ids = (hands: readonly RaisedHand[]) => hands.map(({ participantId }) => participantId);

/** The queue the socket was told last (`hands-changed`), from a record of its events. */
function lastQueue(received: { name: string; payload: unknown }[]): string[] | undefined {
  const last = received.filter(({ name }) => name === 'hands-changed').at(-1);
  return last && ids((last.payload as { hands: RaisedHand[] }).hands);
}

async function raise(socket: TestClient, raised = true): Promise<RaisedHand[]> {
  const answer = await socket.emitWithAck('raise-hand', { raised });
  assert.ok(answer.ok, JSON.stringify(answer));
  return answer.data;
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('raised hands', () => {
  const suite = useTestServer({ RESUME_WINDOW_MS: '5000' });
  const client = () => suite.client();

  /** Hana (host), Ada and Bob in one meeting, each recording what they hear from now on. */
  async function meetingOfThree() {
    const meeting = await createMeeting(suite.server);
    const [host, ada, bob] = [await client(), await client(), await client()];
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const heard = [recordEvents(host), recordEvents(ada), recordEvents(bob)];
    return { meeting, host, ada, bob, hostId, adaId: adaJoined.self.id, adaJoined, bobId, heard };
  }

  test('the server orders the queue by when it saw each hand; everyone hears the same queue; raising again keeps the place', async () => {
    const { host, ada, bob, hostId, adaId, bobId, heard } = await meetingOfThree();
    assert.deepEqual(ids(await raise(bob)), [bobId]);
    assert.deepEqual(ids(await raise(ada)), [bobId, adaId]);
    const queue = await raise(host);
    assert.deepEqual(ids(queue), [bobId, adaId, hostId]);
    // Stamped by the server, strictly in order, whatever the clients' clocks.
    assert.ok(queue[0]!.raisedAt < queue[1]!.raisedAt && queue[1]!.raisedAt < queue[2]!.raisedAt, JSON.stringify(queue));
    assert.ok(Math.abs(queue[2]!.raisedAt - Date.now()) < 5000);
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastQueue(received), [bobId, adaId, hostId]);

    // Bob raises again: he keeps his place, and nobody is told anything.
    const counts = heard.map((received) => received.length);
    assert.deepEqual(await raise(bob), queue);
    await settle(host, ada, bob);
    assert.deepEqual(
      heard.map((received) => received.length),
      counts,
    );

    // Ada lowers her own hand and raises it again: to the back of the queue.
    assert.deepEqual(ids(await raise(ada, false)), [bobId, hostId]);
    assert.deepEqual(ids(await raise(ada)), [bobId, hostId, adaId]);
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastQueue(received), [bobId, hostId, adaId]);
  });

  test('only a host lowers someone else’s hand, or all of them', async () => {
    const { host, ada, bob, adaId, bobId, heard } = await meetingOfThree();
    await raise(ada);
    await raise(bob);
    assert.equal(code(await ada.emitWithAck('lower-hand', { participantId: bobId })), 'not-host');
    assert.equal(code(await ada.emitWithAck('lower-hand', { all: true })), 'not-host');
    assert.equal(code(await (await client()).emitWithAck('lower-hand', { all: true })), 'not-in-meeting');
    assert.equal(code(await host.emitWithAck('lower-hand', { participantId: 'nobody' })), 'participant-not-found');

    const lowered = await host.emitWithAck('lower-hand', { participantId: adaId });
    assert.ok(lowered.ok);
    assert.deepEqual(ids(lowered.data), [bobId]);
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastQueue(received), [bobId]);

    await raise(ada);
    const all = await host.emitWithAck('lower-hand', { all: true });
    assert.deepEqual(all, { ok: true, data: [] });
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastQueue(received), []);
  });

  test('malformed hand requests get a typed invalid-payload, and the server goes on', async () => {
    const { host, ada, adaId } = await meetingOfThree();
    for (const [socket, event, payload] of [
      [ada, 'raise-hand', undefined],
      [ada, 'raise-hand', { raised: 'yes' }],
      // The client does not get to say when it raised its hand.
      [ada, 'raise-hand', { raised: true, raisedAt: 0 }],
      [ada, 'raise-hand', 'up'],
      [host, 'lower-hand', {}],
      [host, 'lower-hand', { all: false }],
      [host, 'lower-hand', { participantId: '' }],
      [host, 'lower-hand', { participantId: 'x'.repeat(65) }],
      [host, 'lower-hand', { participantId: adaId, all: true }],
      [host, 'lower-hand', null],
    ] as const) {
      assert.equal(code(await raw(socket).emitWithAck(event, payload)), 'invalid-payload', `${event} ${JSON.stringify(payload)}`);
    }
    assert.deepEqual(ids(await raise(ada)), [adaId]);
    assert.equal((await fetch(`${suite.server.url}/healthz`)).status, 200);
  });

  test('someone who leaves drops out of the queue; someone away keeps their place, and a newcomer sees the queue', async () => {
    const { meeting, host, ada, bob, hostId, adaId, bobId, heard } = await meetingOfThree();
    await raise(ada);
    await raise(bob);
    await raise(host);

    // Bob's connection drops: away, his hand stays up.
    bob.io.engine.close();
    await sleep(200);
    const carol = await client();
    assert.deepEqual(ids((await join(carol, meeting.code, 'Carol')).hands ?? []), [adaId, bobId, hostId]);

    // Ada leaves: out of the queue, and everyone is told.
    await ada.emitWithAck('leave-meeting');
    await settle(host, carol);
    assert.deepEqual(lastQueue(heard[0]!), [bobId, hostId]);
  });

  test('a resume answer carries the queue', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    await raise(ada);
    ada.io.engine.close();
    await sleep(100);
    await raise(bob);
    const adaAgain = await client();
    const resumed = await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    assert.deepEqual(ids(resumed.data.hands ?? []), [adaJoined.self.id, bobId]);
  });
});

test('hand requests count against the socket’s event budget: a flood closes the socket, and its hand drops out', async () => {
  await withTestServer({ SOCKET_EVENT_LIMIT: '12/60' }, async (server) => {
    const meeting = await createMeeting(server);
    const [flooder, bob] = [await connect(server), await connect(server)];
    try {
      const flooderId = (await join(flooder, meeting.code, 'Flo')).self.id;
      await join(bob, meeting.code, 'Bob');
      const bobHeard = recordEvents(bob);
      const closed = once(flooder as never, 'disconnect');
      // The join was one event: eleven more are answered, the twelfth and after are not.
      const answers = Array.from({ length: 16 }, (_, index) =>
        flooder.timeout(2000).emitWithAck('raise-hand', { raised: index % 2 === 0 }).then(
          (answer) => answer.ok,
          () => 'unanswered' as const,
        ),
      );
      const settled = await Promise.all(answers);
      assert.deepEqual(settled.slice(0, 11), Array(11).fill(true));
      assert.deepEqual(settled.slice(11), Array(5).fill('unanswered'));
      await closed;
      // The flood's last answered toggle left the hand up (eleven toggles); dropped with the flooder.
      await waitUntil(() => lastQueue(bobHeard)?.length === 0);
      assert.ok(bobHeard.some(({ name, payload }) => name === 'hands-changed' && ids((payload as { hands: RaisedHand[] }).hands).includes(flooderId)));
      assert.deepEqual((await bob.emitWithAck('raise-hand', { raised: true })).ok, true);
    } finally {
      flooder.disconnect();
      bob.disconnect();
    }
  });
});

describe('raised hands on two nodes', () => {
  const { nodes, on } = useTwoNodes();

  test('every page, on either node, ends with the same queue; a host on one node lowers hands on the other', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const host = await on(0);
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const ada = await on(1);
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bob = await on(0);
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const carol = await on(1);
    const carolId = (await join(carol, meeting.code, 'Carol')).self.id;
    const everyone = [host, ada, bob, carol];
    const heard = everyone.map(recordEvents);
    const sameEverywhere = (expected: string[]) => waitUntil(() => heard.every((received) => JSON.stringify(lastQueue(received)) === JSON.stringify(expected)));

    // One after the other, across the nodes: in that order everywhere.
    await raise(ada);
    await waitUntil(() => heard.every((received) => lastQueue(received)?.length === 1));
    await raise(bob);
    await sameEverywhere([adaId, bobId]);

    // At the same moment on both nodes: whatever the order, it is the same on every page.
    await Promise.all([raise(carol), raise(host)]);
    await waitUntil(() => heard.every((received) => lastQueue(received)?.length === 4));
    const agreed = lastQueue(heard[0]!)!;
    assert.deepEqual(agreed.slice(0, 2), [adaId, bobId]);
    assert.deepEqual(new Set(agreed.slice(2)), new Set([carolId, hostId]));
    await sameEverywhere(agreed);

    // A newcomer on either node is told the same queue.
    const dan = await on(1);
    assert.deepEqual(ids((await join(dan, meeting.code, 'Dan')).hands ?? []), agreed);

    // The host (node 0) lowers Ada's hand (node 1), then all of them.
    assert.ok((await host.emitWithAck('lower-hand', { participantId: adaId })).ok);
    await sameEverywhere(agreed.filter((id) => id !== adaId));
    assert.deepEqual(await host.emitWithAck('lower-hand', { all: true }), { ok: true, data: [] });
    await sameEverywhere([]);

    // Ada (node 1) raises again and leaves: out of the queue on every page.
    await raise(ada);
    await sameEverywhere([adaId]);
    await ada.emitWithAck('leave-meeting');
    await waitUntil(() => heard.filter((_, index) => index !== 1).every((received) => lastQueue(received)?.length === 0));
  });
});
