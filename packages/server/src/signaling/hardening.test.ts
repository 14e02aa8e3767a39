import assert from 'node:assert/strict';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import { LIMITS } from '@parley/protocol';
import { connect, createMeeting, join, nextEvent, recordEvents, settle, tryJoin, useTestServer, withTestServer, type TestClient } from '../../test/support/helpers.js';

describe('brute-forcing meeting codes', () => {
  const suite = useTestServer({ JOIN_FAILURE_LIMIT: '10/600' });

  test('the 11th failed join from one address is refused with a retry-after, even with the right code', async () => {
    const meeting = await createMeeting(suite.server);
    const mallory = await suite.client();
    for (let attempt = 1; attempt <= 10; attempt++) {
      assert.equal(await tryJoin(mallory, `zzzz-zzzz-${String(attempt).padStart(4, '0')}`), 'meeting-not-found');
    }
    const eleventh = await mallory.emitWithAck('join-meeting', { code: 'zzzz-zzzz-zzzz', name: 'M', audio: true, video: true });
    assert.equal(eleventh.ok, false);
    assert.ok(!eleventh.ok);
    assert.equal(eleventh.error.code, 'rate-limited');
    assert.ok(eleventh.error.retryAfter! > 590 && eleventh.error.retryAfter! <= 600, `retryAfter ${eleventh.error.retryAfter}`);
    assert.equal(await tryJoin(mallory, meeting.code), 'rate-limited', 'a blocked address learns nothing from a hit');
    // Another socket from the same address is just as blocked.
    assert.equal(await tryJoin(await suite.client(), meeting.code), 'rate-limited');
    const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
    assert.match(metrics, /^parley_refusals_total\{event="join-meeting",code="rate-limited"\} 3$/m);
  });
});

describe('no existence oracle', () => {
  const suite = useTestServer({ JOIN_FAILURE_LIMIT: '100000/600', SOCKET_EVENT_LIMIT: '100000/60', EMPTY_MEETING_GRACE_MS: '0' });

  test('unknown, malformed, wrong, ended and expired codes get one answer in similar time', async () => {
    const ended = await createMeeting(suite.server);
    await suite.server.meetings.end(ended.code);
    const emptied = await createMeeting(suite.server);
    const ada = await suite.client();
    await join(ada, emptied.code, 'Ada');
    await ada.emitWithAck('leave-meeting'); // empty, with no grace: its code is dead now
    const live = await createMeeting(suite.server);
    const wrong = live.code.slice(0, -1) + (live.code.endsWith('a') ? 'b' : 'a');
    const kinds: Record<string, string> = {
      unknown: 'zzzz-zzzz-zzzz',
      malformed: 'not a code',
      wrong,
      ended: ended.code,
      expired: emptied.code,
    };
    const socket = await suite.client();
    const answers = new Map<string, unknown>();
    const times = new Map<string, number[]>(Object.keys(kinds).map((kind) => [kind, []]));
    // Rounds in a shuffled order, so that load on the machine falls on every kind alike.
    for (let round = 0; round < 100; round++) {
      const order = Object.entries(kinds).sort(() => Math.random() - 0.5);
      for (const [kind, code] of order) {
        const started = performance.now();
        const result = await socket.emitWithAck('join-meeting', { code, name: 'Mallory', audio: true, video: true });
        times.get(kind)!.push(performance.now() - started);
        answers.set(kind, result);
      }
    }
    const refusal = { ok: false, error: { code: 'meeting-not-found', message: 'No meeting with that code is open' } };
    for (const [kind, answer] of answers) assert.deepEqual(answer, refusal, `${kind}: the very same answer`);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const medians = Object.fromEntries([...times].map(([kind, values]) => [kind, median(values)]));
    const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
    const overall = median([...times.values()].flat());
    // Loopback round trips take a fraction of a millisecond on a quiet machine: a lookup that told codes apart
    // (a database hit against a miss, an early return) would show up as a steady gap between the kinds.
    assert.ok(spread < Math.max(1, overall / 2), `median times differ by ${spread.toFixed(3)} ms: ${JSON.stringify(medians)}`);
  });
});

describe('ended meetings', () => {
  const suite = useTestServer();

  test('nobody can join or resume into a meeting the host ended', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await suite.client();
    const adaJoined = await join(ada, meeting.code, 'Ada', meeting.hostKey);
    assert.equal(await suite.server.meetings.end(meeting.code), true);
    assert.equal(await tryJoin(await suite.client(), meeting.code), 'meeting-not-found');
    ada.io.engine.close();
    const again = await suite.client();
    const resumed = await again.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken });
    assert.equal(resumed.ok || resumed.error.code, 'meeting-ended', 'told why, since the token proves Ada was in it');
  });
});

