import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { io as connectClient } from 'socket.io-client';
import { MeetingService, SqliteMeetingStore, type Meeting, type RunningServer } from '../index.js';
import { connect, createMeeting, join as joinMeeting, nextEvent, startTestServer, tryJoin, withTestServer, type TestClient } from '../../test/support/helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function meeting(code: string, at: Date, changes: Partial<Meeting> = {}): Meeting {
  return {
    code,
    hostKeyHash: 'ab'.repeat(32),
    createdAt: at,
    expiresAt: new Date(at.getTime() + HOUR),
    endedAt: null,
    occupied: false,
    locked: false,
    settings: {},
    ...changes,
  };
}

describe('SQLite meeting store', () => {
  test('keeps every field, in a file that outlives the process that wrote it', async () => {
    const path = join(tempDir(), 'nested', 'parley.db');
    const now = new Date('2026-01-01T10:00:00.000Z');
    const first = new SqliteMeetingStore(path);
    await first.create(meeting('aaaa-bbbb-cccc', now, { settings: { waitingRoom: true } }));
    await assert.rejects(first.create(meeting('aaaa-bbbb-cccc', now)), /UNIQUE/, 'codes are unique');
    // `title` stands for a setting this server does not know: it is kept all the same.
    const settings = { waitingRoom: false, title: 'Standup' };
    await first.update('aaaa-bbbb-cccc', { locked: true, settings });
    await first.close();

    const second = new SqliteMeetingStore(path);
    assert.deepEqual(await second.get('aaaa-bbbb-cccc'), meeting('aaaa-bbbb-cccc', now, { locked: true, settings }));
    assert.equal(await second.get('zzzz-zzzz-zzzz'), undefined);
    await second.close();
  });

  test('occupy only ever extends, vacate only ever shortens, and expired meetings are swept', async () => {
    const store = new SqliteMeetingStore(':memory:');
    const now = new Date('2026-01-01T10:00:00.000Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    await store.create(meeting('aaaa-aaaa-aaaa', now));
    await store.create(meeting('bbbb-bbbb-bbbb', now));

    await store.occupy('aaaa-aaaa-aaaa', at(2 * HOUR));
    assert.deepEqual(await store.get('aaaa-aaaa-aaaa').then((m) => [m?.occupied, m?.expiresAt]), [true, at(2 * HOUR)]);
    await store.occupy('aaaa-aaaa-aaaa', at(MINUTE));
    assert.deepEqual((await store.get('aaaa-aaaa-aaaa'))?.expiresAt, at(2 * HOUR), 'never shortened by a join');
    await store.vacate('aaaa-aaaa-aaaa', at(5 * MINUTE));
    assert.deepEqual(await store.get('aaaa-aaaa-aaaa').then((m) => [m?.occupied, m?.expiresAt]), [false, at(5 * MINUTE)]);
    await store.vacate('aaaa-aaaa-aaaa', at(HOUR));
    assert.deepEqual((await store.get('aaaa-aaaa-aaaa'))?.expiresAt, at(5 * MINUTE), 'never lengthened by a departure');

    assert.equal(await store.countOpen(now), 2);
    const codes = (meetings: Meeting[]) => meetings.map((listed) => listed.code);
    assert.deepEqual(codes(await store.listOpen(now, undefined, 10)), ['aaaa-aaaa-aaaa', 'bbbb-bbbb-bbbb']);
    assert.deepEqual(codes(await store.listOpen(now, undefined, 1)), ['aaaa-aaaa-aaaa'], 'a page of one');
    assert.deepEqual(codes(await store.listOpen(now, 'aaaa-aaaa-aaaa', 10)), ['bbbb-bbbb-bbbb'], 'after a code');
    await store.update('bbbb-bbbb-bbbb', { endedAt: now, expiresAt: now });
    assert.equal(await store.countOpen(now), 1, 'ended meetings are not open');
    assert.deepEqual(codes(await store.listOpen(now, undefined, 10)), ['aaaa-aaaa-aaaa'], 'nor listed');
    assert.equal(await store.deleteExpired(at(MINUTE)), 1);
    assert.equal(await store.get('bbbb-bbbb-bbbb'), undefined);
    await store.ping();
    await store.close();
    await assert.rejects(store.ping(), 'a closed store is not ready');
  });

  test('vacateAll empties occupied meetings but the kept ones; saved participants are taken once', async () => {
    const store = new SqliteMeetingStore(':memory:');
    const now = new Date('2026-01-01T10:00:00.000Z');
    for (const code of ['aaaa-aaaa-aaaa', 'bbbb-bbbb-bbbb']) {
      await store.create(meeting(code, now));
      await store.occupy(code, new Date(now.getTime() + 2 * HOUR));
    }
    await store.vacateAll(new Date(now.getTime() + MINUTE), new Set(['bbbb-bbbb-bbbb']));
    assert.equal((await store.get('aaaa-aaaa-aaaa'))?.occupied, false);
    assert.deepEqual((await store.get('aaaa-aaaa-aaaa'))?.expiresAt, new Date(now.getTime() + MINUTE));
    assert.equal((await store.get('bbbb-bbbb-bbbb'))?.occupied, true);

    const ada = {
      meetingCode: 'bbbb-bbbb-bbbb',
      id: 'ada',
      name: 'Ada',
      isHost: true,
      audioEnabled: false,
      videoEnabled: true,
      screenSharing: false,
      awayUntil: new Date(now.getTime() + 30_000),
      removalMarks: ['mark-of-a-session'],
      tokenIssuedAt: now.getTime() - 1000,
    };
    await store.saveParticipants([ada]);
    assert.deepEqual(await store.takeParticipants(), [ada]);
    assert.deepEqual(await store.takeParticipants(), []);
    await store.close();
  });

  test('a database from before host controls gets the removal marks column, its saved participants none; the old token hash goes', async () => {
    const path = join(tempDir(), 'old.db');
    const old = new Database(path);
    old.exec(`
      CREATE TABLE saved_participants (
        meeting_code TEXT NOT NULL, id TEXT PRIMARY KEY, name TEXT NOT NULL, is_host INTEGER NOT NULL,
        audio INTEGER NOT NULL, video INTEGER NOT NULL, screen INTEGER NOT NULL, resume_token_hash TEXT NOT NULL,
        away_until INTEGER NOT NULL
      ) STRICT;
      INSERT INTO saved_participants VALUES ('aaaa-aaaa-aaaa', 'ada', 'Ada', 1, 1, 1, 0, 'hash', 1767261600000);
    `);
    old.close();
    const store = new SqliteMeetingStore(path);
    const [ada] = await store.takeParticipants();
    assert.deepEqual(ada?.removalMarks, []);
    assert.equal(ada?.tokenIssuedAt, 0, 'unknown: any valid token of theirs is accepted');
    // Resume tokens are signed now, not looked up by hash: saving works without the old column.
    await store.saveParticipants([ada!]);
    assert.deepEqual(await store.takeParticipants(), [ada]);
    await store.close();
  });
});

describe('meeting lifetimes', () => {
  const lifetimes = { ttlMs: HOUR, emptyGraceMs: 5 * MINUTE };
  const t0 = new Date('2026-01-01T10:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  test('a meeting nobody joins expires after the TTL', async () => {
    const service = new MeetingService(new SqliteMeetingStore(':memory:'), lifetimes);
    const { code, expiresAt } = await service.create(t0);
    assert.deepEqual(expiresAt, at(HOUR));
    assert.ok(await service.findJoinable(code, at(HOUR - 1)));
    assert.equal(await service.findJoinable(code, at(HOUR)), undefined);
  });

  test('a meeting in use lives on; once empty it dies after the grace period unless someone comes back', async () => {
    const service = new MeetingService(new SqliteMeetingStore(':memory:'), lifetimes);
    const { code } = await service.create(t0);
    const found = (await service.findJoinable(code, at(50 * MINUTE)))!;
    const { expiresAt, written } = service.occupy(found, at(50 * MINUTE));
    await written;
    assert.deepEqual(expiresAt, at(110 * MINUTE), 'a join keeps it joinable for another TTL');
    assert.ok(await service.findJoinable(code, at(100 * MINUTE)), 'in use past its first TTL');

    await service.vacate(code, at(100 * MINUTE));
    assert.ok(await service.findJoinable(code, at(104 * MINUTE)), 'within the grace period');
    const back = (await service.findJoinable(code, at(104 * MINUTE)))!;
    await service.occupy(back, at(104 * MINUTE)).written;
    await service.vacate(code, at(106 * MINUTE));
    assert.ok(await service.findJoinable(code, at(110 * MINUTE)));
    assert.equal(await service.findJoinable(code, at(111 * MINUTE)), undefined, 'dead once the grace period is over');
    assert.equal(await service.findJoinable(code, at(112 * MINUTE)), undefined);
  });

  test('a meeting the host ended is refused at once and for good, like a code that never existed', async () => {
    const service = new MeetingService(new SqliteMeetingStore(':memory:'), lifetimes);
    const { code } = await service.create(t0);
    assert.equal(await service.end(code.toUpperCase(), at(MINUTE)), true, 'ended by the code as typed');
    assert.equal(await service.findJoinable(code, at(MINUTE)), undefined);
    assert.equal(await service.end(code, at(2 * MINUTE)), false, 'ending twice does nothing');
    assert.equal(await service.end('zzzz-zzzz-zzzz', at(2 * MINUTE)), false);
    const stored = await service.store.get(code);
    assert.deepEqual([stored?.endedAt, stored?.occupied], [at(MINUTE), false]);
    assert.equal(await service.deleteExpired(at(MINUTE + 23 * HOUR)), 0, 'kept a day, its code still taken');
    assert.equal(await service.deleteExpired(at(MINUTE + 24 * HOUR)), 1);
  });

  test('lock state and settings are stored', async () => {
    const service = new MeetingService(new SqliteMeetingStore(':memory:'), lifetimes);
    const { code } = await service.create(t0);
    assert.deepEqual(await service.configure(code, { locked: true }), {
      previous: { locked: false, waitingRoom: false },
      current: { locked: true, waitingRoom: false },
    });
    assert.deepEqual((await service.configure(code, { waitingRoom: true }))?.current, { locked: true, waitingRoom: true });
    await service.recordRoleChange(code, t0.getTime());
    assert.equal(await service.configure('zzzz-zzzz-zzzz', {}), undefined);
    await service.recordRoleChange('zzzz-zzzz-zzzz', t0.getTime());
    assert.equal(await service.store.get('zzzz-zzzz-zzzz'), undefined, 'no meeting is made up');
    const stored = await service.store.get(code);
    assert.deepEqual([stored?.locked, stored?.settings], [true, { waitingRoom: true, rolesChangedAt: t0.getTime() }]);

    // The server API's own: a participant limit (null: the server's again) and the expiry, beside what hosts see.
    const later = new Date(t0.getTime() + 7 * 24 * HOUR);
    await service.configure(code, { maxParticipants: 3, expiresAt: later });
    let limited = await service.store.get(code);
    assert.deepEqual([limited?.settings.maxParticipants, limited?.expiresAt, limited?.locked], [3, later, true]);
    await service.configure(code, { maxParticipants: null });
    limited = await service.store.get(code);
    assert.deepEqual([limited?.settings.maxParticipants, limited?.settings.waitingRoom], [undefined, true]);
  });

  test('settings this server does not know (a newer one wrote them) survive its writes', async () => {
    const store = new SqliteMeetingStore(':memory:');
    const service = new MeetingService(store, lifetimes);
    const { code } = await service.create(t0);
    const fromANewerServer = { waitingRoom: false, muteOnEntry: false };
    await store.update(code, { settings: fromANewerServer });
    await service.configure(code, { waitingRoom: true });
    await service.recordRemoval(code, ['mark']);
    await service.recordDeparture(code, 'someone');
    await service.recordRoleChange(code, t0.getTime());
    const stored = await store.get(code);
    assert.equal((stored?.settings as Record<string, unknown> | undefined)?.muteOnEntry, false);
    assert.equal(stored?.settings.waitingRoom, true);
  });
});

