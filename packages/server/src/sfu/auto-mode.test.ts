import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaPath, SfuMediaPath } from '@parley/protocol';
import { janusRoomExists, startJanus, type TestJanus } from '../../test/support/janus-server.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';
import { connect, createMeeting, join, nextEvent, recordEvents, settle, startTestServer, type TestClient } from '../../test/support/helpers.js';
import type { RunningServer } from '../index.js';
import { BACK_TO_MESH_AFTER_MS } from './auto-paths.js';

// MEDIA_MODE=auto against a real Janus: two people peer to peer, the SFU from the third, the mesh again at two.
describe('auto media mode', () => {
  let janus: TestJanus;
  let server: RunningServer;
  const sockets: TestClient[] = [];
  const logLines: string[] = [];

  before(async () => {
    janus = await startJanus();
    server = await startTestServer(
      { MEDIA_MODE: 'auto', JANUS_URL: janus.url, JANUS_TOKEN_SECRET: janus.tokenSecret, JANUS_ADMIN_KEY: janus.adminKey, LOG_LEVEL: 'warn' },
      { logDestination: { write: (line: string) => void logLines.push(line) } },
    );
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await server.close();
    await janus.stop();
  });

  const client = async () => {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  };
  const roomExists = (room: string) => janusRoomExists(janus, room);
  const sfuPath = (media: MediaPath | undefined): SfuMediaPath => {
    assert.equal(media?.mode, 'sfu', `an SFU path, got ${JSON.stringify(media)}`);
    return media as SfuMediaPath;
  };
  const mediaPaths = (events: { name: string; payload: unknown }[]) => events.filter((event) => event.name === 'media-path').map((event) => event.payload as MediaPath);

  test('two talk peer to peer; a third moves everyone to the SFU, each with their own tokens; at two again, back to the mesh', async () => {
    const meeting = await createMeeting(server);
    const ada = await client();
    const bob = await client();
    const adaJoined = await join(ada, meeting.code, 'Ada', meeting.hostKey);
    const bobJoined = await join(bob, meeting.code, 'Bob');
    assert.deepEqual([adaJoined.media, bobJoined.media], [{ mode: 'mesh' }, { mode: 'mesh' }]);

    const adaMoved = nextEvent(ada, 'media-path', 10_000);
    const bobMoved = nextEvent(bob, 'media-path', 10_000);
    const cyd = await client();
    const cydJoined = await join(cyd, meeting.code, 'Cyd');
    const cydPath = sfuPath(cydJoined.media);
    const [adaPath, bobPath] = [sfuPath(await adaMoved), sfuPath(await bobMoved)];
    assert.equal(adaPath.room, cydPath.room);
    assert.equal(bobPath.room, cydPath.room);
    assert.equal(new Set([adaPath.token, bobPath.token, cydPath.token]).size, 3, 'participant-scoped tokens');
    assert.equal(await roomExists(cydPath.room), true, "the meeting's Janus room is open");

    // Cyd leaves: for a moment the meeting stays on the SFU (a reload would come straight back)...
    const adaEvents = recordEvents(ada);
    const adaBack = nextEvent(ada, 'media-path', BACK_TO_MESH_AFTER_MS + 10_000);
    const bobBack = nextEvent(bob, 'media-path', BACK_TO_MESH_AFTER_MS + 10_000);
    const left = Date.now();
    await cyd.emitWithAck('leave-meeting');
    await new Promise((resolve) => setTimeout(resolve, BACK_TO_MESH_AFTER_MS / 2));
    await settle(ada);
    assert.deepEqual(mediaPaths(adaEvents), [], 'no move while the delay runs');
    // ...then both are back on the mesh.
    assert.deepEqual([await adaBack, await bobBack], [{ mode: 'mesh' }, { mode: 'mesh' }]);
    assert.ok(Date.now() - left >= BACK_TO_MESH_AFTER_MS - 100, 'not before the delay');
    // The room stays open for the next third.
    assert.equal(await roomExists(cydPath.room), true);
    // A new third moves the meeting to the SFU again at once.
    const dan = await client();
    sfuPath((await join(dan, meeting.code, 'Dan')).media);
  });

  test('someone who reloads (leaves and is back within the delay) moves nobody', async () => {
    const meeting = await createMeeting(server);
    const [ada, bob, cyd] = [await client(), await client(), await client()];
    await join(ada, meeting.code, 'Ada', meeting.hostKey);
    await join(bob, meeting.code, 'Bob');
    const moved = nextEvent(ada, 'media-path', 10_000);
    sfuPath((await join(cyd, meeting.code, 'Cyd')).media);
    sfuPath(await moved);
    const adaEvents = recordEvents(ada);
    await cyd.emitWithAck('leave-meeting');
    const again = await client();
    sfuPath((await join(again, meeting.code, 'Cyd')).media);
    await new Promise((resolve) => setTimeout(resolve, BACK_TO_MESH_AFTER_MS + 1500));
    await settle(ada);
    assert.deepEqual(mediaPaths(adaEvents), [], 'Ada stayed on the SFU throughout');
  });

  test("a host's mute in a meeting of two is the client's to honour: Janus, which carries nothing of it, is not asked", async () => {
    const meeting = await createMeeting(server);
    const [ada, bob] = [await client(), await client()];
    await join(ada, meeting.code, 'Ada', meeting.hostKey);
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const asked = nextEvent(bob, 'mute-requested', 5000);
    assert.equal((await ada.emitWithAck('mute-participant', { participantId: bobId })).ok, true);
    await asked;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(logLines.filter((line) => line.includes('"level":50')), [], 'no error logged');
  });
});