describe('floods', () => {
  const suite = useTestServer({ SOCKET_EVENT_LIMIT: '50/60', RESUME_WINDOW_MS: '5000' });

  test('a socket past its event budget is disconnected; its participant leaves, the others stay', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, mallory] = [await suite.client(), await suite.client()];
    await join(ada, meeting.code, 'Ada');
    const malloryId = (await join(mallory, meeting.code, 'Mallory')).self.id;
    const left = nextEvent(ada, 'participant-left');
    const disconnected = once(mallory as never, 'disconnect');
    for (let i = 0; i < 60; i++) mallory.emit('media-state', { audio: i % 2 === 0, video: true }, () => undefined);
    assert.equal((await disconnected)[0], 'io server disconnect');
    assert.deepEqual(await left, { participantId: malloryId, reason: 'disconnected' }, 'at once, not after the resume window');
    assert.deepEqual(await ada.emitWithAck('media-state', { audio: true, video: true }), { ok: true });
    const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
    assert.match(metrics, /^parley_flood_disconnects_total 1$/m);
  });
});

describe('event budget windows', () => {
  const suite = useTestServer({ SOCKET_EVENT_LIMIT: '5/1' });

  test('the budget is per window: a socket within it each second stays; unknown events count too', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await suite.client();
    await join(ada, meeting.code, 'Ada');
    for (let i = 0; i < 4; i++) assert.deepEqual(await ada.emitWithAck('media-state', { audio: true, video: true }), { ok: true });
    // A new window: five more would have been past the budget had the count not started over.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    for (let i = 0; i < 5; i++) assert.deepEqual(await ada.emitWithAck('media-state', { audio: true, video: true }), { ok: true });

    const mallory = await suite.client();
    const disconnected = once(mallory as never, 'disconnect');
    // Twenty in one burst: even split over two windows, one of them is past five.
    const untyped = mallory as unknown as { emit(event: string, ...args: unknown[]): void };
    for (let i = 0; i < 20; i++) untyped.emit('no-such-event', i);
    assert.equal((await disconnected)[0], 'io server disconnect');
  });
});

describe('spoofing and injection', () => {
  const suite = useTestServer();

  test('sender fields in payloads are ignored, and nothing crosses into another meeting', async () => {
    const [first, second] = [await createMeeting(suite.server), await createMeeting(suite.server)];
    const [ada, bob, eve] = [await suite.client(), await suite.client(), await suite.client()];
    const adaId = (await join(ada, first.code, 'Ada')).self.id;
    const bobId = (await join(bob, first.code, 'Bob')).self.id;
    const eveId = (await join(eve, second.code, 'Eve')).self.id;
    const adaReceived = recordEvents(ada);

    // Eve claims to be Bob, in every field a sender could hide in.
    const spoof = { from: bobId, participantId: bobId, meetingCode: first.code, code: first.code };
    assert.equal((await eve.emitWithAck('offer', { to: adaId, sdp: 'v=0', ...spoof } as never)).ok, false);
    assert.deepEqual(await eve.emitWithAck('media-state', { audio: false, video: false, ...spoof } as never), { ok: true });
    // A second join on Eve's socket, into Ada's meeting, is refused: one meeting per connection.
    assert.equal(await tryJoin(eve, first.code), 'already-in-meeting');

    const changed = nextEvent(ada, 'media-state');
    await bob.emitWithAck('media-state', { audio: false, video: true, participantId: eveId } as never);
    assert.deepEqual(await changed, { participantId: bobId, audio: false, video: true, screen: false });
    await settle(ada);
    assert.deepEqual(adaReceived.map((event) => event.name), ['media-state'], 'nothing from Eve reached Ada');
  });
});