describe('meetings over a real server', () => {
  test('the last one out starts the grace period; after it the code is dead', () =>
    withTestServer({ EMPTY_MEETING_GRACE_MS: '300', RESUME_WINDOW_MS: '0' }, async (server) => {
      const { code } = await createMeeting(server);
      const ada = await connect(server);
      await joinMeeting(ada, code, 'Ada');
      await ada.emitWithAck('leave-meeting');
      await joinMeeting(ada, code, 'Ada again');
      ada.disconnect();
      await delay(450);
      const late = await connect(server);
      assert.equal(await tryJoin(late, code), 'meeting-not-found');
      late.disconnect();
    }));

  test('a code nobody uses dies after MEETING_TTL_MS', () =>
    withTestServer({ MEETING_TTL_MS: '200' }, async (server) => {
      const { code, expiresAt } = await createMeeting(server);
      assert.ok(Date.parse(expiresAt) - Date.now() <= 200);
      await delay(300);
      const socket = await connect(server);
      assert.equal(await tryJoin(socket, code), 'meeting-not-found');
      socket.disconnect();
    }));

  test('a restart keeps meetings joinable, host keys included', async () => {
    const env = { DATABASE_PATH: join(tempDir(), 'parley.db') };
    const first = await startTestServer(env);
    const meeting = await createMeeting(first);
    await first.close();

    await withTestServer(env, async (second) => {
      const socket = await connect(second);
      const joined = await joinMeeting(socket, meeting.code, 'Ada', meeting.hostKey);
      assert.equal(joined.self.isHost, true);
      assert.equal(joined.meeting.code, meeting.code);
      socket.disconnect();
    });
  });
});

