import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import type { JoinedMeeting } from '@parley/protocol';
import type { RunningServer } from '../index.js';
import type { Meeting } from './meeting.js';
import { connectRedis, RedisMeetingStore, type RedisClient } from './redis-meeting-store.js';
import { connect, createMeeting, join, knock, nextEvent, recordEvents, startTestServer, type TestClient } from '../../test/support/helpers.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';

/** Several nodes on one real redis-server (REDIS_URL): shared meetings, replicated presence, fan-out. */

const closed = (socket: TestClient) => once(socket as never, 'disconnect').then(([reason]) => reason as string);
const OK = { ok: true };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisMeetingStore', () => {
  let redis: TestRedis;
  let client: RedisClient;
  let store: RedisMeetingStore;
  before(async () => {
    redis = await startRedis();
    client = await connectRedis(redis.url, () => undefined);
    store = new RedisMeetingStore(client);
  });
  after(async () => {
    await client.close();
    await redis.stop();
  });

  const meeting = (code: string, expiresAt: number): Meeting => ({
    code,
    hostKeyHash: 'ab'.repeat(32),
    createdAt: new Date(1_000),
    expiresAt: new Date(expiresAt),
    endedAt: null,
    occupied: false,
    locked: false,
    settings: { waitingRoom: true },
  });

  test('round trip: create, get, update, occupy, vacate, count, sweep', async () => {
    await store.create(meeting('aaaa-aaaa-aaaa', 10_000));
    await assert.rejects(store.create(meeting('aaaa-aaaa-aaaa', 10_000)), /taken/);
    assert.deepEqual(await store.get('aaaa-aaaa-aaaa'), meeting('aaaa-aaaa-aaaa', 10_000));
    assert.equal(await store.get('zzzz-zzzz-zzzz'), undefined);

    // `title` stands for a setting this server does not know: it is kept all the same.
    const settings = { removed: ['x'], title: 'Standup' };
    await store.update('aaaa-aaaa-aaaa', { locked: true, settings });
    await store.update('zzzz-zzzz-zzzz', { locked: true });
    assert.equal(await store.get('zzzz-zzzz-zzzz'), undefined, 'an update of an unknown code stores nothing');
    let stored = await store.get('aaaa-aaaa-aaaa');
    assert.equal(stored?.locked, true);
    assert.deepEqual(stored?.settings, { removed: ['x'], title: 'Standup' });

    await store.occupy('aaaa-aaaa-aaaa', new Date(5_000));
    stored = await store.get('aaaa-aaaa-aaaa');
    assert.equal(stored?.occupied, true);
    assert.equal(stored?.expiresAt.getTime(), 10_000, 'occupy never brings the expiry forward');
    await store.occupy('aaaa-aaaa-aaaa', new Date(20_000));
    assert.equal((await store.get('aaaa-aaaa-aaaa'))?.expiresAt.getTime(), 20_000);
    await store.vacate('aaaa-aaaa-aaaa', new Date(30_000));
    stored = await store.get('aaaa-aaaa-aaaa');
    assert.equal(stored?.occupied, false);
    assert.equal(stored?.expiresAt.getTime(), 20_000, 'vacate never pushes the expiry back');

    await store.create(meeting('bbbb-bbbb-bbbb', 3_000));
    await store.occupy('bbbb-bbbb-bbbb', new Date(4_000));
    await store.create(meeting('cccc-cccc-cccc', 50_000));
    await store.occupy('cccc-cccc-cccc', new Date(50_000));
    await store.update('cccc-cccc-cccc', { endedAt: new Date(2_500), expiresAt: new Date(2_500) });
    assert.equal(await store.countOpen(new Date(2_600)), 2);
    const codes = (meetings: Meeting[]) => meetings.map((listed) => listed.code);
    assert.deepEqual(codes(await store.listOpen(new Date(2_600), undefined, 10)), ['aaaa-aaaa-aaaa', 'bbbb-bbbb-bbbb'], 'the ended one left out');
    assert.deepEqual(codes(await store.listOpen(new Date(2_600), undefined, 1)), ['aaaa-aaaa-aaaa'], 'a page of one');
    assert.deepEqual(codes(await store.listOpen(new Date(2_600), 'aaaa-aaaa-aaaa', 10)), ['bbbb-bbbb-bbbb'], 'after a code');
    await store.vacateAll(new Date(3_500), new Set(['cccc-cccc-cccc']));
    assert.equal((await store.get('bbbb-bbbb-bbbb'))?.expiresAt.getTime(), 3_500);
    assert.equal(await store.deleteExpired(new Date(3_600)), 2);
    assert.equal(await store.get('bbbb-bbbb-bbbb'), undefined);
    assert.ok(await store.get('aaaa-aaaa-aaaa'));
  });

  test('the resume token key: made once, the same for every node (and kept across a Redis restart)', async () => {
    const other = await connectRedis(redis.url, () => undefined);
    try {
      const [first, second] = await Promise.all([store.resumeSecret(), new RedisMeetingStore(other).resumeSecret()]);
      assert.equal(first.length, 32);
      assert.deepEqual(second, first, 'two nodes asking at the same moment get one key');
      await redis.restart();
      await client.ping();
      assert.deepEqual(await store.resumeSecret(), first, 'Redis is durable: the key survives its restart');
    } finally {
      await other.close();
    }
  });

  test('saved participants from several nodes add up, and are taken once', async () => {
    const saved = (id: string) => ({
      meetingCode: 'aaaa-aaaa-aaaa',
      id,
      name: id,
      isHost: id === 'one',
      audioEnabled: true,
      videoEnabled: false,
      screenSharing: false,
      awayUntil: new Date(123_456),
      removalMarks: ['m'],
      tokenIssuedAt: 100_000,
    });
    await store.saveParticipants([saved('one')]);
    await store.saveParticipants([saved('two')]);
    const taken = await store.takeParticipants();
    assert.deepEqual(
      taken.sort((a, b) => a.id.localeCompare(b.id)),
      [saved('one'), saved('two')],
    );
    assert.deepEqual(await store.takeParticipants(), []);
  });

  test("a save from an older version is taken field by field: its resume token hash never reaches a participant's info", async () => {
    const old = { meetingCode: 'aaaa-aaaa-aaaa', id: 'old', name: 'Old', isHost: false, audioEnabled: true, videoEnabled: true, screenSharing: false };
    await client.hSet('parley:saved-participants', 'old', JSON.stringify({ ...old, awayUntil: new Date(5_000), resumeTokenHash: 'secret-hash' }));
    assert.deepEqual(await store.takeParticipants(), [{ ...old, awayUntil: new Date(5_000), removalMarks: [], tokenIssuedAt: 0 }]);
  });

  test('a node recovers by token only after the whole cluster crashed, never beside running nodes or after a hand-over', async () => {
    const started = (node: string, aliveSince = Date.now() - 6000) => store.markStarted(node, Date.now(), 500, aliveSince);
    assert.deepEqual(await started('first'), { recoverUntil: 0, othersRunning: false }, 'the first start ever');
    await store.markRunning('first', Date.now());
    await store.markRunning('second', Date.now());
    assert.deepEqual(await started('rolling'), { recoverUntil: 0, othersRunning: true }, 'beside running nodes');
    await store.markHandedOver('first');
    await store.markHandedOver('second');
    assert.deepEqual(await started('after-hand-over'), { recoverUntil: 0, othersRunning: false }, 'everyone handed over');

    // Both nodes die without a word: once they are silent for long, the first node to start recovers, and the next
    // one joins that recovery (it sees the first running, but recovering).
    await store.markRunning('doomed-1', Date.now() - 10_000);
    await store.markRunning('doomed-2', Date.now() - 10_000);
    const first = await started('restarted-1');
    assert.ok(first.recoverUntil > Date.now(), JSON.stringify(first));
    await store.markRunning('restarted-1', Date.now());
    const second = await started('restarted-2');
    assert.equal(second.othersRunning, false);
    assert.ok(second.recoverUntil >= first.recoverUntil && second.recoverUntil - first.recoverUntil < 100, JSON.stringify({ first, second }));
    await store.markRunning('restarted-2', Date.now());
    // Both die again within that recovery: the next start gets a whole window from its own start, not what is left.
    await sleep(300);
    const again = await started('restarted-3');
    assert.ok(again.recoverUntil - Date.now() > 450, `${again.recoverUntil - Date.now()} ms left`);
    await store.markRunning('restarted-3', Date.now());
    await sleep(600);
    // The recovery is over; the crashed nodes were forgotten, only the restarted one runs.
    assert.deepEqual(await started('later'), { recoverUntil: 0, othersRunning: true });
    for (const node of ['restarted-1', 'restarted-2', 'restarted-3']) await store.markHandedOver(node);
  });
});

