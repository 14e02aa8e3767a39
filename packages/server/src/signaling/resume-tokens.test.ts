import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import type { JoinedMeeting } from '@parley/protocol';
import { SqliteMeetingStore } from '../meetings/sqlite-meeting-store.js';
import { ResumeTokens } from './resume-tokens.js';
import type { RunningServer } from '../index.js';
import { connect, createMeeting, join as joinMeeting, nextEvent, recordEvents, settle, startTestServer, tryJoin, type TestClient } from '../../test/support/helpers.js';

const HOUR = 60 * 60 * 1000;
const claims = { meeting: 'abcd-efgh-jkmn', participant: 'p-1', name: 'Ada Ümlaut 👩‍💻', host: true, removalMarks: ['mark-a', 'mark-b'] };

describe('resume tokens', () => {
  const secret = randomBytes(32);
  const tokens = new ResumeTokens(secret, HOUR);

  test('a token says what it was issued for, until it expires', () => {
    const token = tokens.issue(claims, 1000);
    assert.deepEqual(tokens.verify(token, 2000), { ok: true, claims: { ...claims, issuedAt: 1000, expiresAt: 1000 + HOUR } });
    assert.deepEqual(tokens.verify(token, 1000 + HOUR), { ok: false, reason: 'expired' });
  });

  test('one changed character, another key or a made-up token is refused', () => {
    const token = tokens.issue(claims, 1000);
    const [body, mac] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...payload, p: 'p-2' })).toString('base64url');
    assert.deepEqual(tokens.verify(`${promoted}.${mac}`, 2000), { ok: false, reason: 'bad-signature' }, 'another participant');
    const flipped = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    assert.deepEqual(tokens.verify(`${body}.${flipped}`, 2000), { ok: false, reason: 'bad-signature' });
    const other = new ResumeTokens(randomBytes(32), HOUR);
    assert.deepEqual(other.verify(token, 2000), { ok: false, reason: 'bad-signature' }, "another server's key");
    for (const junk of ['', 'x', 'a.b.c', `${body}.`, '.' + mac, 'x'.repeat(43)]) {
      assert.equal(tokens.verify(junk, 2000).ok, false, JSON.stringify(junk));
    }
  });

  test('a payload that is signed but not a token is refused as malformed (no type confusion with a leaked key)', () => {
    // What the class signs, reproduced: the label, then the body.
    const mac = (body: string) => createHmac('sha256', secret).update('parley-resume-v1.').update(body).digest('base64url');
    for (const value of [null, 42, [], { m: 'x' }, { ...JSON.parse('{"m":"a","p":"b","n":"c","h":"yes","r":[],"i":1,"x":9e15}') }]) {
      const body = Buffer.from(JSON.stringify(value)).toString('base64url');
      assert.deepEqual(tokens.verify(`${body}.${mac(body)}`, 2000), { ok: false, reason: 'malformed' }, JSON.stringify(value));
    }
  });

  test('keys shorter than 256 bits are refused', () => {
    assert.throws(() => new ResumeTokens(randomBytes(16), HOUR), /32 bytes/);
  });

  test('the storage makes one key and keeps it, for every process on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secret-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const [first, second] = [new SqliteMeetingStore(join(dir, 'a.db')), new SqliteMeetingStore(join(dir, 'a.db'))];
    const key = await first.resumeSecret();
    assert.equal(key.length, 32);
    assert.deepEqual(await second.resumeSecret(), key, 'another process on the same file');
    await first.close();
    const reopened = new SqliteMeetingStore(join(dir, 'a.db'));
    assert.deepEqual(await reopened.resumeSecret(), key, 'after a restart');
    assert.notDeepEqual(await new SqliteMeetingStore(':memory:').resumeSecret(), key, 'another storage, another key');
    await Promise.all([second.close(), reopened.close()]);
  });
});

/**
 * A process that crashed is, to the next one, a process that never handed anyone over: `crashed` stays up (it is
 * closed at the end) while `restarted` starts on the same SQLite file, knowing the meetings but nobody in them.
 */
