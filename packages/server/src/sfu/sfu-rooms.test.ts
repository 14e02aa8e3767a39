import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { SfuMediaPath } from '@parley/protocol';
import { JanusSession, type JanusHandle, type PluginData } from '@parley/protocol/janus';
import { startJanus, type TestJanus } from '../../test/support/janus-server.js';
import { createLogger } from '../logger.js';
import { SqliteMeetingStore } from '../meetings/sqlite-meeting-store.js';
import { MediaServerError, SfuRooms } from './sfu-rooms.js';

// SFU mode's controller against a real Janus: what Janus itself accepts and refuses is the point.
describe('SfuRooms', () => {
  let janus: TestJanus;
  let rooms: SfuRooms;
  const sessions: JanusSession[] = [];
  let meetingCount = 0;
  const newCode = () => `sfu${++meetingCount}-test-code`;

  before(async () => {
    janus = await startJanus();
    rooms = new SfuRooms(
      {
        instances: [{ url: janus.url, publicUrl: 'wss://janus.example.com/' }],
        tokenSecret: janus.tokenSecret,
        adminKey: janus.adminKey,
        tokenLifetimeMs: 60_000,
        timeoutMs: 5_000,
        maxPublishers: 50,
      },
      createLogger('silent'),
      new SqliteMeetingStore(':memory:'),
    );
  });
  after(async () => {
    for (const session of sessions) await session.close();
    await rooms.close();
    await janus.stop();
  });

  /** A participant's own Janus session, with the core token of their media path. */
  const sessionFor = async (path: Pick<SfuMediaPath, 'token'>) => {
    const session = await JanusSession.connect({ url: janus.url, token: path.token, WebSocket });
    sessions.push(session);
    return session;
  };
  const joinRoom = async (session: JanusSession, room: string, roomToken: string, id: string) => {
    const handle = await session.attach('janus.plugin.videoroom');
    const { data } = await handle.request({ request: 'join', ptype: 'publisher', room, id, token: roomToken });
    return { handle, data };
  };
  /** What an administrator sees of a room, with the admin key (it is private). */
  const roomInfo = async (room: string) => {
    const session = await sessionFor({ token: rooms.mediaPath('admin', 'admin').token });
    const handle = await session.attach('janus.plugin.videoroom');
    const all = (await handle.request({ request: 'list', admin_key: janus.adminKey })).data['list'] as { room: string }[];
    const visible = (await handle.request({ request: 'list' })).data['list'] as { room: string }[];
    return { found: all.find((entry) => entry.room === room), listedPublicly: visible.some((entry) => entry.room === room) };
  };
  const nextEvent = (handle: JanusHandle, accept: (data: PluginData) => boolean) =>
    new Promise<PluginData>((resolve) => {
      const listener = (data: PluginData) => {
        if (!accept(data)) return;
        handle.off('event', listener);
        resolve(data);
      };
      handle.on('event', listener);
    });

  test('opens one private room per meeting, with signed tokens and room for 50 publishers, once however many join at once', async () => {
    const code = newCode();
    const room = rooms.roomOf(code);
    assert.match(room, /^parley-[0-9a-f]{32}$/);
    assert.ok(!room.includes(code), 'the room name tells nothing of the code');
    await Promise.all([rooms.openRoom(code), rooms.openRoom(code), rooms.openRoom(code)]);
    const { found, listedPublicly } = await roomInfo(room);
    assert.ok(found, 'the room exists');
    assert.equal(listedPublicly, false);
    assert.deepEqual(
      [found['is_private' as never], found['max_publishers' as never], found['videocodec' as never], found['require_pvtid' as never]],
      [true, 50, 'vp8', true],
    );
    // Another node (or this server after a restart) finds it made already.
    const otherNode = new SfuRooms({ ...janusConfig(), maxPublishers: 50 }, createLogger('silent'), new SqliteMeetingStore(':memory:'));
    try {
      await otherNode.openRoom(code);
    } finally {
      await otherNode.close();
    }
  });

  test("a participant's tokens open their meeting's room, as publisher; Janus itself refuses forged, expired and other rooms' tokens", async () => {
    const code = newCode();
    const otherCode = newCode();
    await rooms.openRoom(code);
    await rooms.openRoom(otherCode);
    const path = rooms.mediaPath(code, 'alice');
    assert.deepEqual([path.mode, path.janusUrl, path.room], ['sfu', 'wss://janus.example.com/', rooms.roomOf(code)]);
    assert.ok(path.tokenExpiresAt > Date.now() + 50_000 && path.tokenExpiresAt <= Date.now() + 60_000);

    const session = await sessionFor(path);
    const { data } = await joinRoom(session, path.room, path.roomToken, 'alice');
    assert.deepEqual([data['videoroom'], data['id']], ['joined', 'alice']);

    // Another meeting's participant: their room token does not open this room, as a publisher or a subscriber.
    const other = rooms.mediaPath(otherCode, 'mallory');
    const mallory = await sessionFor(other);
    await assert.rejects(joinRoom(mallory, path.room, other.roomToken, 'mallory'), { kind: 'plugin', code: 433 });
    const subscriber = await mallory.attach('janus.plugin.videoroom');
    await assert.rejects(
      subscriber.request({ request: 'join', ptype: 'subscriber', room: path.room, streams: [{ feed: 'alice' }], token: other.roomToken }),
      { kind: 'plugin', code: 433 },
    );
    // No room token at all.
    await assert.rejects(
      mallory.attach('janus.plugin.videoroom').then((handle) => handle.request({ request: 'join', ptype: 'publisher', room: path.room, id: 'x' })),
      { kind: 'plugin', code: 433 },
    );

    // Forged: the right shape, signed with another secret.
    const forger = new SfuRooms({ ...janusConfig(), tokenSecret: 'f'.repeat(32), maxPublishers: 50 }, createLogger('silent'), new SqliteMeetingStore(':memory:'));
    const forged = forger.mediaPath(code, 'mallory');
    await forger.close();
    await assert.rejects(sessionFor(forged), { kind: 'janus', code: 403 });
    await assert.rejects(joinRoom(mallory, path.room, forged.roomToken, 'mallory'), { kind: 'plugin', code: 433 });

    // Expired: issued long enough ago.
    const expired = rooms.mediaPath(code, 'alice', Date.now() - 65_000);
    await assert.rejects(sessionFor(expired), { kind: 'janus', code: 403 });
    await assert.rejects(joinRoom(session, path.room, expired.roomToken, 'alice2'), { kind: 'plugin', code: 433 });
  });

  test('closing a room destroys it, and tells whoever is in it', async () => {
    const code = newCode();
    await rooms.openRoom(code);
    const path = rooms.mediaPath(code, 'bob');
    const { handle } = await joinRoom(await sessionFor(path), path.room, path.roomToken, 'bob');
    const destroyed = nextEvent(handle, (data) => data['videoroom'] === 'destroyed');
    await rooms.closeRoom(code);
    assert.equal((await destroyed)['room'], path.room);
    assert.equal((await roomInfo(path.room)).found, undefined);
    // Closing it again (another node, the sweep) is no failure.
    await rooms.closeRoom(code);
  });

  test('a kick takes the participant out of the room; kicking someone not in it is no failure', async () => {
    const code = newCode();
    await rooms.openRoom(code);
    const path = rooms.mediaPath(code, 'carol');
    const { handle } = await joinRoom(await sessionFor(path), path.room, path.roomToken, 'carol');
    const kicked = nextEvent(handle, (data) => data['leaving'] !== undefined);
    await rooms.kick(code, 'carol');
    assert.equal((await kicked)['reason'], 'kicked');
    await rooms.kick(code, 'nobody');
  });

  test('the sweep destroys the rooms of meetings that are over and keeps the others', async () => {
    const over = newCode();
    const open = newCode();
    await rooms.openRoom(over);
    await rooms.openRoom(open);
    const closed = await rooms.sweep(async (code) => code === over);
    assert.ok(closed >= 1);
    assert.equal((await roomInfo(rooms.roomOf(over))).found, undefined);
    assert.ok((await roomInfo(rooms.roomOf(open))).found);
  });

  test('with Janus down, opening a room fails with a MediaServerError; once Janus is back, it works again, rooms it lost included', async () => {
    const code = newCode();
    const opened = newCode();
    await rooms.openRoom(opened);
    await janus.kill();
    try {
      await assert.rejects(rooms.openRoom(code), (error: unknown) => error instanceof MediaServerError && /unavailable/.test(error.message));
      await assert.rejects(rooms.openRoom(code), MediaServerError);
    } finally {
      await janus.restart();
    }
    await rooms.openRoom(code);
    assert.ok((await roomInfo(rooms.roomOf(code))).found);
    // Opened before the restart, forgotten by Janus since: opened again.
    await rooms.openRoom(opened);
    assert.ok((await roomInfo(rooms.roomOf(opened))).found);
  });

  const janusConfig = () => ({
    instances: [{ url: janus.url, publicUrl: janus.url }],
    tokenSecret: janus.tokenSecret,
    adminKey: janus.adminKey,
    tokenLifetimeMs: 60_000,
    timeoutMs: 5_000,
  });
});
