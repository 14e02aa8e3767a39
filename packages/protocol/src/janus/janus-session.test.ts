import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startJanus, type TestJanus } from '../../../server/test/support/janus-server.js';
import { signCoreToken, signRoomToken } from '../../../server/src/sfu/janus-tokens.js';
import type { EventMap, Listeners } from './listeners.js';
import {
  JanusError,
  JanusSession,
  type JanusConnectOptions,
  type JanusHandleEvents,
  type JanusSessionEvents,
  type PluginData,
} from './index.js';

// The Janus client against a real Janus (the test harness's): what the server and the browser SDK build on.
describe('JanusSession and JanusHandle', () => {
  let janus: TestJanus;
  const inAMinute = () => Date.now() + 60_000;
  const options = (extra: Partial<JanusConnectOptions> = {}): JanusConnectOptions => ({
    url: janus.url,
    token: signCoreToken(janus.tokenSecret, inAMinute()),
    WebSocket,
    ...extra,
  });
  let roomCount = 0;
  /** A VideoRoom room as the server makes them: private, signed tokens, a secret. */
  const createRoom = async (session: JanusSession, extra: object = {}) => {
    const handle = await session.attach('janus.plugin.videoroom');
    const room = `client-test-${++roomCount}`;
    const { data } = await handle.request({
      request: 'create',
      room,
      admin_key: janus.adminKey,
      secret: 'room-secret',
      is_private: true,
      signed_tokens: true,
      ...extra,
    });
    assert.equal(data['videoroom'], 'created');
    return room;
  };
  const joinAsPublisher = (session: JanusSession, room: string, id: string) =>
    session.attach('janus.plugin.videoroom').then(async (handle) => ({
      handle,
      answer: await handle.request({
        request: 'join',
        ptype: 'publisher',
        room,
        id,
        display: id,
        token: signRoomToken(janus.tokenSecret, inAMinute(), room),
      }),
    }));

  before(async () => {
    janus = await startJanus({ sessionTimeout: 4 });
  });
  after(() => janus.stop());

  it('creates a session with a token and answers a synchronous plugin request with its data', async () => {
    const session = await JanusSession.connect(options());
    try {
      assert.ok(session.id > 0);
      const handle = await session.attach('janus.plugin.videoroom');
      assert.ok(handle.id > 0);
      assert.equal(handle.plugin, 'janus.plugin.videoroom');
      const room = await createRoom(session);
      const { data } = await handle.request<PluginData & { exists: boolean }>({ request: 'exists', room });
      assert.deepEqual([data['videoroom'], data.exists], ['success', true]);
    } finally {
      await session.close();
    }
  });

  it('resolves an asynchronous request with the event that follows the ack, and passes other events on', async () => {
    const session = await JanusSession.connect(options());
    try {
      const room = await createRoom(session, { notify_joining: true });
      const alice = await joinAsPublisher(session, room, 'alice');
      assert.equal(alice.answer.data['videoroom'], 'joined');
      assert.equal(alice.answer.data['id'], 'alice');
      const joining = next<JanusHandleEvents, 'event'>(alice.handle, 'event');
      await joinAsPublisher(session, room, 'bob');
      const [event] = await joining;
      assert.deepEqual(event['joining'], { id: 'bob', display: 'bob' });
    } finally {
      await session.close();
    }
  });

  it('carries a session description both ways and accepts trickled candidates', async () => {
    const session = await JanusSession.connect(options());
    try {
      const room = await createRoom(session);
      const { handle } = await joinAsPublisher(session, room, 'carol');
      const answer = await handle.request({ request: 'configure', audio: true }, { type: 'offer', sdp: AUDIO_OFFER });
      assert.equal(answer.data['configured'], 'ok');
      assert.equal(answer.jsep?.type, 'answer');
      assert.match(answer.jsep?.sdp ?? '', /^v=0\r\n[\s\S]*m=audio /);
      await handle.trickle({ candidate: 'candidate:1 1 udp 2122260223 127.0.0.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
      await handle.trickle(null);
    } finally {
      await session.close();
    }
  });

  it("rejects Janus's own refusals as a JanusError of kind janus with its code", async () => {
    const forged = `${Math.floor(inAMinute() / 1000)},janus,janus.plugin.videoroom:bm90IGEgc2lnbmF0dXJl`;
    const refusal = await JanusSession.connect(options({ token: forged })).then(
      () => assert.fail('a forged token opened a session'),
      (error: unknown) => error,
    );
    assert.ok(refusal instanceof JanusError);
    assert.deepEqual([refusal.kind, refusal.code], ['janus', 403]);

    const session = await JanusSession.connect(options());
    try {
      await assert.rejects(session.attach('janus.plugin.nonexistent'), { name: 'JanusError', kind: 'janus', code: 460 });
    } finally {
      await session.close();
    }
  });

  it("rejects a plugin's refusal as a JanusError of kind plugin with the plugin's code", async () => {
    const session = await JanusSession.connect(options());
    try {
      const handle = await session.attach('janus.plugin.videoroom');
      await assert.rejects(
        handle.request({ request: 'join', ptype: 'publisher', room: 'no-such-room', id: 'dave' }),
        (error: unknown) => error instanceof JanusError && error.kind === 'plugin' && error.code === 426 && /No such room/.test(error.reason),
      );
    } finally {
      await session.close();
    }
  });

  it('keeps the session alive past the session timeout with keepalives, and reports it closed without them', async () => {
    const kept = await JanusSession.connect(options({ keepaliveMs: 1_000 }));
    const dropped = await JanusSession.connect(options({ keepaliveMs: 600_000 }));
    try {
      const closed = next<JanusSessionEvents, 'closed'>(dropped, 'closed');
      // session_timeout is 4 s here; Janus checks every 2 s.
      const [error] = await closed;
      assert.equal(error?.kind, 'closed');
      assert.match(error?.reason ?? '', /session_timeout/);
      assert.equal(dropped.closed, true);
      await assert.rejects(dropped.attach('janus.plugin.videoroom'), { kind: 'closed' });
      assert.equal(kept.closed, false);
      await kept.attach('janus.plugin.videoroom');
    } finally {
      await kept.close();
      await dropped.close();
    }
  });

  it('ends the session as a timeout when Janus hangs with the connection open (SIGSTOP), and connects again once it goes on', async () => {
    const session = await JanusSession.connect(options({ keepaliveMs: 500, timeoutMs: 1_500 }));
    const closed = next<JanusSessionEvents, 'closed'>(session, 'closed');
    const hungAt = Date.now();
    janus.hang();
    try {
      // A keepalive goes out within 0.5 s and its answer is given up on 1.5 s later; 10 s for a loaded machine.
      const [error] = await within(10_000, closed, 'the session to end after Janus hung');
      console.log(`hung Janus noticed ${Date.now() - hungAt} ms after the SIGSTOP`);
      assert.ok(error instanceof JanusError);
      assert.equal(error.kind, 'timeout');
      assert.match(error.reason, /stopped answering/);
      assert.equal(session.closed, true);
      await assert.rejects(session.attach('janus.plugin.videoroom'), { kind: 'closed' });
    } finally {
      janus.resume();
    }
    const again = await JanusSession.connect(options());
    try {
      await again.attach('janus.plugin.videoroom');
    } finally {
      await again.close();
    }
  });

  it('does not take a starved process for a hung Janus: an answer waiting to be read counts', async () => {
    let starveAfterKeepalive = false;
    let starved = 0;
    /** Sends as usual; after the keepalive it is told to, the process gets no CPU for three request timeouts. */
    class StarvedWebSocket extends WebSocket {
      override send(data: string): void {
        super.send(data);
        if (!starveAfterKeepalive || !data.includes('"keepalive"')) return;
        starveAfterKeepalive = false;
        // In the check phase: the loop's next turn starts with its timers, the expired request timer among them,
        // and reads Janus's answer, which came meanwhile, only after them, as on a machine too busy to run us.
        setImmediate(() => {
          const until = Date.now() + 1_500;
          while (Date.now() < until);
          starved++;
        });
      }
    }
    const session = await JanusSession.connect(options({ WebSocket: StarvedWebSocket, keepaliveMs: 300, timeoutMs: 500 }));
    try {
      for (let round = 1; round <= 3; round++) {
        starveAfterKeepalive = true;
        while (starved < round) await new Promise((resolve) => setTimeout(resolve, 50));
        // The keepalives after it come and go as usual.
        await new Promise((resolve) => setTimeout(resolve, 700));
        assert.equal(session.closed, false, `ended after starving ${round} time(s)`);
      }
      await session.attach('janus.plugin.videoroom');
    } finally {
      await session.close();
    }
  });

  it('uses a renewed token for the requests after setToken', async () => {
    const session = await JanusSession.connect(options({ token: signCoreToken(janus.tokenSecret, Date.now() + 2_000) }));
    try {
      session.setToken(signCoreToken(janus.tokenSecret, inAMinute()));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await session.attach('janus.plugin.videoroom');
      session.setToken(signCoreToken(janus.tokenSecret, Date.now() - 1_000));
      await assert.rejects(session.attach('janus.plugin.videoroom'), { kind: 'janus', code: 403 });
    } finally {
      await session.close();
    }
  });

  it('reports detached handles, and ends the session with its pending requests when Janus goes away', async () => {
    const session = await JanusSession.connect(options());
    const handle = await session.attach('janus.plugin.videoroom');
    const other = await session.attach('janus.plugin.videoroom');
    const detached = next(handle, 'detached');
    await handle.detach();
    await detached;
    assert.equal(handle.detached, true);
    await assert.rejects(handle.request({ request: 'list' }), { kind: 'janus', code: 459 });

    const closed = next<JanusSessionEvents, 'closed'>(session, 'closed');
    const otherDetached = next(other, 'detached');
    await janus.kill();
    try {
      const [error] = await closed;
      assert.equal(error?.kind, 'closed');
      await otherDetached;
      await assert.rejects(other.request({ request: 'list' }), { kind: 'closed' });
    } finally {
      await janus.restart();
    }
  });

  it('rejects with a JanusError of kind closed when nothing listens at the URL', async () => {
    await assert.rejects(JanusSession.connect(options({ url: 'ws://127.0.0.1:9' })), { name: 'JanusError', kind: 'closed' });
  });
});

/** Resolves with the arguments of the next `event` (the client's emitters are not Node's). */
function next<Events extends EventMap, E extends keyof Events & string>(
  emitter: Listeners<Events>,
  event: E,
): Promise<Parameters<Events[E]>> {
  return new Promise((resolve) => {
    const listener = ((...args: Parameters<Events[E]>) => {
      emitter.off(event, listener);
      resolve(args);
    }) as Events[E];
    emitter.on(event, listener);
  });
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A minimal audio-only WebRTC offer, enough for Janus to negotiate and answer (ICE never completes here). */
const AUDIO_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendonly',
  'a=msid:- audio0',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=ssrc:1001 cname:parley',
  '',
].join('\r\n');
