import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { SfuMediaPath } from '@parley/protocol';
import { JanusSession } from '@parley/protocol/janus';
import { janusRoomExists, startJanus, type TestJanus } from '../../test/support/janus-server.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';
import { connect, createMeeting, join, nextEvent, startTestServer, type TestClient } from '../../test/support/helpers.js';
import type { RunningServer } from '../index.js';

/** Long enough for a loaded machine: noticing a dead Janus is immediate (its socket closes), the rest is requests. */
const MOVE_WAIT_MS = 10_000;
/** JANUS_TIMEOUT_MS for the hang tests: a hung Janus is noticed within it and the 1 s between keepalives. */
const HANG_TIMEOUT_MS = 2_000;

// Several Janus instances (JANUS_URLS) and a Janus that dies, against real Janus processes (SIGKILL) and a real Redis.
describe('Janus failover', () => {
  const januses: TestJanus[] = [];
  const servers: RunningServer[] = [];
  const sockets: TestClient[] = [];
  let redis: TestRedis | undefined;

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(januses.splice(0).map((janus) => janus.stop()));
  });
  after(async () => redis?.stop());

  /** `count` Janus instances sharing one token secret and admin key. */
  const startJanuses = async (count: number) => {
    const first = await startJanus();
    januses.push(first);
    for (let i = 1; i < count; i++) januses.push(await startJanus({ secrets: first }));
    return januses;
  };
  /** The public URL browsers are given for instance `index`: a name of its own, to tell them apart. */
  const publicUrl = (index: number) => `wss://janus-${index}.example.com/`;
  const serverEnv = (instances: TestJanus[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    MEDIA_MODE: 'sfu',
    JANUS_URLS: instances.map((janus) => janus.url).join(','),
    JANUS_PUBLIC_URLS: instances.map((_, index) => publicUrl(index)).join(','),
    JANUS_TOKEN_SECRET: instances[0]!.tokenSecret,
    JANUS_ADMIN_KEY: instances[0]!.adminKey,
    ...extra,
  });
  const startNode = async (env: NodeJS.ProcessEnv) => {
    const server = await startTestServer(env);
    servers.push(server);
    return server;
  };
  const client = async (server: RunningServer) => {
    const socket = await connect(server);
    sockets.push(socket);
    return socket;
  };
  /** Joins `count` participants to a new meeting on `server` (or the given one); their sockets and media paths. */
  const meetingOf = async (server: RunningServer, count: number, code?: string, on: RunningServer = server) => {
    const meetingCode = code ?? (await createMeeting(server)).code;
    const participants: { socket: TestClient; path: SfuMediaPath }[] = [];
    for (let i = 0; i < count; i++) {
      const socket = await client(on);
      participants.push({ socket, path: (await join(socket, meetingCode, `P${i}`)).media as SfuMediaPath });
    }
    return { code: meetingCode, participants };
  };
  const instanceOf = (path: SfuMediaPath) => {
    const index = januses.findIndex((_, i) => publicUrl(i) === path.janusUrl);
    assert.ok(index >= 0, `unknown Janus URL ${path.janusUrl}`);
    return index;
  };
  const roomExists = janusRoomExists;

  test('each new meeting goes to the instance with the fewest open meetings', async () => {
    const instances = await startJanuses(2);
    const server = await startNode(serverEnv(instances));
    const first = await meetingOf(server, 2);
    const second = await meetingOf(server, 1);
    const third = await meetingOf(server, 1);
    const used = [first, second, third].map((meeting) => instanceOf(meeting.participants[0]!.path));
    assert.notEqual(used[0], used[1], 'the second meeting goes to the other, empty instance');
    assert.equal(new Set(used.slice(0, 2)).size, 2);
    // Everyone in one meeting is on the same instance.
    assert.equal(instanceOf(first.participants[1]!.path), used[0]);
    assert.ok(await roomExists(instances[used[1]!]!, second.participants[0]!.path.room));
  });

  test('SIGKILL of a meeting\'s instance: the meeting moves to the other one, every participant gets a media-path to it', async () => {
    const instances = await startJanuses(2);
    const server = await startNode(serverEnv(instances));
    const moving = await meetingOf(server, 3);
    const staying = await meetingOf(server, 2);
    const dead = instanceOf(moving.participants[0]!.path);
    const alive = 1 - dead;
    assert.equal(instanceOf(staying.participants[0]!.path), alive, 'the two meetings were spread over both instances');

    const stayingPaths: unknown[] = [];
    for (const { socket } of staying.participants) socket.on('media-path', (path) => stayingPaths.push(path));
    const moved = Promise.all(moving.participants.map(({ socket }) => nextEvent(socket, 'media-path', MOVE_WAIT_MS)));
    const killedAt = Date.now();
    await instances[dead]!.kill();
    const paths = (await moved) as SfuMediaPath[];
    console.log(`meeting moved to the other Janus ${Date.now() - killedAt} ms after the SIGKILL`);

    for (const [index, path] of paths.entries()) {
      assert.equal(path.janusUrl, publicUrl(alive));
      assert.equal(path.room, moving.participants[index]!.path.room);
      assert.ok(path.tokenExpiresAt > Date.now());
    }
    assert.ok(await roomExists(instances[alive]!, paths[0]!.room), 'the room was created on the live instance');
    // The moved participants can enter it with their new tokens.
    const session = await JanusSession.connect({ url: instances[alive]!.url, token: paths[0]!.token, WebSocket });
    try {
      const handle = await session.attach('janus.plugin.videoroom');
      const { data } = await handle.request({ request: 'join', ptype: 'publisher', room: paths[0]!.room, id: 'probe', token: paths[0]!.roomToken });
      assert.equal(data['videoroom'], 'joined');
    } finally {
      await session.close();
    }
    assert.deepEqual(stayingPaths, [], "the other instance's meeting is left alone");
    // A newcomer to the moved meeting is sent to its new instance; new meetings go to the live one.
    const late = await meetingOf(server, 1, moving.code);
    assert.equal(instanceOf(late.participants[0]!.path), alive);
    assert.equal(instanceOf((await meetingOf(server, 1)).participants[0]!.path), alive);
  });

  test('a hung instance (SIGSTOP, its connection open): its meeting moves within JANUS_TIMEOUT_MS, and it takes new meetings again once it goes on', async () => {
    const instances = await startJanuses(2);
    const server = await startNode(serverEnv(instances, { JANUS_TIMEOUT_MS: String(HANG_TIMEOUT_MS) }));
    const moving = await meetingOf(server, 2);
    const staying = await meetingOf(server, 1);
    const hung = instanceOf(moving.participants[0]!.path);
    const alive = 1 - hung;
    assert.equal(instanceOf(staying.participants[0]!.path), alive, 'the two meetings were spread over both instances');

    const moved = Promise.all(moving.participants.map(({ socket }) => nextEvent(socket, 'media-path', MOVE_WAIT_MS)));
    const hungAt = Date.now();
    instances[hung]!.hang();
    try {
      const paths = (await moved) as SfuMediaPath[];
      console.log(`meeting moved off the hung Janus ${Date.now() - hungAt} ms after the SIGSTOP (timeout ${HANG_TIMEOUT_MS} ms)`);
      for (const [index, path] of paths.entries()) {
        assert.equal(path.janusUrl, publicUrl(alive));
        assert.equal(path.room, moving.participants[index]!.path.room);
      }
      assert.ok(await roomExists(instances[alive]!, paths[0]!.room), 'the room was created on the live instance');
      // While it hangs, new meetings go to the live instance.
      assert.equal(instanceOf((await meetingOf(server, 1)).participants[0]!.path), alive);
    } finally {
      instances[hung]!.resume();
    }
    // Going on, it is counted up again: with no open meeting it is the least loaded, so a new meeting lands on it.
    const resumedAt = Date.now();
    await waitForAsync(async () => instanceOf((await meetingOf(server, 1)).participants[0]!.path) === hung, MOVE_WAIT_MS, 'a new meeting on the resumed instance', 250);
    console.log(`the resumed Janus took a new meeting ${Date.now() - resumedAt} ms after the SIGCONT`);
  });

  test('one instance, SIGKILLed then restarted: the rooms of live meetings are created again and everyone gets a media-path at once', async () => {
    const [janus] = await startJanuses(1);
    const server = await startNode({ MEDIA_MODE: 'sfu', JANUS_URL: janus!.url, JANUS_TOKEN_SECRET: janus!.tokenSecret, JANUS_ADMIN_KEY: janus!.adminKey });
    const meeting = await meetingOf(server, 2);
    const received: SfuMediaPath[][] = meeting.participants.map(() => []);
    meeting.participants.forEach(({ socket }, index) => socket.on('media-path', (path) => received[index]!.push(path as SfuMediaPath)));

    await janus!.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(received.flat().length, 0, 'nothing to move to while the only Janus is down');
    // A join meanwhile is refused with a clear error, and the server stays up.
    const refused = await (await client(server)).emitWithAck('join-meeting', { code: meeting.code, name: 'Late', audio: true, video: true });
    assert.equal(refused.ok, false);

    const restartedAt = Date.now();
    await janus!.restart();
    await waitFor(() => received.every((paths) => paths.length > 0), MOVE_WAIT_MS, 'a media-path for everyone after the restart');
    console.log(`media-path sent ${Date.now() - restartedAt} ms after Janus answered again`);
    for (const [index, paths] of received.entries()) {
      assert.equal(paths[0]!.room, meeting.participants[index]!.path.room);
      assert.equal(paths[0]!.janusUrl, janus!.url);
    }
    assert.ok(await roomExists(janus!, meeting.participants[0]!.path.room), 'the room was created again');
  });

  test('one instance, hung then going on: joins meanwhile are refused, and once it answers everyone gets a media-path to its room', async () => {
    const [janus] = await startJanuses(1);
    const server = await startNode({
      MEDIA_MODE: 'sfu',
      JANUS_URL: janus!.url,
      JANUS_TOKEN_SECRET: janus!.tokenSecret,
      JANUS_ADMIN_KEY: janus!.adminKey,
      JANUS_TIMEOUT_MS: String(HANG_TIMEOUT_MS),
    });
    const meeting = await meetingOf(server, 2);
    const received: SfuMediaPath[][] = meeting.participants.map(() => []);
    meeting.participants.forEach(({ socket }, index) => socket.on('media-path', (path) => received[index]!.push(path as SfuMediaPath)));

    janus!.hang();
    try {
      // Noticed within the timeout and a keepalive; then a join fails within the timeout rather than waiting on it.
      await new Promise((resolve) => setTimeout(resolve, HANG_TIMEOUT_MS + 1_500));
      const refused = await (await client(server)).emitWithAck('join-meeting', { code: meeting.code, name: 'Late', audio: true, video: true });
      assert.equal(refused.ok, false);
      assert.equal(received.flat().length, 0, 'nothing to move to while the only Janus hangs');
    } finally {
      janus!.resume();
    }
    const resumedAt = Date.now();
    await waitFor(() => received.every((paths) => paths.length > 0), MOVE_WAIT_MS, 'a media-path for everyone after the SIGCONT');
    console.log(`media-path sent ${Date.now() - resumedAt} ms after the hung Janus went on`);
    for (const [index, paths] of received.entries()) {
      assert.equal(paths[0]!.room, meeting.participants[index]!.path.room);
      assert.equal(paths[0]!.janusUrl, janus!.url);
    }
    assert.ok(await roomExists(janus!, meeting.participants[0]!.path.room));
  });

  test('through Redis, every node agrees on the instance, and both nodes move their participants when it dies', async () => {
    redis = await startRedis();
    const instances = await startJanuses(2);
    const env = serverEnv(instances, { REDIS_URL: redis.url });
    const [a, b] = [await startNode(env), await startNode(env)];
    // One meeting from node A, then one from node B: B sees A's choice in Redis and takes the other instance.
    const first = await meetingOf(a, 1);
    const second = await meetingOf(b, 1);
    const dead = instanceOf(first.participants[0]!.path);
    assert.equal(instanceOf(second.participants[0]!.path), 1 - dead);
    // Joining the first meeting through node B lands on the same instance.
    const [viaB] = (await meetingOf(a, 1, first.code, b)).participants;
    assert.equal(instanceOf(viaB!.path), dead);

    const moved = [first.participants[0]!, viaB!].map(({ socket }) => nextEvent(socket, 'media-path', MOVE_WAIT_MS));
    await instances[dead]!.kill();
    const paths = (await Promise.all(moved)) as SfuMediaPath[];
    assert.deepEqual(
      paths.map((path) => path.janusUrl),
      [publicUrl(1 - dead), publicUrl(1 - dead)],
      'both nodes moved their participants to the same live instance',
    );
  });
});

function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return waitForAsync(async () => condition(), timeoutMs, what);
}

async function waitForAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
