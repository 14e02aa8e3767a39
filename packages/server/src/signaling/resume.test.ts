import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import { createMeeting, join, nextEvent, recordEvents, settle, useTestServer, type TestClient } from '../../test/support/helpers.js';

const RESUME_WINDOW_MS = 1500;

/** Kills the connection under a socket without a goodbye, as a network drop does. */
function dropConnection(socket: TestClient): void {
  socket.io.engine.close();
}

describe('resuming after a dropped connection', () => {
  const suite = useTestServer({ RESUME_WINDOW_MS: String(RESUME_WINDOW_MS) });
  const client = () => suite.client();

  test('a resume token takes the same participant back, with what was relayed to it meanwhile', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaJoined = await join(ada, meeting.code, 'Ada');
    assert.equal(typeof adaJoined.resumeToken, 'string');
    assert.equal(adaJoined.resumeWindowMs, RESUME_WINDOW_MS);
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const bobReceived = recordEvents(bob);

    dropConnection(ada);
    await delay(100);
    // Ada is away, not gone: Bob can still address her, and the message waits for her.
    assert.deepEqual(await bob.emitWithAck('offer', { to: adaJoined.self.id, sdp: 'v=0 while away' }), { ok: true });
    assert.deepEqual(await bob.emitWithAck('media-state', { audio: false, video: true }), { ok: true });

    const adaAgain = await client();
    const heldOffer = nextEvent(adaAgain, 'offer');
    const resumed = await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    assert.equal(resumed.data.self.id, adaJoined.self.id, 'same identity');
    assert.deepEqual(
      resumed.data.participants.map((p) => [p.id, p.audioEnabled]),
      [[bobId, false]],
      'the room as it is now, media state included',
    );
    assert.deepEqual(await heldOffer, { from: bobId, sdp: 'v=0 while away' });

    // Relays flow both ways again, and Bob never heard that Ada left.
    const answer = nextEvent(bob, 'answer');
    await adaAgain.emitWithAck('answer', { to: bobId, sdp: 'v=0 answer' });
    assert.deepEqual(await answer, { from: adaJoined.self.id, sdp: 'v=0 answer' });
    await delay(RESUME_WINDOW_MS + 200);
    await settle(bob);
    assert.ok(!bobReceived.some((event) => event.name === 'participant-left'), JSON.stringify(bobReceived));
  });

  test('nobody comes back within the window: the participant is announced as disconnected', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const ada1 = await join(ada, meeting.code, 'Ada');
    await join(bob, meeting.code, 'Bob');
    const started = Date.now();
    const left = nextEvent(bob, 'participant-left', RESUME_WINDOW_MS + 2000);
    dropConnection(ada);
    assert.deepEqual(await left, { participantId: ada1.self.id, reason: 'disconnected' });
    assert.ok(Date.now() - started >= RESUME_WINDOW_MS - 50, 'not before the window closed');

    const late = await (await client()).emitWithAck('resume-meeting', { resumeToken: ada1.resumeToken });
    assert.equal(late.ok || late.error.code, 'resume-rejected');
  });

  test('unknown tokens are rejected, and a socket in a meeting cannot resume another (itself: answered again)', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await client();
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const stranger = await client();
    const bogus = await stranger.emitWithAck('resume-meeting', { resumeToken: 'x'.repeat(43) });
    assert.equal(bogus.ok || bogus.error.code, 'resume-rejected');
    const invalid = await stranger.emitWithAck('resume-meeting', { resumeToken: '' });
    assert.equal(invalid.ok || invalid.error.code, 'invalid-payload');
    const bobJoined = await join(await client(), meeting.code, 'Bob');
    const other = await ada.emitWithAck('resume-meeting', { resumeToken: bobJoined.resumeToken });
    assert.equal(other.ok || other.error.code, 'already-in-meeting');
    // Its own token: the client asks again, its first answer late. The same participant, answered again.
    const again = await ada.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.equal(again.ok && again.data.self.id, adaJoined.self.id);
  });

  test('resuming from a new connection retires one that still looks open', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const bobReceived = recordEvents(bob);

    const retired = once(ada as never, 'disconnect');
    const adaAgain = await client();
    const resumed = await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.ok(resumed.ok);
    assert.equal((await retired)[0], 'io server disconnect');

    const offer = nextEvent(adaAgain, 'offer');
    await bob.emitWithAck('offer', { to: adaJoined.self.id, sdp: 'v=0' });
    assert.deepEqual(await offer, { from: bobId, sdp: 'v=0' });
    await settle(bob);
    assert.ok(!bobReceived.some((event) => event.name === 'participant-left'));
  });

  test('a token older than the latest one issued cannot take over the participant', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await client();
    const first = await join(ada, meeting.code, 'Ada');
    // Past the few seconds of slack a renewal in flight gets.
    await delay(2500);
    const adaAgain = await client();
    const resumed = await adaAgain.emitWithAck('resume-meeting', { resumeToken: first.resumeToken });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    await delay(2500);
    const adaHeard = recordEvents(adaAgain);
    const stale = await (await client()).emitWithAck('resume-meeting', { resumeToken: first.resumeToken });
    assert.equal(stale.ok || stale.error.code, 'resume-rejected', 'the first token was superseded by the resume answer');
    await settle(adaAgain);
    assert.equal(adaAgain.connected, true, "Ada's connection is not taken over");
    assert.deepEqual(adaHeard, []);
    const latest = await (await client()).emitWithAck('resume-meeting', { resumeToken: resumed.data.resumeToken });
    assert.ok(latest.ok, 'the latest token still works');
  });

  test("Socket.IO's connection state recovery brings the socket back with nothing lost", async (t) => {
    const meeting = await createMeeting(suite.server);
    const ada: TestClient = connectClient(suite.server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 100,
    });
    t.after(() => ada.disconnect());
    await once(ada as never, 'connect');
    const bob = await client();
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    await settle(ada);

    const reconnected = once(ada as never, 'connect');
    dropConnection(ada);
    await delay(20);
    await bob.emitWithAck('offer', { to: adaId, sdp: 'v=0 while away' });
    await bob.emitWithAck('media-state', { audio: false, video: false });
    const received = recordEvents(ada);
    await reconnected;
    assert.equal(ada.recovered, true);
    await settle(ada);
    assert.deepEqual(
      received.map((event) => event.name).sort(),
      ['media-state', 'offer'],
      'the broadcast and the relay both arrive after recovery',
    );
    assert.deepEqual(received.find((event) => event.name === 'offer')?.payload, { from: bobId, sdp: 'v=0 while away' });
    assert.deepEqual(await ada.emitWithAck('media-state', { audio: true, video: true }), { ok: true });
  });
});