describe('two nodes on one Redis', () => {
  let redis: TestRedis;
  let a: RunningServer;
  let b: RunningServer;
  const sockets: TestClient[] = [];
  const on = async (server: RunningServer) => {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  };

  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, RESUME_WINDOW_MS: '3000' };
    a = await startTestServer(env);
    b = await startTestServer(env);
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  });

  /** A meeting created on node A; its host joins on node B, a guest on node A. */
  async function acrossNodes() {
    const meeting = await createMeeting(a);
    const host = await on(b);
    const hostJoined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    const guest = await on(a);
    const joinedSeen = nextEvent(host, 'participant-joined');
    const guestJoined = await join(guest, meeting.code, 'Gus');
    const seen = await joinedSeen;
    return { meeting, host, guest, hostId: hostJoined.self.id, guestId: guestJoined.self.id, guestJoined, seen };
  }

  test('a meeting created on one node is joined on another, and each sees the other join', async () => {
    const { hostId, guestId, guestJoined, seen } = await acrossNodes();
    assert.equal(seen.id, guestId);
    assert.equal(seen.name, 'Gus');
    assert.deepEqual(
      guestJoined.participants.map((participant) => [participant.id, participant.isHost]),
      [[hostId, true]],
      'the guest on node A is told of the host on node B',
    );
  });

  test('two joins crossing on two nodes: each hears of the other, and exactly one of them offers first', async () => {
    for (let round = 0; round < 20; round += 1) {
      const meeting = await createMeeting(a);
      const [ada, bob] = await Promise.all([on(a), on(b)]);
      const adaHeard = recordEvents(ada);
      const bobHeard = recordEvents(bob);
      // Both requests leave before either answer: each node may answer before it hears of the other join.
      const [adaJoined, bobJoined] = await Promise.all([join(ada, meeting.code, 'Ada'), join(bob, meeting.code, 'Bob')]);
      const [adaId, bobId] = [adaJoined.self.id, bobJoined.self.id];
      /** How `who` heard of `other`: listed in its join answer (`answer`), or by which event. */
      const howHeard = (joined: JoinedMeeting, heard: { name: string; payload: unknown }[], other: string) => [
        ...(joined.participants.some((participant) => participant.id === other) ? ['answer'] : []),
        ...heard
          .filter(({ name, payload }) => name.startsWith('participant-') && (payload as { id?: string }).id === other)
          .map(({ name }) => name),
      ];
      // Until both heard of each other (a crossing join is told through Redis), then a moment for duplicates.
      for (let waited = 0; waited < 5000; waited += 50) {
        if (howHeard(adaJoined, adaHeard, bobId).length > 0 && howHeard(bobJoined, bobHeard, adaId).length > 0) break;
        await sleep(50);
      }
      await sleep(200);
      const adaOfBob = howHeard(adaJoined, adaHeard, bobId);
      const bobOfAda = howHeard(bobJoined, bobHeard, adaId);
      assert.equal(adaOfBob.length, 1, `round ${round}: Ada heard of Bob once (${adaOfBob.join(', ')})`);
      assert.equal(bobOfAda.length, 1, `round ${round}: Bob heard of Ada once (${bobOfAda.join(', ')})`);
      const offersFirst = [adaOfBob[0] === 'participant-joined', bobOfAda[0] === 'participant-joined'];
      assert.equal(offersFirst.filter(Boolean).length, 1, `round ${round}: one side offers (${adaOfBob}, ${bobOfAda})`);
      ada.disconnect();
      bob.disconnect();
    }
  });

  test('offers, answers, ICE candidates and ICE restart requests cross nodes', async () => {
    const { host, guest, hostId, guestId } = await acrossNodes();
    const offer = nextEvent(guest, 'offer');
    assert.deepEqual(await host.emitWithAck('offer', { to: guestId, sdp: 'v=0 offer' }), OK);
    assert.deepEqual(await offer, { from: hostId, sdp: 'v=0 offer' });
    const answer = nextEvent(host, 'answer');
    await guest.emitWithAck('answer', { to: hostId, sdp: 'v=0 answer' });
    assert.deepEqual(await answer, { from: guestId, sdp: 'v=0 answer' });
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const ice = nextEvent(guest, 'ice-candidate');
    await host.emitWithAck('ice-candidate', { to: guestId, candidate });
    assert.equal((await ice).from, hostId);
    const restartRequest = nextEvent(host, 'ice-restart-request');
    assert.deepEqual(await guest.emitWithAck('ice-restart-request', { to: hostId }), OK);
    assert.deepEqual(await restartRequest, { from: guestId });
  });

  test('media state and host changes cross nodes', async () => {
    const { host, guest, hostId, guestId } = await acrossNodes();
    const media = nextEvent(host, 'media-state');
    await guest.emitWithAck('media-state', { audio: false, video: true });
    assert.deepEqual(await media, { participantId: guestId, audio: false, video: true, screen: false });
    const changed = nextEvent(guest, 'host-changed');
    assert.deepEqual(await host.emitWithAck('transfer-host', { participantId: guestId }), OK);
    assert.deepEqual(await changed, { participantId: guestId, isHost: true });
    await sleep(100);
    // The new host on node A may now use host controls on the old host on node B, and the old one may not.
    const hostMuted = nextEvent(host, 'mute-requested');
    assert.deepEqual(await guest.emitWithAck('mute-participant', { participantId: hostId }), OK);
    assert.deepEqual(await hostMuted, { by: guestId });
    const refused = await host.emitWithAck('mute-participant', { participantId: guestId });
    assert.equal(refused.ok || refused.error.code, 'not-host');
  });

  test('host controls cross nodes: mute, remove, end', async () => {
    const first = await acrossNodes();
    const muted = nextEvent(first.guest, 'mute-requested');
    assert.deepEqual(await first.host.emitWithAck('mute-participant', { participantId: first.guestId }), OK);
    assert.deepEqual(await muted, { by: first.hostId });

    const third = await on(a);
    await join(third, first.meeting.code, 'Thea');
    const removed = nextEvent(first.guest, 'removed');
    const gone = closed(first.guest);
    const left = nextEvent(first.host, 'participant-left');
    const waitingRoomOn = nextEvent(third, 'meeting-updated');
    assert.deepEqual(await first.host.emitWithAck('remove-participant', { participantId: first.guestId }), OK);
    await removed;
    await gone;
    assert.deepEqual(await left, { participantId: first.guestId, reason: 'removed' });
    // The waiting room the removal turned on is heard, and holds, on the other node too.
    assert.deepEqual(await waitingRoomOn, { locked: false, waitingRoom: true, waitingRoomAfterRemoval: true });
    await knock(await on(a), first.meeting.code, 'Gus', { sessionId: 'another-browser' });

    const second = await acrossNodes();
    const ended = nextEvent(second.guest, 'meeting-ended');
    const guestClosed = closed(second.guest);
    assert.deepEqual(await second.host.emitWithAck('end-meeting'), OK);
    await ended;
    await guestClosed;
    const late = await on(a);
    const refusal = await late.emitWithAck('join-meeting', { code: second.meeting.code, name: 'Late', audio: true, video: true });
    assert.equal(refusal.ok || refusal.error.code, 'meeting-not-found');
  });

  test('waiting room across nodes: a host on one node admits and denies people waiting on another', async () => {
    const meeting = await createMeeting(a);
    const host = await on(b);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    assert.deepEqual(await host.emitWithAck('update-meeting', { waitingRoom: true }), { ok: true, data: { locked: false, waitingRoom: true } });
    await sleep(100);

    const guest = await on(a);
    const listed = nextEvent(host, 'waiting-list');
    const guestId = await knock(guest, meeting.code, 'Gus');
    assert.deepEqual(await listed, { waiting: [{ id: guestId, name: 'Gus' }] });
    await sleep(100);
    const admitted = nextEvent(guest, 'admitted');
    const joinedSeen = nextEvent(host, 'participant-joined');
    assert.deepEqual(await host.emitWithAck('admit-participant', { participantId: guestId }), OK);
    assert.equal((await admitted).self.id, guestId);
    assert.equal((await joinedSeen).id, guestId);

    const other = await on(a);
    const listedAgain = nextEvent(host, 'waiting-list');
    const otherId = await knock(other, meeting.code, 'Olga');
    assert.deepEqual(await listedAgain, { waiting: [{ id: otherId, name: 'Olga' }] });
    await sleep(100);
    const denied = nextEvent(other, 'denied');
    const otherClosed = closed(other);
    assert.deepEqual(await host.emitWithAck('deny-participant', { participantId: otherId }), OK);
    await denied;
    await otherClosed;
  });

  test('Redis restarted mid-meeting: the nodes recover and no meeting is lost', async () => {
    const { meeting, host, guest, hostId, guestId } = await acrossNodes();
    await redis.restart();
    // The meeting is still there for both nodes, and fan-out works again.
    const newcomer = await on(b);
    const joinedSeen = nextEvent(guest, 'participant-joined', 10_000);
    const joined = await join(newcomer, meeting.code, 'Nia');
    assert.equal((await joinedSeen).id, joined.self.id);
    assert.deepEqual(joined.participants.map((participant) => participant.id).sort(), [hostId, guestId].sort());
    const offer = nextEvent(guest, 'offer', 5000);
    await host.emitWithAck('offer', { to: guestId, sdp: 'v=0 after restart' });
    assert.equal((await offer).sdp, 'v=0 after restart');
  });

  test('failed joins are counted across nodes (last: it leaves this address blocked)', async () => {
    // The nodes allow 10 failures per 10 minutes from one address, whichever node counts them.
    const refusals: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      const socket = await on(attempt % 2 === 0 ? a : b);
      const result = await socket.emitWithAck('join-meeting', { code: 'zzzz-zzzz-zzzz', name: 'Mallory', audio: true, video: true });
      refusals.push(result.ok ? 'ok' : result.error.code);
      socket.disconnect();
    }
    // Earlier tests failed one join (after the end); the eleventh failure of the address is refused either way.
    const firstBlocked = refusals.indexOf('rate-limited');
    assert.ok(firstBlocked >= 8 && firstBlocked <= 10, `blocked after 10 failures in all, got ${refusals.join(', ')}`);
    assert.ok(refusals.slice(firstBlocked).every((code) => code === 'rate-limited'));
  });
});

