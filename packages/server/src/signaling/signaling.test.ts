import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMeeting, join, nextEvent, recordEvents, settle, useTestServer } from '../../test/support/helpers.js';
import { LIMITS } from '@parley/protocol';

describe('signaling', () => {
  const suite = useTestServer({ RESUME_WINDOW_MS: '200' });
  const client = () => suite.client();

  test('the first participant finds an empty meeting; the host key makes a host', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await client();
    const joined = await join(ada, meeting.code, 'Ada', meeting.hostKey);
    assert.equal(joined.meeting.code, meeting.code);
    assert.deepEqual(joined.participants, []);
    assert.equal(joined.self.name, 'Ada');
    assert.equal(joined.self.isHost, true);
    assert.deepEqual(joined.iceServers, []);
  });

  test('a newcomer sees who is there, and everyone there hears of the newcomer', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await client();
    const adaJoined = await join(ada, meeting.code, 'Ada', meeting.hostKey);
    const announced = nextEvent(ada, 'participant-joined');
    const bob = await client();
    const bobJoined = await join(bob, meeting.code.toUpperCase(), '  Bob  ', 'not-the-host-key');
    assert.equal(bobJoined.self.isHost, false, 'a wrong host key joins as a guest');
    assert.equal(bobJoined.self.name, 'Bob', 'names are trimmed');
    assert.deepEqual(bobJoined.participants, [adaJoined.self]);
    assert.deepEqual(await announced, bobJoined.self);
  });

  test('offers, answers and candidates reach only the addressee, stamped with the real sender', async () => {
    const meeting = await createMeeting(suite.server);
    const other = await createMeeting(suite.server);
    const [ada, bob, eve] = [await client(), await client(), await client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const eveId = (await join(eve, other.code, 'Eve')).self.id;
    const eveReceived = recordEvents(eve);

    const offer = nextEvent(bob, 'offer');
    // A `from` in the payload is ignored: the suite.server says who sent it.
    const sent = await ada.emitWithAck('offer', { to: bobId, sdp: 'v=0 offer', from: eveId } as never);
    assert.deepEqual(sent, { ok: true });
    assert.deepEqual(await offer, { from: adaId, sdp: 'v=0 offer' });

    const answer = nextEvent(ada, 'answer');
    await bob.emitWithAck('answer', { to: adaId, sdp: 'v=0 answer' });
    assert.deepEqual(await answer, { from: bobId, sdp: 'v=0 answer' });

    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const relayed = nextEvent(bob, 'ice-candidate');
    await ada.emitWithAck('ice-candidate', { to: bobId, candidate });
    assert.deepEqual(await relayed, { from: adaId, candidate });

    const restartRequest = nextEvent(ada, 'ice-restart-request');
    assert.deepEqual(await bob.emitWithAck('ice-restart-request', { to: adaId }), { ok: true });
    assert.deepEqual(await restartRequest, { from: bobId });

    // Across meetings, in either direction, nothing gets through and the sender is told why.
    const intoOtherMeeting = await ada.emitWithAck('offer', { to: eveId, sdp: 'v=0 offer' });
    assert.equal(intoOtherMeeting.ok || intoOtherMeeting.error.code, 'participant-not-found');
    const outOfOtherMeeting = await eve.emitWithAck('ice-candidate', { to: adaId, candidate });
    assert.equal(outOfOtherMeeting.ok || outOfOtherMeeting.error.code, 'participant-not-found');
    const restartOutOfOtherMeeting = await eve.emitWithAck('ice-restart-request', { to: adaId });
    assert.equal(restartOutOfOtherMeeting.ok || restartOutOfOtherMeeting.error.code, 'participant-not-found');
    const toSelf = await ada.emitWithAck('offer', { to: adaId, sdp: 'v=0 offer' });
    assert.equal(toSelf.ok || toSelf.error.code, 'participant-not-found');
    await settle(eve);
    assert.deepEqual(eveReceived, []);
  });

  test('an ICE candidate sent without an ack is relayed; a refused one is counted, and nothing is sent back', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const acks: string[] = [];
    // Socket.IO ack packets are engine.io messages whose text starts with packet type 3.
    ada.io.engine.on('packet', ({ type, data }) => {
      if (type === 'message' && String(data).startsWith('3')) acks.push(String(data));
    });
    const refused = async () => {
      const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
      return Number(/^parley_refusals_total\{event="ice-candidate",code="participant-not-found"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
    };
    const refusedBefore = await refused();

    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const relayed = nextEvent(bob, 'ice-candidate');
    ada.emit('ice-candidate', { to: bobId, candidate });
    assert.deepEqual(await relayed, { from: adaId, candidate });
    ada.emit('ice-candidate', { to: 'nobody-here', candidate });
    await settle(ada);
    assert.equal(acks.length, 1, 'the only ack is the one settle() asked for');
    assert.equal(await refused(), refusedBefore + 1, 'the refusal is counted');
  });

  test('a socket that has not joined can do nothing but join', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await client();
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const adaReceived = recordEvents(ada);
    const stranger = await client();
    for (const result of [
      await stranger.emitWithAck('offer', { to: adaId, sdp: 'v=0' }),
      await stranger.emitWithAck('ice-candidate', { to: adaId, candidate: { candidate: '' } }),
      await stranger.emitWithAck('media-state', { audio: false, video: false }),
      await stranger.emitWithAck('app-message', { data: 'hello' }),
      await stranger.emitWithAck('leave-meeting'),
    ]) {
      assert.equal(result.ok || result.error.code, 'not-in-meeting');
    }
    await settle(ada);
    assert.deepEqual(adaReceived, []);
  });

  test('media state is broadcast to the others and shown to later newcomers', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await client(), await client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await join(bob, meeting.code, 'Bob');
    const adaReceived = recordEvents(ada);
    const changed = nextEvent(bob, 'media-state');
    assert.deepEqual(await ada.emitWithAck('media-state', { audio: false, video: true }), { ok: true });
    assert.deepEqual(await changed, { participantId: adaId, audio: false, video: true, screen: false });
    const sharing = nextEvent(bob, 'media-state');
    await ada.emitWithAck('media-state', { audio: false, video: true, screen: true });
    assert.deepEqual(await sharing, { participantId: adaId, audio: false, video: true, screen: true });

    const carol = await client();
    const seen = (await join(carol, meeting.code, 'Carol')).participants.find((p) => p.id === adaId);
    assert.equal(seen?.audioEnabled, false);
    assert.equal(seen?.videoEnabled, true);
    assert.equal(seen?.screenSharing, true);
    await settle(ada);
    assert.ok(!adaReceived.some((event) => event.name === 'media-state'), 'the sender gets no echo of its own state');
  });

  test('an app message is relayed to everyone else in the meeting, and only there; a malformed one is refused', async () => {
    const [meeting, elsewhere] = [await createMeeting(suite.server), await createMeeting(suite.server)];
    const [ada, bob, cy, dee] = [await client(), await client(), await client(), await client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await join(bob, meeting.code, 'Bob');
    await join(cy, meeting.code, 'Cy');
    await join(dee, elsewhere.code, 'Dee');
    const [adaReceived, deeReceived] = [recordEvents(ada), recordEvents(dee)];
    const [toBob, toCy] = [nextEvent(bob, 'app-message'), nextEvent(cy, 'app-message')];
    assert.deepEqual(await ada.emitWithAck('app-message', { data: '{"type":"chat","text":"hi"}' }), { ok: true });
    assert.deepEqual(await toBob, { from: adaId, data: '{"type":"chat","text":"hi"}' });
    assert.deepEqual(await toCy, { from: adaId, data: '{"type":"chat","text":"hi"}' });
    for (const bad of [{ data: '' }, { data: 'x'.repeat(LIMITS.appMessageLength + 1) }, { data: 42 }, {}]) {
      const result = await ada.emitWithAck('app-message', bad as never);
      assert.equal(result.ok || result.error.code, 'invalid-payload', JSON.stringify(bad).slice(0, 40));
    }
    await settle(ada);
    await settle(dee);
    assert.ok(!adaReceived.some((event) => event.name === 'app-message'), 'the sender gets no echo');
    assert.deepEqual(deeReceived, [], 'another meeting hears nothing');
  });

  test('leaving and disconnecting are announced with their reason', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob, carol] = [await client(), await client(), await client()];
    await join(ada, meeting.code, 'Ada');
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const carolId = (await join(carol, meeting.code, 'Carol')).self.id;

    const bobLeft = nextEvent(ada, 'participant-left');
    assert.deepEqual(await bob.emitWithAck('leave-meeting'), { ok: true });
    assert.deepEqual(await bobLeft, { participantId: bobId, reason: 'left' });

    const carolLeft = nextEvent(ada, 'participant-left');
    carol.disconnect();
    assert.deepEqual(await carolLeft, { participantId: carolId, reason: 'disconnected' });

    const dave = await client();
    const joined = await join(dave, meeting.code, 'Dave');
    assert.deepEqual(
      joined.participants.map((p) => p.name),
      ['Ada'],
      'those who left are gone from the meeting',
    );
    // A socket that left may join again, as a new participant.
    const bobAgain = await join(bob, meeting.code, 'Bob');
    assert.notEqual(bobAgain.self.id, bobId);
  });

  test('unknown, malformed and wrong codes all get the same refusal', async () => {
    const socket = await client();
    const meeting = await createMeeting(suite.server);
    const wrong = meeting.code.slice(0, -1) + (meeting.code.endsWith('a') ? 'b' : 'a');
    for (const code of ['zzzz-zzzz-zzzz', 'not a code', '', wrong]) {
      const result = await socket.emitWithAck('join-meeting', { code, name: 'Mallory', audio: true, video: true });
      assert.deepEqual(result.ok || result.error.code, 'meeting-not-found', `code ${JSON.stringify(code)}`);
    }
  });

  test('joining twice on one socket is refused', async () => {
    const meeting = await createMeeting(suite.server);
    const socket = await client();
    await join(socket, meeting.code, 'Ada');
    const again = await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'Ada', audio: true, video: true });
    assert.equal(again.ok || again.error.code, 'already-in-meeting');
  });

  test('bad payloads get an invalid-payload ack and the server keeps serving', async () => {
    const meeting = await createMeeting(suite.server);
    const socket = await client();
    const badJoins: unknown[] = [
      undefined,
      null,
      42,
      'join',
      [],
      { code: meeting.code },
      { code: meeting.code, name: '', audio: true, video: true },
      { code: meeting.code, name: '   ', audio: true, video: true },
      { code: meeting.code, name: 'x'.repeat(65), audio: true, video: true },
      { code: meeting.code, name: 'Ada', audio: 'yes', video: true },
      { code: 7, name: 'Ada', audio: true, video: true },
      { code: meeting.code, name: 'Ada', hostKey: 'k'.repeat(1000), audio: true, video: true },
    ];
    for (const payload of badJoins) {
      const result = await socket.emitWithAck('join-meeting', payload as never);
      assert.equal(result.ok || result.error.code, 'invalid-payload', `payload ${JSON.stringify(payload)}`);
      assert.equal(typeof (result.ok || result.error.message), 'string');
    }

    await join(socket, meeting.code, 'Ada');
    const badRelays: [string, unknown][] = [
      ['offer', { to: 'someone' }],
      ['offer', { to: 'someone', sdp: 'x'.repeat(16 * 1024 + 1) }],
      ['answer', { to: '', sdp: 'v=0' }],
      ['ice-candidate', { to: 'someone', candidate: 'not an object' }],
      ['ice-candidate', { to: 'someone', candidate: { candidate: 'c', sdpMLineIndex: -1 } }],
      ['media-state', { audio: 1, video: 0 }],
    ];
    for (const [event, payload] of badRelays) {
      const result = await socket.emitWithAck(event as 'offer', payload as never);
      assert.equal(result.ok || result.error.code, 'invalid-payload', `${event} ${JSON.stringify(payload)}`);
    }

    // No ack, unknown events, a message past the buffer limit: dropped without a word, nothing breaks.
    const untyped = socket as unknown as { emit(event: string, ...args: unknown[]): void };
    untyped.emit('offer', { to: 'someone', sdp: 'v=0' });
    untyped.emit('no-such-event', { a: 1 });
    // Unknown events get no answer, even those named like what every object has.
    for (const unknown of ['no-such-event', 'constructor', '__proto__', 'toString']) {
      const answered = (socket.timeout(500) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> }).emitWithAck(unknown, {});
      await assert.rejects(answered, /timed out/, unknown);
    }
    const healthy = await fetch(`${suite.server.url}/healthz`);
    assert.equal(healthy.status, 200);
    const stillServing = await socket.emitWithAck('media-state', { audio: true, video: false });
    assert.deepEqual(stillServing, { ok: true });
  });

  test('an oversized message closes only the offending connection, and its place lapses', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, mallory] = [await client(), await client()];
    await join(ada, meeting.code, 'Ada');
    const malloryId = (await join(mallory, meeting.code, 'Mallory')).self.id;
    const left = nextEvent(ada, 'participant-left');
    mallory.emit('offer', { to: 'x', sdp: 'x'.repeat(200 * 1024) }, () => undefined);
    assert.deepEqual(await left, { participantId: malloryId, reason: 'disconnected' });
    assert.deepEqual(await ada.emitWithAck('media-state', { audio: true, video: true }), { ok: true });
  });
});

describe('capacity', () => {
  const suite = useTestServer({ MAX_PARTICIPANTS: '2', RESUME_WINDOW_MS: '200' });

  test('a full meeting refuses newcomers with meeting-full, and takes them again once someone leaves', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob, carol, dan] = [await suite.client(), await suite.client(), await suite.client(), await suite.client()];
    await join(ada, meeting.code, 'Ada');
    await join(bob, meeting.code, 'Bob');
    const full = await carol.emitWithAck('join-meeting', { code: meeting.code, name: 'Carol', audio: true, video: true });
    assert.equal(full.ok || full.error.code, 'meeting-full');
    await bob.emitWithAck('leave-meeting');
    await join(dan, meeting.code, 'Dan');
  });
});