describe('resume abuse', () => {
  const suite = useTestServer({ RESUME_WINDOW_MS: String(RESUME_WINDOW_MS) });
  const client = () => suite.client();

  test('one socket cannot join one meeting and resume into another at the same time', async () => {
    const [first, second] = [await createMeeting(suite.server), await createMeeting(suite.server)];
    const ghost = await client();
    const ghostJoined = await join(ghost, second.code, 'Ghost');
    dropConnection(ghost);
    const intruder = await client();
    const [joined, resumed] = await Promise.all([
      intruder.emitWithAck('join-meeting', { code: first.code, name: 'Intruder', audio: true, video: true }),
      intruder.emitWithAck('resume-meeting', { resumeToken: ghostJoined.resumeToken }),
    ]);
    assert.equal([joined.ok, resumed.ok].filter(Boolean).length, 1, JSON.stringify([joined, resumed]));
  });

  test("held offers replace the same sender's earlier ones, and a flooding sender is refused, not the target", async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const adaId = adaJoined.self.id;
    dropConnection(ada);
    await delay(100);
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    await bob.emitWithAck('offer', { to: adaId, sdp: 'v=0 first' });
    await bob.emitWithAck('ice-candidate', { to: adaId, candidate });
    await bob.emitWithAck('offer', { to: adaId, sdp: 'v=0 second' });
    let refused: unknown;
    for (let i = 0; i < 300 && !refused; i++) {
      const result = await bob.emitWithAck('ice-candidate', { to: adaId, candidate });
      if (!result.ok) refused = result.error.code;
    }
    assert.equal(refused, 'rate-limited');

    const adaAgain = await client();
    const received = recordEvents(adaAgain);
    const resumed = await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.ok(resumed.ok, 'the flood did not cost Ada her place');
    await settle(adaAgain);
    const offers = received.filter((event) => event.name === 'offer').map((event) => (event.payload as { sdp: string }).sdp);
    assert.deepEqual(offers, ['v=0 second']);
    assert.equal(received[0]?.name, 'offer', 'the superseded offer took its candidates with it');
    assert.ok(received.every((event) => (event.payload as { from?: string }).from === bobId));
  });

  test('ICE restart requests to an away participant wait for it, one for any number sent', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaJoined = await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    dropConnection(ada);
    await delay(100);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await bob.emitWithAck('ice-restart-request', { to: adaJoined.self.id }), { ok: true });
    }
    const adaAgain = await client();
    const received = recordEvents(adaAgain);
    assert.ok((await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken })).ok);
    await settle(adaAgain);
    assert.deepEqual(
      received.filter((event) => event.name === 'ice-restart-request'),
      [{ name: 'ice-restart-request', payload: { from: bobId } }],
    );
  });
});
