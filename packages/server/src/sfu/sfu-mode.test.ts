import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { SfuMediaPath } from '@parley/protocol';
import { JanusSession, type JanusHandle, type PluginData } from '@parley/protocol/janus';
import { startJanus, type TestJanus } from '../../test/support/janus-server.js';
import { connect, createMeeting, join, knock, nextEvent, startTestServer, withTestServer, type TestClient } from '../../test/support/helpers.js';
import type { RunningServer } from '../index.js';
import { signCoreToken } from './janus-tokens.js';

// The server in SFU mode against a real Janus: a room per meeting, tokens in the join answer, host controls.
describe('SFU mode', () => {
  let janus: TestJanus;
  let server: RunningServer;
  const logLines: string[] = [];
  const sockets: TestClient[] = [];
  const sessions: JanusSession[] = [];
  const env = () => ({
    MEDIA_MODE: 'sfu',
    JANUS_URL: janus.url,
    JANUS_PUBLIC_URL: 'wss://media.example.com/janus',
    JANUS_TOKEN_SECRET: janus.tokenSecret,
    JANUS_ADMIN_KEY: janus.adminKey,
  });

  before(async () => {
    janus = await startJanus();
    server = await startTestServer(
      { ...env(), JANUS_TOKEN_TTL_S: '10', LOG_LEVEL: 'info' },
      { logDestination: { write: (line: string) => void logLines.push(line) } },
    );
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const session of sessions) await session.close();
    await server.close();
    await janus.stop();
  });

  const client = async () => {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  };
  const sfuPath = (media: unknown): SfuMediaPath => {
    assert.equal((media as SfuMediaPath | undefined)?.mode, 'sfu');
    return media as SfuMediaPath;
  };
  /** Joins the meeting's Janus room as the browser would, with the participant's media path (at Janus's real URL). */
  const enterRoom = async (path: SfuMediaPath, id: string): Promise<JanusHandle> => {
    const session = await JanusSession.connect({ url: janus.url, token: path.token, WebSocket });
    sessions.push(session);
    const handle = await session.attach('janus.plugin.videoroom');
    const { data } = await handle.request({ request: 'join', ptype: 'publisher', room: path.room, id, token: path.roomToken });
    assert.equal(data['videoroom'], 'joined');
    return handle;
  };
  const roomExists = async (room: string) => {
    const token = signCoreToken(janus.tokenSecret, Date.now() + 60_000);
    const session = await JanusSession.connect({ url: janus.url, token, WebSocket });
    try {
      const handle = await session.attach('janus.plugin.videoroom');
      return (await handle.request({ request: 'exists', room })).data['exists'] === true;
    } finally {
      await session.close();
    }
  };
  const nextPluginEvent = (handle: JanusHandle, accept: (data: PluginData) => boolean) =>
    new Promise<PluginData>((resolve) => {
      const listener = (data: PluginData) => {
        if (accept(data)) resolve(data);
      };
      handle.on('event', listener);
    });

  test("the join answer carries the meeting's Janus room (created at the first join) and tokens for it, at the public URL", async () => {
    const meeting = await createMeeting(server);
    const host = await client();
    const joined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    const path = sfuPath(joined.media);
    assert.equal(path.janusUrl, 'wss://media.example.com/janus');
    assert.ok(path.tokenExpiresAt > Date.now() && path.tokenExpiresAt <= Date.now() + 10_000);
    assert.equal(await roomExists(path.room), true);
    await enterRoom(path, joined.self.id);

    const guest = await client();
    const guestJoined = await join(guest, meeting.code, 'Gus');
    const guestPath = sfuPath(guestJoined.media);
    assert.equal(guestPath.room, path.room);
    assert.notEqual(guestPath.roomToken, path.roomToken);
    await enterRoom(guestPath, guestJoined.self.id);
  });

  test("a participant's tokens do not open another meeting's room: Janus refuses them", async () => {
    const [first, second] = [await createMeeting(server), await createMeeting(server)];
    const [alice, mallory] = [await client(), await client()];
    const alicePath = sfuPath((await join(alice, first.code, 'Alice')).media);
    const malloryPath = sfuPath((await join(mallory, second.code, 'Mallory')).media);
    assert.notEqual(alicePath.room, malloryPath.room);
    await assert.rejects(enterRoom({ ...malloryPath, room: alicePath.room }, 'mallory'), { kind: 'plugin', code: 433 });
  });

  test('a fresh token arrives in media-path before the old one expires', async () => {
    const meeting = await createMeeting(server);
    const socket = await client();
    const joined = await join(socket, meeting.code, 'Rita');
    const first = sfuPath(joined.media);
    const renewed = sfuPath(await nextEvent(socket, 'media-path', 9_000));
    assert.ok(Date.now() < first.tokenExpiresAt, 'renewed before the old token expired');
    assert.equal(renewed.room, first.room);
    assert.ok(renewed.tokenExpiresAt > first.tokenExpiresAt);
    await enterRoom(renewed, joined.self.id);
  });

  test("a host's removal kicks the participant out of the Janus room; ending the meeting destroys the room", async () => {
    const meeting = await createMeeting(server);
    const [host, guest] = [await client(), await client()];
    const hostJoined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    const guestJoined = await join(guest, meeting.code, 'Gus');
    const hostHandle = await enterRoom(sfuPath(hostJoined.media), hostJoined.self.id);
    const guestHandle = await enterRoom(sfuPath(guestJoined.media), guestJoined.self.id);

    const kicked = nextPluginEvent(guestHandle, (data) => data['leaving'] !== undefined);
    assert.equal((await host.emitWithAck('remove-participant', { participantId: guestJoined.self.id })).ok, true);
    assert.equal((await kicked)['reason'], 'kicked');

    const destroyed = nextPluginEvent(hostHandle, (data) => data['videoroom'] === 'destroyed');
    assert.equal((await host.emitWithAck('end-meeting')).ok, true);
    await destroyed;
    assert.equal(await roomExists(sfuPath(hostJoined.media).room), false);
  });

  test('the resume answer carries the media path too', async () => {
    const meeting = await createMeeting(server);
    const socket = await client();
    const joined = await join(socket, meeting.code, 'Rosa');
    // A network drop (no goodbye): the participant is kept for a resume.
    socket.io.engine.close();
    const again = await client();
    const resumed = await again.emitWithAck('resume-meeting', { resumeToken: joined.resumeToken });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    const path = sfuPath(resumed.data.media);
    assert.equal(path.room, sfuPath(joined.media).room);
    await enterRoom(path, joined.self.id);
  });

  test('someone admitted from the waiting room gets the media path in `admitted`', async () => {
    const meeting = await createMeeting(server);
    const [host, waiter] = [await client(), await client()];
    const hostJoined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    assert.equal((await host.emitWithAck('update-meeting', { waitingRoom: true })).ok, true);
    const waiterId = await knock(waiter, meeting.code, 'Walt');
    const admitted = nextEvent(waiter, 'admitted');
    assert.equal((await host.emitWithAck('admit-participant', { participantId: waiterId })).ok, true);
    const path = sfuPath((await admitted).media);
    assert.equal(path.room, sfuPath(hostJoined.media).room);
    await enterRoom(path, waiterId);
  });

  test('with Janus down, a join is refused `internal` with a clear message and a log line; the server carries on', async () => {
    const meeting = await createMeeting(server);
    await janus.kill();
    try {
      const socket = await client();
      const refused = await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'Nina', audio: true, video: true });
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok);
      assert.equal(refused.error.code, 'internal');
      assert.match(refused.error.message, /media server is unavailable/);
      assert.ok(logLines.some((line) => /"the media server is unavailable"/.test(line) && line.includes('"during":"join"')));
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await janus.restart();
    }
    const socket = await client();
    const joined = await join(socket, meeting.code, 'Nina');
    await enterRoom(sfuPath(joined.media), joined.self.id);
  });
});

describe('mesh mode', () => {
  test('without JANUS_URL the join answer says mesh', async () => {
    await withTestServer({}, async (server) => {
      const meeting = await createMeeting(server);
      const socket = await connect(server);
      try {
        assert.deepEqual((await join(socket, meeting.code, 'Mo')).media, { mode: 'mesh' });
      } finally {
        socket.disconnect();
      }
    });
  });
});