describe('resuming on a server that lost its participants (after a crash)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
  const sockets: TestClient[] = [];
  const servers: RunningServer[] = [];
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  let databases = 0;
  /** Two servers on one new database: the crashed one, with a call in it, and the one started after. */
  async function crash(env: NodeJS.ProcessEnv = {}, crashedEnv: NodeJS.ProcessEnv = {}) {
    const databasePath = join(dir, `parley-${(databases += 1)}.db`);
    const crashed = await startTestServer({ DATABASE_PATH: databasePath, ...crashedEnv });
    servers.push(crashed);
    const meeting = await createMeeting(crashed);
    const [ada, bob] = [await client(crashed), await client(crashed)];
    const adaJoined = await joinMeeting(ada, meeting.code, 'Ada', meeting.hostKey);
    const bobJoined = await joinMeeting(bob, meeting.code, 'Bob');
    const restart = async () => {
      const restarted = await startTestServer({ DATABASE_PATH: databasePath, RESUME_WINDOW_MS: '5000', ...env });
      servers.push(restarted);
      return restarted;
    };
    return { crashed, meeting, ada, bob, adaJoined, bobJoined, restart, databasePath };
  }
  async function client(server: RunningServer): Promise<TestClient> {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  }
  async function resume(server: RunningServer, token: string, media = { audio: true, video: false }) {
    return (await client(server)).emitWithAck('resume-meeting', { resumeToken: token, ...media });
  }
  const code = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error!.code);

  test('everyone comes back as themselves, host still host, settings kept; each is announced to those back before', async () => {
    const { crashed, meeting, ada, adaJoined, bobJoined, restart } = await crash();
    assert.deepEqual(await ada.emitWithAck('update-meeting', { waitingRoom: true }), { ok: true, data: { locked: false, waitingRoom: true } });
    const restarted = await restart();

    const adaBack = await client(restarted);
    const adaResumed = await adaBack.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken, audio: false, video: true });
    assert.ok(adaResumed.ok, JSON.stringify(adaResumed));
    assert.deepEqual(
      { self: adaResumed.data.self, participants: adaResumed.data.participants, settings: adaResumed.data.settings, recovering: adaResumed.data.recovering },
      {
        self: { id: adaJoined.self.id, name: 'Ada', isHost: true, audioEnabled: false, videoEnabled: true, screenSharing: false },
        participants: [],
        settings: { locked: false, waitingRoom: true },
        recovering: true,
      },
      'Ada is back as herself, with the media state her client says; Bob is not back yet',
    );
    assert.notEqual(adaResumed.data.resumeToken, adaJoined.resumeToken, 'a new token comes with the answer');

    // A newcomer after the restart waits, as the stored settings say, and Ada (host) lets them in.
    const nina = await client(restarted);
    const knocked = await nina.emitWithAck('join-meeting', { code: meeting.code, name: 'Nina', audio: true, video: true });
    assert.ok(knocked.ok && 'waiting' in knocked.data && knocked.data.waiting === true, 'the waiting room is still on');
    const admitted = nextEvent(nina, 'admitted');
    assert.deepEqual(await adaBack.emitWithAck('admit-participant', { participantId: knocked.data.participantId }), { ok: true });
    const ninaJoined = await admitted;
    assert.deepEqual(ninaJoined.participants.map((p) => p.id), [adaJoined.self.id]);

    // Bob comes back: Ada (who had him all along) and Nina (who never heard of him) are told; Nina waits for his offer.
    const adaHeard = recordEvents(adaBack);
    const ninaHears = nextEvent(nina, 'participant-present');
    const bobResumed = await resume(restarted, bobJoined.resumeToken);
    assert.ok(bobResumed.ok);
    assert.equal(bobResumed.data.self.id, bobJoined.self.id);
    assert.equal(bobResumed.data.self.isHost, false);
    assert.deepEqual(bobResumed.data.participants.map((p) => p.id).sort(), [adaJoined.self.id, ninaJoined.self.id].sort());
    assert.equal((await ninaHears).id, bobJoined.self.id, 'Nina hears of Bob, who offers to her');
    await settle(adaBack);
    const announced = adaHeard.filter(({ name }) => name === 'participant-joined' || name === 'participant-present');
    assert.deepEqual(announced.map(({ payload }) => (payload as { id: string }).id), [bobJoined.self.id], 'Ada is told Bob is back');
    await crashed.close();
  });

  test('forged, foreign and expired tokens are refused; so is a participant removed before the crash', async () => {
    const { crashed, ada, bobJoined, adaJoined, restart, databasePath, meeting } = await crash();
    const [body, mac] = bobJoined.resumeToken.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const asHost = `${Buffer.from(JSON.stringify({ ...payload, h: true })).toString('base64url')}.${mac}`;

    // Ada removes Carl before the crash: stored with the meeting, so the restarted server keeps him out.
    const carl = await joinMeeting(await client(crashed), meeting.code, 'Carl');
    assert.deepEqual(await ada.emitWithAck('remove-participant', { participantId: carl.self.id }), { ok: true });
    await delay(100);
    const restarted = await restart();

    assert.equal(code(await resume(restarted, asHost)), 'resume-rejected', 'Bob cannot make himself host');
    const store = new SqliteMeetingStore(databasePath);
    const key = await store.resumeSecret();
    await store.close();
    const stale = new ResumeTokens(key, HOUR).issue({ ...claims, meeting: meeting.code, participant: 'stale' }, Date.now() - 2 * HOUR);
    assert.equal(code(await resume(restarted, stale)), 'resume-rejected', 'expired');
    const foreign = new ResumeTokens(randomBytes(32), HOUR).issue({ ...claims, meeting: meeting.code, participant: 'nobody' });
    assert.equal(code(await resume(restarted, foreign)), 'resume-rejected', 'signed with another key');
    assert.equal(code(await resume(restarted, carl.resumeToken)), 'removed', 'removed before the crash');
    assert.equal(await tryJoin(await client(restarted), meeting.code), true, 'the meeting itself is open');
    assert.equal(code(await resume(restarted, bobJoined.resumeToken)), 'ok');
    assert.equal(code(await resume(restarted, adaJoined.resumeToken)), 'ok');
    await crashed.close();
  });

  test('a meeting ended or expired meanwhile is refused with its own code', async () => {
    const ended = await crash();
    await ended.crashed.meetings.end(ended.meeting.code);
    const expired = await crash();
    const restartedForEnded = await ended.restart();
    assert.equal(code(await resume(restartedForEnded, ended.adaJoined.resumeToken)), 'meeting-ended');
    const restarted = await expired.restart();
    const store = new SqliteMeetingStore(expired.databasePath);
    await store.update(expired.meeting.code, { expiresAt: new Date(Date.now() - 1000) });
    await store.close();
    assert.equal(code(await resume(restarted, expired.adaJoined.resumeToken)), 'meeting-expired');
    await Promise.all([ended.crashed.close(), expired.crashed.close()]);
  });

  test("making someone host gives both a new token with their new role; the old host's old token no longer makes her host", async () => {
    const { crashed, ada, bob, bobJoined, adaJoined, restart } = await crash();
    const [adaToken, bobToken] = [nextEvent(ada, 'resume-token'), nextEvent(bob, 'resume-token')];
    assert.deepEqual(await ada.emitWithAck('transfer-host', { participantId: bobJoined.self.id }), { ok: true });
    const [adaNew, bobNew] = [(await adaToken).resumeToken, (await bobToken).resumeToken];
    const restarted = await restart();
    const bobResumed = (await resume(restarted, bobNew)) as { ok: true; data: JoinedMeeting };
    assert.equal(bobResumed.data.self.isHost, true, 'Bob is host after the crash');
    // Ada kept her first token, which says host: issued before the hand-over, it makes her a guest.
    const adaResumed = (await resume(restarted, adaJoined.resumeToken)) as { ok: true; data: JoinedMeeting };
    assert.equal(adaResumed.data.self.isHost, false, 'Ada is not host');
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { h: boolean };
    assert.deepEqual([claimsOf(adaNew).h, claimsOf(bobNew).h], [false, true], 'the new tokens say who is host now');
    await crashed.close();
  });

  test('after the recovery window, and for someone who left meanwhile, tokens from before the start are dead', async () => {
    const { crashed, adaJoined, bobJoined, restart } = await crash({ RESUME_WINDOW_MS: '1000' });
    const restarted = await restart();
    const adaBack = await client(restarted);
    assert.equal(code(await adaBack.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken })), 'ok');
    assert.deepEqual(await adaBack.emitWithAck('leave-meeting'), { ok: true });
    assert.equal(code(await resume(restarted, adaJoined.resumeToken)), 'resume-rejected', 'Ada left: her old token is dead');
    await delay(1200);
    assert.equal(code(await resume(restarted, bobJoined.resumeToken)), 'resume-rejected', 'Bob is too late');
    await crashed.close();
  });

  test('whoever left before the crash stays out: on purpose, or dropped after their resume window', async () => {
    const { crashed, meeting, bob, adaJoined, bobJoined, restart } = await crash({}, { RESUME_WINDOW_MS: '300' });
    assert.deepEqual(await bob.emitWithAck('leave-meeting'), { ok: true });
    const carl = await client(crashed);
    const carlJoined = await joinMeeting(carl, meeting.code, 'Carl');
    carl.io.engine.close();
    // Carl's window closes and he is dropped; the departures are stored with the meeting.
    await delay(1000);
    const restarted = await restart();
    assert.equal(code(await resume(restarted, bobJoined.resumeToken)), 'resume-rejected', 'Bob left on purpose');
    assert.equal(code(await resume(restarted, carlJoined.resumeToken)), 'resume-rejected', 'Carl was dropped');
    assert.equal(code(await resume(restarted, adaJoined.resumeToken)), 'ok', 'Ada was still in the call');
    await crashed.close();
  });

  test('taking people back respects MAX_PARTICIPANTS', async () => {
    const { crashed, meeting, adaJoined, bobJoined, restart } = await crash({ MAX_PARTICIPANTS: '2' });
    const restarted = await restart();
    assert.equal(code(await resume(restarted, adaJoined.resumeToken)), 'ok');
    assert.equal(await tryJoin(await client(restarted), meeting.code, 'Nina'), true);
    assert.equal(code(await resume(restarted, bobJoined.resumeToken)), 'meeting-full', 'two are in already');
    await crashed.close();
  });

  test('after a graceful restart nobody is taken back by token alone: only those handed over resume', async () => {
    const { crashed, meeting, bobJoined, adaJoined, restart, databasePath } = await crash();
    // Bob resumes once more before the restart: his first token is superseded, and the hand-over says so.
    await delay(2500);
    const bobAgain = await resume(crashed, bobJoined.resumeToken);
    assert.ok(bobAgain.ok);
    await crashed.close();
    const restarted = await restart();
    assert.equal(code(await resume(restarted, bobJoined.resumeToken)), 'resume-rejected', "Bob's superseded token");
    assert.equal(code(await resume(restarted, bobAgain.data.resumeToken)), 'ok', "Bob's latest token");
    const adaResumed = await resume(restarted, adaJoined.resumeToken);
    assert.ok(adaResumed.ok, JSON.stringify(adaResumed));
    assert.equal(adaResumed.data.recovering, undefined, 'handed over, not recovered');
    // A token with a valid signature from before the start, for someone the old process did not hand over.
    const store = new SqliteMeetingStore(databasePath);
    const key = await store.resumeSecret();
    await store.close();
    const ghost = new ResumeTokens(key, HOUR).issue({ ...claims, meeting: meeting.code, participant: 'ghost' }, Date.now() - 60_000);
    assert.equal(code(await resume(restarted, ghost)), 'resume-rejected');
  });
});