describe('three nodes on one Redis', () => {
  let redis: TestRedis;
  let servers: RunningServer[] = [];
  const sockets: TestClient[] = [];

  before(async () => {
    redis = await startRedis();
    for (let index = 0; index < 3; index += 1) servers.push(await startTestServer({ REDIS_URL: redis.url }));
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    await redis.stop();
  });

  test('one participant per node: everyone sees everyone, relays reach the third node, leaving is seen everywhere', async () => {
    const meeting = await createMeeting(servers[0]!);
    const ids: string[] = [];
    for (const [index, server] of servers.entries()) {
      const socket = await connect(server);
      sockets.push(socket);
      const seen = sockets.slice(0, -1).map((earlier) => nextEvent(earlier, 'participant-joined'));
      const joined = await join(socket, meeting.code, `P${index}`, index === 0 ? meeting.hostKey : undefined);
      assert.deepEqual(joined.participants.map((participant) => participant.id), ids, `P${index} is told of everyone before`);
      for (const event of await Promise.all(seen)) assert.equal(event.id, joined.self.id);
      ids.push(joined.self.id);
      await sleep(50);
    }
    const [first, , third] = sockets as [TestClient, TestClient, TestClient];
    const offer = nextEvent(third, 'offer');
    assert.deepEqual(await first.emitWithAck('offer', { to: ids[2]!, sdp: 'v=0 a to c' }), OK);
    assert.deepEqual(await offer, { from: ids[0], sdp: 'v=0 a to c' });

    const left = [first, sockets[1]!].map((socket) => nextEvent(socket, 'participant-left'));
    assert.deepEqual(await third.emitWithAck('leave-meeting'), OK);
    for (const event of await Promise.all(left)) assert.deepEqual(event, { participantId: ids[2], reason: 'left' });
    await sleep(100);
    const refused = await first.emitWithAck('offer', { to: ids[2]!, sdp: 'v=0 too late' });
    assert.equal(refused.ok || refused.error.code, 'participant-not-found', 'every node forgot the leaver');
  });
});