// Several nodes on Redis: each follows the replicated head count and tells its own participants.
describe('auto media mode on several nodes', () => {
  let janus: TestJanus;
  let redis: TestRedis;
  const servers: RunningServer[] = [];
  const sockets: TestClient[] = [];

  before(async () => {
    [janus, redis] = await Promise.all([startJanus(), startRedis()]);
    const env = { MEDIA_MODE: 'auto', JANUS_URL: janus.url, JANUS_TOKEN_SECRET: janus.tokenSecret, JANUS_ADMIN_KEY: janus.adminKey, REDIS_URL: redis.url };
    servers.push(await startTestServer(env), await startTestServer(env));
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(servers.map((server) => server.close()));
    await janus.stop();
    await redis.stop();
  });

  test('a third person joining on one node moves the participants of the other node too, and back', async () => {
    const [nodeA, nodeB] = servers as [RunningServer, RunningServer];
    const client = async (server: RunningServer) => {
      const socket = await connect(server);
      sockets.push(socket);
      return socket;
    };
    const meeting = await createMeeting(nodeA);
    const [ada, bob, cyd] = [await client(nodeA), await client(nodeB), await client(nodeA)];
    await join(ada, meeting.code, 'Ada', meeting.hostKey);
    assert.deepEqual((await join(bob, meeting.code, 'Bob')).media, { mode: 'mesh' });
    const bobMoved = nextEvent(bob, 'media-path', 10_000);
    const adaMoved = nextEvent(ada, 'media-path', 10_000);
    const cydPath = (await join(cyd, meeting.code, 'Cyd')).media as SfuMediaPath;
    assert.equal(cydPath.mode, 'sfu');
    const [bobPath, adaPath] = [(await bobMoved) as SfuMediaPath, (await adaMoved) as SfuMediaPath];
    assert.deepEqual([bobPath.mode, bobPath.room, adaPath.room], ['sfu', cydPath.room, cydPath.room]);
    assert.notEqual(bobPath.token, adaPath.token);

    const bobBack = nextEvent(bob, 'media-path', BACK_TO_MESH_AFTER_MS + 10_000);
    await cyd.emitWithAck('leave-meeting');
    assert.deepEqual(await bobBack, { mode: 'mesh' });
  });
});