describe('HTTP limits', () => {
  test('POST /api/meetings past the per-address limit answers 429 with Retry-After', () =>
    withTestServer({ CREATE_MEETING_LIMIT: '3/60' }, async (server) => {
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/api/meetings`, { method: 'POST' })).status, 201);
      const refused = await fetch(`${server.url}/api/meetings`, { method: 'POST' });
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.deepEqual(await refused.json(), { error: 'rate-limited', message: 'Too many meetings created from your address', retryAfter });
    }));

  test('behind a trusted proxy, each forwarded client has its own budget', () =>
    withTestServer({ CREATE_MEETING_LIMIT: '1/60', TRUST_PROXY: 'loopback' }, async (server) => {
      const create = (client: string) =>
        fetch(`${server.url}/api/meetings`, { method: 'POST', headers: { 'X-Forwarded-For': client } }).then((r) => r.status);
      assert.equal(await create('198.51.100.1'), 201);
      assert.equal(await create('198.51.100.2'), 201);
      assert.equal(await create('198.51.100.1'), 429);
    }));

  test('with CREATE_MEETING_KEY, only a request carrying the key creates a meeting; the landing page only joins', () => {
    const key = 'k'.repeat(40);
    return withTestServer({ CREATE_MEETING_KEY: key }, async (server) => {
      const post = (authorization?: string) =>
        fetch(`${server.url}/api/meetings`, { method: 'POST', headers: authorization ? { Authorization: authorization } : {} });
      for (const wrong of [undefined, key, `Bearer ${key.slice(1)}`, `Bearer ${key}x`, `Basic ${key}`]) {
        const refused = await post(wrong);
        assert.equal(refused.status, 401, `refused: ${wrong}`);
        assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
        assert.deepEqual(await refused.json(), { error: 'unauthorized', message: 'A valid key is required' });
      }
      const created = await post(`Bearer ${key}`);
      assert.equal(created.status, 201);
      assert.match((await created.json()).code, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^parley_refusals_total\{event="create-meeting",code="unauthorized"\} 5$/m);
      const landing = await (await fetch(`${server.url}/`)).text();
      assert.doesNotMatch(landing, /id="new-meeting"/);
      assert.match(landing, /<form id="join"/);
    });
  });

  test('a page on an origin outside ALLOWED_ORIGINS cannot create meetings', () =>
    withTestServer({ ALLOWED_ORIGINS: 'https://embedder.example' }, async (server) => {
      const post = (origin?: string) =>
        fetch(`${server.url}/api/meetings`, { method: 'POST', headers: origin ? { Origin: origin } : {} }).then((r) => r.status);
      assert.equal(await post('https://evil.example'), 403);
      assert.equal(await post('https://embedder.example'), 201);
      assert.equal(await post(), 201, 'backends send no Origin');
      assert.equal(await post(new URL(server.url).origin), 201, "the server's own pages (the demo's New meeting)");
      assert.equal(await post(`https://${new URL(server.url).host}`), 201, 'the same host behind a proxy terminating TLS');
      assert.equal(await post(`http://${new URL(server.url).hostname}:1`), 403, 'the same name on another port is another origin');
    }));

  test("with ALLOWED_ORIGINS set, the server's own meeting pages still open sockets; other pages do not", () =>
    withTestServer({ ALLOWED_ORIGINS: 'https://embedder.example' }, async (server) => {
      const handshake = async (origin: string) => {
        const socket: TestClient = connectClient(server.url, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { Origin: origin },
        });
        const [outcome] = await Promise.race([once(socket as never, 'connect').then(() => ['connected']), once(socket as never, 'connect_error').then(() => ['refused'])]);
        socket.disconnect();
        return outcome;
      };
      assert.equal(await handshake(new URL(server.url).origin), 'connected');
      assert.equal(await handshake('https://embedder.example'), 'connected');
      assert.equal(await handshake('https://evil.example'), 'refused');
    }));

  test('a message past 33 KiB closes the connection; an SDP at its 16 KiB limit still fits', () =>
    withTestServer({}, async (server) => {
      const meeting = await createMeeting(server);
      const [ada, bob] = [await connect(server), await connect(server)];
      await join(ada, meeting.code, 'Ada');
      const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
      const sdp = 'v=0\r\n'.repeat(16 * 1024 / 5).padEnd(16 * 1024, 'x');
      const offer = nextEvent(bob, 'offer');
      assert.deepEqual(await ada.emitWithAck('offer', { to: bobId, sdp }), { ok: true });
      assert.equal((await offer).sdp.length, 16 * 1024);
      const closed = once(ada as never, 'disconnect');
      ada.emit('offer', { to: bobId, sdp: 'x'.repeat(33 * 1024) }, () => undefined);
      assert.equal((await closed)[0], 'transport close');
      ada.disconnect();
      bob.disconnect();
    }));

  test('the SDP limit counts UTF-8 bytes and agrees with the message limit: within it an offer always arrives, past it a clear refusal', () =>
    withTestServer({}, async (server) => {
      const meeting = await createMeeting(server);
      const [ada, bob] = [await connect(server), await connect(server)];
      await join(ada, meeting.code, 'Ada');
      const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
      let disconnected = false;
      ada.on('disconnect', () => (disconnected = true));

      // 16,384 bytes that JSON escapes to two each: the whole message is past 32 KiB, yet the SDP is within its limit.
      const escapedTwice = '\r\n"\\'.repeat(LIMITS.sdpBytes / 4);
      const offer = nextEvent(bob, 'offer');
      assert.deepEqual(await ada.emitWithAck('offer', { to: bobId, sdp: escapedTwice }), { ok: true });
      assert.equal((await offer).sdp, escapedTwice);

      // 16,384 characters, but 32,768 bytes of UTF-8; and characters JSON would escape to six bytes each.
      for (const sdp of ['v=0\r\ns=' + 'é'.repeat(LIMITS.sdpBytes - 6), 'v=0\r\ns=\u0001\r\n']) {
        const refused = await ada.timeout(5000).emitWithAck('offer', { to: bobId, sdp });
        assert.equal(refused.ok || refused.error.code, 'invalid-payload');
        assert.match(refused.ok ? '' : refused.error.message, /sdp: (Too big: expected at most 16384 bytes of UTF-8|SDP cannot hold control characters)/);
      }
      assert.equal(disconnected, false, 'the connection stays up');
      ada.disconnect();
      bob.disconnect();
    }));
});
