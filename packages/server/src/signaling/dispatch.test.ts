import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolErrorCode, type Result } from '@parley/protocol';
import { mediaStateSchema, participantTargetSchema } from '@parley/protocol/schemas';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import { bare, Dispatcher, ok, refusal, request, type RequestHandlers } from './dispatch.js';
import type { ParleySocket } from './types.js';

type Middleware = (event: unknown[]) => void;

/** The part of a Socket.IO socket the dispatcher uses: its one middleware, and disconnecting it. */
class FakeSocket {
  readonly id = 'socket-1';
  readonly request = {};
  disconnected = false;
  middleware: Middleware | undefined;
  use(middleware: Middleware): void {
    this.middleware = middleware;
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** Sends an event as a client would: the event name, its arguments, and an ack that records the answer. */
  send(event: string, ...args: unknown[]): Promise<Result<unknown>> {
    return new Promise((resolve) => this.middleware!([event, ...args, resolve]));
  }
}

function setUp(handlers: Partial<RequestHandlers>, points = 100) {
  const metrics = new Metrics();
  const dispatcher = new Dispatcher(handlers as RequestHandlers, {
    rateLimits: { socketEvents: { points, durationS: 60 }, clientIp: () => '127.0.0.1' },
    metrics,
    logger: createLogger('silent'),
  });
  const socket = new FakeSocket();
  dispatcher.attach(socket as unknown as ParleySocket);
  return { socket, metrics };
}

describe('Dispatcher', () => {
  test('a malformed payload is refused invalid-payload, naming the event and the field, and never reaches the handler', async () => {
    const calls: unknown[] = [];
    const { socket, metrics } = setUp({
      'mute-participant': request(participantTargetSchema, (_socket, payload) => {
        calls.push(payload);
        return ok(undefined);
      }),
    });
    const answer = await socket.send('mute-participant', { participantId: 42 });
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.error.code, ProtocolErrorCode.InvalidPayload);
    assert.match(!answer.ok ? answer.error.message : '', /^Invalid "mute-participant" payload: participantId: /);
    assert.deepEqual(calls, []);
    assert.match(await metrics.registry.metrics(), /^parley_refusals_total\{event="mute-participant",code="invalid-payload"\} 1$/m);
  });

  test('a valid payload reaches the handler as the schema outputs it, and the ack gets its answer', async () => {
    const states: unknown[] = [];
    const { socket } = setUp({
      'media-state': request(mediaStateSchema, (_socket, state) => {
        states.push(state);
        return ok(undefined);
      }),
    });
    assert.deepEqual(await socket.send('media-state', { audio: true, video: false, extra: 'dropped' }), { ok: true, data: undefined });
    assert.deepEqual(states, [{ audio: true, video: false }]);
  });

  test('a handler that throws or rejects is answered internal, and the next event is still dispatched', async () => {
    const { socket } = setUp({
      'leave-meeting': bare(() => {
        throw new Error('boom');
      }),
      'end-meeting': bare(async () => {
        throw new Error('boom');
      }),
      'deny-participant': request(participantTargetSchema, () => refusal(ProtocolErrorCode.NotHost, 'Only a host can do this')),
    });
    for (const event of ['leave-meeting', 'end-meeting']) {
      const answer = await socket.send(event);
      assert.deepEqual(answer, { ok: false, error: { code: ProtocolErrorCode.Internal, message: 'Internal server error' } });
    }
    const refused = await socket.send('deny-participant', { participantId: 'p1' });
    assert.equal(!refused.ok && refused.error.code, ProtocolErrorCode.NotHost);
  });

  test('unknown events, Object property names and events without an ack are dropped without an answer or a throw', () => {
    let handled = 0;
    const { socket } = setUp({
      'leave-meeting': bare(() => {
        handled += 1;
        return ok(undefined);
      }),
    });
    for (const event of ['no-such-event', 'constructor', '__proto__', 'toString']) {
      let answered = false;
      socket.middleware!([event, {}, () => (answered = true)]);
      assert.equal(answered, false, event);
    }
    socket.middleware!(['leave-meeting']);
    assert.equal(handled, 1);
    assert.equal(socket.disconnected, false);
  });

  test('past its budget of events a socket is disconnected and its events are no longer handled', async () => {
    let handled = 0;
    const { socket, metrics } = setUp(
      {
        'leave-meeting': bare(() => {
          handled += 1;
          return ok(undefined);
        }),
      },
      3,
    );
    for (let sent = 0; sent < 3; sent += 1) await socket.send('leave-meeting');
    assert.equal(socket.disconnected, false);
    socket.middleware!(['leave-meeting', () => undefined]);
    assert.equal(socket.disconnected, true);
    socket.middleware!(['leave-meeting', () => undefined]);
    assert.equal(handled, 3);
    assert.match(await metrics.registry.metrics(), /^parley_flood_disconnects_total 1$/m);
  });
});
