import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../logger.js';
import type { Member } from './presence.js';
import { RedisReplication, SingleNode, type ReplicatedMembership } from './replication.js';
import type { MemberSnapshot, ParleyServer, ParleySocket } from './types.js';

/** The part of a Socket.IO server replication uses: its sockets, rooms, and server-side events between nodes. */
class FakeServer {
  readonly sockets = { sockets: new Map<string, { id: string }>() };
  readonly sent: unknown[][] = [];
  readonly listeners = new Map<string, (...args: never[]) => void>();
  readonly local = { to: (room: string) => ({ room, local: true }) };
  to(room: string) {
    return { room };
  }
  on(event: string, listener: (...args: never[]) => void): void {
    this.listeners.set(event, listener);
  }
  serverSideEmit(...args: unknown[]): void {
    this.sent.push(args);
  }
  /** Another node says something. */
  hear(event: string, ...args: unknown[]): void {
    (this.listeners.get(event) as (...args: unknown[]) => void)(...args);
  }
}

const member = (overrides: Partial<Member> = {}): Member => ({
  info: { id: 'p1', name: 'Ada', isHost: false, audioEnabled: true, videoEnabled: false, screenSharing: false },
  meetingCode: 'abc-defg-hij',
  removalMarks: [],
  socketId: 's1',
  heldMessages: [],
  joinedAt: 1,
  listedInJoinAnswer: ['p0'],
  ...overrides,
});

/** Membership that records what other nodes said, and holds whoever `memberHeard` adds. */
function membership(members: Member[] = []): ReplicatedMembership & { heard: string[] } {
  const heard: string[] = [];
  return {
    heard,
    members: () => members,
    waiters: () => [],
    memberHeard: (snapshot: MemberSnapshot) => {
      heard.push(`member ${snapshot.info.id}`);
      const isNew = !members.some((known) => known.info.id === snapshot.info.id);
      if (isNew) members.push({ ...snapshot, heldMessages: [] });
      return isNew;
    },
    memberDropped: (code, id, reason) => void heard.push(`drop ${code} ${id} ${reason}`),
    meetingEnded: (code) => void heard.push(`ended ${code}`),
    waiterHeard: (waiter) => void heard.push(`waiter ${waiter.id}`),
    waiterSettled: async (code, id, verdict) => void heard.push(`settled ${code} ${id} ${verdict}`),
    nodeGone: (gone) => void heard.push(`gone ${gone.info.id}`),
    storeOccupancy: () => void heard.push('store occupancy'),
  };
}

describe('SingleNode', () => {
  test('owns everyone, sends nothing, and finds nobody it does not know', () => {
    const io = new FakeServer();
    const replication = new SingleNode(io as unknown as ParleyServer);
    replication.start();
    const ada = member();
    replication.publish();
    replication.dropped();
    replication.meetingEnded();
    assert.equal(replication.owns(), true);
    assert.equal(replication.nodeId, undefined);
    assert.equal(replication.linked, true);
    assert.equal(replication.arrival(), undefined);
    assert.equal(replication.connectedElsewhere(), false);
    assert.deepEqual(io.sent, []);
    assert.equal(io.listeners.size, 0);
    // A relay goes straight to the target's socket when it is here, else to their room (a recovering connection).
    const socket = { id: 's1' };
    io.sockets.sockets.set('s1', socket);
    assert.equal(replication.relayTarget(ada, 's1'), socket);
    assert.deepEqual(replication.relayTarget(ada, 's2'), { room: 'participant:p1' });
    assert.equal(replication.beforeClose(socket as unknown as ParleySocket), socket);
    assert.deepEqual(replication.ownConnections('meeting:abc-defg-hij'), { room: 'meeting:abc-defg-hij' });
  });
});

describe('RedisReplication', () => {
  test('says hello, publishes its own participants as snapshots, and applies what other nodes say', async () => {
    const io = new FakeServer();
    const replication = new RedisReplication(io as unknown as ParleyServer, 'node-a', createLogger('silent'));
    const own = member({ node: 'node-a' });
    const members = [own];
    const applied = membership(members);
    replication.start(applied);
    try {
      assert.deepEqual(io.sent, [['presence:hello', 'node-a']]);
      replication.publish(own);
      const [event, snapshot] = io.sent.at(-1)!;
      assert.equal(event, 'presence:member');
      assert.deepEqual(snapshot, {
        info: own.info,
        meetingCode: own.meetingCode,
        removalMarks: [],
        socketId: 's1',
        node: 'node-a',
        joinedAt: 1,
        listedInJoinAnswer: ['p0'],
        tokenIssuedAt: undefined,
        previousTokenIssuedAt: undefined,
        handRaisedAt: undefined,
        recordingSince: undefined,
        recordingAllowed: undefined,
      });
      assert.equal(replication.owns(own), true);
      assert.equal(replication.owns(member({ node: 'node-b' })), false);

      // A relay to someone another node has not announced here yet waits for them.
      const arriving = replication.arrival('abc-defg-hij', 'p2');
      let arrived = false;
      void arriving.then(() => (arrived = true));
      io.hear('presence:member', { ...member({ node: 'node-b' }), info: { ...own.info, id: 'p2' }, node: 'node-b' });
      await arriving;
      assert.equal(arrived, true);

      io.hear('presence:drop', 'abc-defg-hij', 'p2', 'left');
      io.hear('meeting:ended', 'abc-defg-hij');
      assert.deepEqual(applied.heard, ['member p2', 'drop abc-defg-hij p2 left', 'ended abc-defg-hij']);
      // A new node's hello is answered with this node's own participants.
      const before = io.sent.length;
      io.hear('presence:hello', 'node-c');
      assert.deepEqual(
        io.sent.slice(before).map(([sent]) => sent),
        ['presence:hello', 'presence:member'],
      );
      // Closing must not send anything more to the other nodes (the Redis client is about to close).
      replication.close();
      replication.publish(own);
      replication.meetingEnded('abc-defg-hij');
      assert.equal(io.sent.length, before + 2);
    } finally {
      replication.close();
    }
  });

  test('while its Redis link is down it is not linked; once back it re-asserts its participants', () => {
    const io = new FakeServer();
    const replication = new RedisReplication(io as unknown as ParleyServer, 'node-a', createLogger('silent'));
    replication.start(membership([member({ node: 'node-a' })]));
    try {
      assert.equal(replication.linked, true);
      replication.linkChanged(false);
      assert.equal(replication.linked, false);
      const before = io.sent.length;
      replication.linkChanged(true);
      assert.equal(replication.linked, true);
      assert.deepEqual(
        io.sent.slice(before).map(([sent]) => sent),
        ['presence:member', 'presence:hello'],
      );
      // Words before a close go to the connection on this node directly, not through the adapter's stream.
      assert.deepEqual(replication.beforeClose({ id: 's1' } as ParleySocket), { room: 's1', local: true });
      assert.equal(replication.connectedElsewhere(member(), undefined), true);
      assert.equal(replication.connectedElsewhere(member({ socketId: null }), undefined), false);
    } finally {
      replication.close();
    }
  });
});
