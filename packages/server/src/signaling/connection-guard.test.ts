import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import { addressKey } from './connection-guard.js';
import { createMeeting, join, knock, type TestClient, withTestServer } from '../../test/support/helpers.js';

/** A Socket.IO client that does not reconnect, from `localAddress` and with `headers`, not yet settled. */
function open(url: string, options: { localAddress?: string; headers?: Record<string, string> } = {}): TestClient {
  return connectClient(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
    localAddress: options.localAddress,
    extraHeaders: options.headers,
  } as Parameters<typeof connectClient>[1]);
}

/** Whether the client got in: resolves on `connect` (true) or on a refusal or close (false). */
function settled(socket: TestClient): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
    socket.once('disconnect', () => resolve(false));
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** Resolves with the reason `socket` is disconnected for, failing after `timeoutMs`. */
function disconnection(socket: TestClient, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Polls until `check` holds; fails after `timeoutMs` with `message`. */
async function eventually(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('connections per address', () => {
  test('2,000 connections from one address: the default cap of 500 holds, and another address still joins', async () => {
    await withTestServer({}, async (server) => {
      const hoard: TestClient[] = [];
      try {
        // In waves of 250 at once, so that handshakes race each other past the cap check, yet bounded in descriptors.
        let admitted = 0;
        for (let wave = 0; wave < 8; wave++) {
          const sockets = Array.from({ length: 250 }, () => open(server.url));
          hoard.push(...sockets);
          admitted += (await Promise.all(sockets.map(settled))).filter(Boolean).length;
        }
        // Handshakes admitted in a race beyond the cap are closed at once: count what stays open.
        await eventually(async () => (await metric(server.url, 'parley_sockets')) <= 500, 'more than 500 sockets open');
        const open500 = hoard.filter((socket) => socket.connected).length;
        assert.equal(open500, 500, `500 stay open (${admitted} got through a handshake)`);
        assert.equal(await metric(server.url, 'parley_sockets'), 500);
        assert.equal(await metric(server.url, 'parley_connections_refused_total'), 1500, 'every refusal counted');

        // Someone from another address is unaffected: connects and joins.
        const meeting = await createMeeting(server);
        const neighbour = open(server.url, { localAddress: '127.0.0.2' });
        hoard.push(neighbour);
        assert.equal(await settled(neighbour), true, '127.0.0.2 connects');
        const joined = await join(neighbour, meeting.code, 'Ada', meeting.hostKey);
        assert.equal(joined.self.isHost, true);

        // The cap counts open connections: once some close, the address may connect again.
        for (const socket of hoard.filter((client) => client.connected && client !== neighbour).slice(0, 10)) socket.disconnect();
        await eventually(async () => (await metric(server.url, 'parley_sockets')) === 491, 'the ten closed ones are gone');
        const again = open(server.url);
        hoard.push(again);
        assert.equal(await settled(again), true, 'below the cap again');
      } finally {
        for (const socket of hoard) socket.disconnect();
      }
    });
  });

  test('behind a trusted proxy the forwarded client address counts, and an untrusted X-Forwarded-For is ignored', async () => {
    const hoard: TestClient[] = [];
    try {
      await withTestServer({ MAX_CONNECTIONS_PER_ADDRESS: '3', TRUST_PROXY: 'loopback' }, async (server) => {
        const from = (ip: string) => {
          const socket = open(server.url, { headers: { 'X-Forwarded-For': ip } });
          hoard.push(socket);
          return settled(socket);
        };
        for (let index = 0; index < 3; index++) assert.equal(await from('203.0.113.7'), true);
        assert.equal(await from('203.0.113.7'), false, 'the fourth from that client is refused');
        assert.equal(await from('203.0.113.8'), true, 'another client behind the same proxy is not');
      });
      await withTestServer({ MAX_CONNECTIONS_PER_ADDRESS: '3' }, async (server) => {
        const results: boolean[] = [];
        for (let index = 0; index < 4; index++) {
          const socket = open(server.url, { headers: { 'X-Forwarded-For': `198.51.100.${index}` } });
          hoard.push(socket);
          results.push(await settled(socket));
        }
        assert.deepEqual(results, [true, true, true, false], 'without TRUST_PROXY a made-up header buys nothing');
      });
    } finally {
      for (const socket of hoard) socket.disconnect();
    }
  });

  test('addresses count together by IPv4 address and by IPv6 /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
  });
});

describe('idle connections', () => {
  test('a connection that never joins, or stops waiting, is closed after CONNECTION_IDLE_TIMEOUT_MS; members stay', async () => {
    await withTestServer({ CONNECTION_IDLE_TIMEOUT_MS: '1000' }, async (server) => {
      const sockets: TestClient[] = [];
      const client = async () => {
        const socket = open(server.url);
        sockets.push(socket);
        assert.equal(await settled(socket), true);
        return socket;
      };
      try {
        const meeting = await createMeeting(server);
        const host = await client();
        await join(host, meeting.code, 'Ada', meeting.hostKey);
        await host.emitWithAck('update-meeting', { waitingRoom: true });
        const waiter = await client();
        await knock(waiter, meeting.code, 'Bob');
        const quitter = await client();
        await knock(quitter, meeting.code, 'Carol');
        const lurker = await client();
        const lurkerClosed = disconnection(lurker);

        const started = Date.now();
        const reason = await lurkerClosed;
        assert.equal(reason, 'io server disconnect', 'the server closed it');
        const idleFor = Date.now() - started;
        assert.ok(idleFor >= 900, `not before the timeout (${idleFor} ms)`);

        // Giving up on the waiting room makes a connection idle from then on.
        const quitterClosed = disconnection(quitter);
        const stopped = Date.now();
        await quitter.emitWithAck('leave-meeting');
        await quitterClosed;
        assert.ok(Date.now() - stopped >= 900, 'counted from when it stopped waiting');

        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(host.connected, true, 'a participant is never idle');
        assert.equal(waiter.connected, true, 'nor is someone in the waiting room');
        assert.equal(await metric(server.url, 'parley_idle_disconnects_total'), 2);
      } finally {
        for (const socket of sockets) socket.disconnect();
      }
    });
  });
});