describe('a crash of every node', () => {
  let redis: TestRedis;
  const servers: RunningServer[] = [];
  const sockets: TestClient[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(servers.map((server) => server.close()));
    await redis.stop();
  });
  const start = async () => {
    const server = await startTestServer({ REDIS_URL: redis.url, RESUME_WINDOW_MS: '5000' });
    servers.push(server);
    return server;
  };

  test('a Socket.IO session kept in Redis is not restored for a participant nobody knows while recovering: the client resumes with its token instead', { timeout: 30_000 }, async () => {
    const before = await start();
    const meeting = await createMeeting(before);
    const ada = await connect(before);
    sockets.push(ada);
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const heard = nextEvent(ada, 'participant-joined');
    const bob = await connect(before);
    sockets.push(bob);
    await join(bob, meeting.code, 'Bob');
    await heard;
    // Ada's connection drops: her session (and the offset of the last event she got) is stored in Redis.
    const { _pid: pid, _lastOffset: offset } = ada as unknown as { _pid: string; _lastOffset: string };
    assert.ok(pid && offset, 'Socket.IO gave the session an id and an offset');
    ada.io.engine.close();
    await sleep(300);

    // Every node dies without handing over: what the hand-over wrote is wiped, and the node looks long dead.
    await before.close();
    const client = await connectRedis(redis.url, () => undefined);
    const store = new RedisMeetingStore(client);
    await store.takeParticipants();
    await store.markRunning('crashed', Date.now() - 60_000);
    await client.close();
    const after = await start();

    // Ada's client reconnects (here through a new client holding her session, as the load balancer's address changed).
    const adaBack: TestClient = connectClient(after.url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false });
    Object.assign(adaBack, { _pid: pid, _lastOffset: offset });
    adaBack.connect();
    sockets.push(adaBack);
    const closed = once(adaBack as never, 'disconnect').then(([reason]) => reason as string);
    await once(adaBack as never, 'connect');
    assert.equal(adaBack.recovered, false, 'a plain new connection, not one restored into no meeting');
    const resumed = await adaBack.timeout(5000).emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    assert.equal(resumed.data.recovering, true);
    assert.equal(await Promise.race([closed, sleep(500).then(() => 'still connected')]), 'still connected');
  });

  const on = async (server: RunningServer) => {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  };
  const resume = async (socket: TestClient, resumeToken: string) => {
    const result = await socket.timeout(5000).emitWithAck('resume-meeting', { resumeToken, audio: true, video: true });
    return result.ok ? result.data : result.error.code;
  };

  /**
   * A call on two nodes, both of which die without a word and come back on the same Redis: the SDK retries a resume
   * whose answer did not come in time (10 s on a loaded machine) or was cut off with its connection. The server had
   * taken the participant back and issued a new token the client never saw: asking again with the token it holds
   * must not end its call (resume-rejected and already-in-meeting are final to the SDK).
   */
  test('asked again on the same connection, or at once after a drop, the take-back still holds', { timeout: 30_000 }, async () => {
    const [a, b] = [await start(), await start()];
    const meeting = await createMeeting(a);
    const adaJoined = await join(await on(a), meeting.code, 'Ada', meeting.hostKey);
    const bobJoined = await join(await on(b), meeting.code, 'Bob');
    // The call goes on a while: their tokens are clearly older than any issued after the crash.
    await sleep(2500);
    for (const socket of sockets) socket.disconnect();
    // Both nodes die: nothing handed over, and the nodes look long dead to the next ones.
    await Promise.all([a.close(), b.close()]);
    const client = await connectRedis(redis.url, () => undefined);
    const store = new RedisMeetingStore(client);
    await store.takeParticipants();
    await store.markRunning('crashed', Date.now() - 60_000);
    await client.close();
    const [x, y] = [await start(), await start()];

    // Bob is taken back on X, but his client never gets the answer (too late): it asks again on the same connection.
    const bobOnX = await on(x);
    const first = await resume(bobOnX, bobJoined.resumeToken);
    assert.equal(typeof first, 'object', JSON.stringify(first));
    const again = await resume(bobOnX, bobJoined.resumeToken);
    assert.equal(typeof again, 'object', `asked again on the same connection: ${JSON.stringify(again)}`);
    assert.equal(typeof again === 'object' && again.self.id, bobJoined.self.id);
    assert.equal(typeof again === 'object' && again.recovering, true);

    // Ada is taken back on X; the answer is cut off with her connection, and she is back at once, on X again.
    const adaOnX = await on(x);
    assert.equal(typeof (await resume(adaOnX, adaJoined.resumeToken)), 'object');
    adaOnX.io.engine.close();
    await sleep(200);
    const adaAgain = await on(x);
    const adaBack = await resume(adaAgain, adaJoined.resumeToken);
    assert.equal(typeof adaBack, 'object', `after a drop: ${JSON.stringify(adaBack)}`);
    assert.equal(typeof adaBack === 'object' && adaBack.self.isHost, true, 'Ada is still host');
    assert.deepEqual(typeof adaBack === 'object' && adaBack.participants.map((participant: { id: string }) => participant.id), [bobJoined.self.id]);

    // A token older than the one before the latest still cannot take anyone over.
    await sleep(2500);
    adaAgain.io.engine.close();
    await sleep(200);
    assert.equal(await resume(await on(y), adaJoined.resumeToken), 'resume-rejected', 'long after her new token, the old one is dead');
  });
});