describe('graceful restart', () => {
  /** A client that reconnects by itself, as the SDK does, recording why it was disconnected. */
  async function reconnectingClient(server: RunningServer): Promise<{ socket: TestClient; reasons: string[] }> {
    const socket: TestClient = connectClient(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
    });
    await once(socket as never, 'connect');
    const reasons: string[] = [];
    socket.on('disconnect', (reason) => reasons.push(reason));
    return { socket, reasons };
  }

  test('clients are told to reconnect, and resume on the restarted server as the same participants', async () => {
    const env = { DATABASE_PATH: join(tempDir(), 'parley.db'), RESUME_WINDOW_MS: '5000' };
    const first = await startTestServer(env);
    const port = new URL(first.url).port;
    const meeting = await createMeeting(first);
    const ada = await reconnectingClient(first);
    const bob = await reconnectingClient(first);
    const adaJoined = await joinMeeting(ada.socket, meeting.code, 'Ada', meeting.hostKey);
    const bobJoined = await joinMeeting(bob.socket, meeting.code, 'Bob');
    await ada.socket.emitWithAck('media-state', { audio: false, video: true });

    const adaBack = once(ada.socket as never, 'connect');
    const bobBack = once(bob.socket as never, 'connect');
    const dropped = Promise.all([once(ada.socket as never, 'disconnect'), once(bob.socket as never, 'disconnect')]);
    await first.close();
    let second: RunningServer | undefined;
    try {
      await dropped;
      assert.deepEqual([ada.reasons, bob.reasons], [['transport close'], ['transport close']], 'a reason clients reconnect after');
      second = await startTestServer({ ...env, PORT: port });
      await Promise.all([adaBack, bobBack]);
      assert.equal(ada.socket.recovered, false, 'a new process cannot recover the Socket.IO session');
      const adaResumed = await ada.socket.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
      assert.ok(adaResumed.ok, JSON.stringify(adaResumed));
      assert.deepEqual(adaResumed.data.self, { ...adaJoined.self, audioEnabled: false });
      assert.deepEqual(adaResumed.data.participants.map((p) => p.id), [bobJoined.self.id]);

      const bobResumed = await bob.socket.emitWithAck('resume-meeting', { resumeToken: bobJoined.resumeToken });
      assert.ok(bobResumed.ok, JSON.stringify(bobResumed));
      // Relays flow between them again.
      const offer = nextEvent(bob.socket, 'offer');
      assert.deepEqual(await ada.socket.emitWithAck('offer', { to: bobJoined.self.id, sdp: 'v=0 after restart' }), { ok: true });
      assert.deepEqual(await offer, { from: adaJoined.self.id, sdp: 'v=0 after restart' });
    } finally {
      ada.socket.disconnect();
      bob.socket.disconnect();
      await second?.close();
    }
  });

  test('participants who do not come back within their window are gone, and their meeting empties', async () => {
    const env = { DATABASE_PATH: join(tempDir(), 'parley.db'), RESUME_WINDOW_MS: '300', EMPTY_MEETING_GRACE_MS: '200' };
    const first = await startTestServer(env);
    const meeting = await createMeeting(first);
    const ada = await connect(first);
    const adaJoined = await joinMeeting(ada, meeting.code, 'Ada');
    await first.close();
    ada.disconnect();

    await withTestServer(env, async (second) => {
      await delay(650);
      const socket = await connect(second);
      const resumed = await socket.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
      assert.equal(resumed.ok || resumed.error.code, 'meeting-expired', 'told why: the token proves Ada was in it');
      assert.equal(await tryJoin(socket, meeting.code), 'meeting-not-found', 'empty past its grace period');
      socket.disconnect();
    });
  });

  test('close() is idempotent and /readyz turns 503 as soon as shutdown starts', async () => {
    const server = await startTestServer();
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    const closing = server.close();
    assert.equal(server.close(), closing);
    await closing;
  });
});
