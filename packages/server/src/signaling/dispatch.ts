import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import {
  ProtocolErrorCode,
  type ProtocolError,
  type RequestData,
  type RequestEvent,
  type RequestPayload,
  type Result,
} from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RateLimits } from '../rate-limits.js';
import type { ParleySocket } from './types.js';

/** A handler's answer: synchronous where it can be (relays), else a promise. */
export type Outcome<T> = Result<T> | Promise<Result<T>>;

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function refusal(code: ProtocolErrorCode, message: string, extra?: Pick<ProtocolError, 'retryAfter'>): Result<never> {
  return { ok: false, error: { code, message, ...extra } };
}

/** How one client event is validated and handled; its answer is the one the protocol gives the event's ack. */
export interface RequestHandler<E extends RequestEvent> {
  schema: z.ZodType | undefined;
  /** A hand check of the schema for the hottest event: its output, or `undefined` to ask zod. */
  quick?: ((payload: unknown) => unknown) | undefined;
  handle: (socket: ParleySocket, payload: never) => Outcome<RequestData<E>>;
  /** Relays time themselves. */
  timer?: { observe(seconds: number): void } | undefined;
}

/** A handler for every client event: the compiler sees to it that none is left without one. */
export type RequestHandlers = { [E in RequestEvent]: RequestHandler<E> };

/**
 * A handler for event `E` whose payload `schema` validates: `handle` gets the schema's output and answers what the
 * protocol says `E`'s ack receives. A schema for another event's payload does not compile.
 */
export function request<E extends RequestEvent, S extends z.ZodType<unknown, RequestPayload<E>>>(
  schema: S,
  handle: (socket: ParleySocket, payload: z.output<S>) => Outcome<RequestData<E>>,
  options: Pick<RequestHandler<E>, 'quick' | 'timer'> = {},
): RequestHandler<E> {
  return { schema, handle, ...options };
}

/** A handler for an event that carries no payload, only its ack. */
export function bare<E extends RequestEvent>(handle: (socket: ParleySocket) => Outcome<RequestData<E>>): RequestHandler<E> {
  return { schema: undefined, handle };
}

/** A handler as the dispatcher calls it, once validation has checked its payload. */
interface CheckedHandler {
  schema: z.ZodType | undefined;
  quick?: ((payload: unknown) => unknown) | undefined;
  handle: (socket: ParleySocket, payload: unknown) => Outcome<unknown>;
  timer?: { observe(seconds: number): void } | undefined;
}

export interface DispatchOptions {
  rateLimits: Pick<RateLimits, 'socketEvents' | 'clientIp'>;
  metrics: Pick<Metrics, 'floodDisconnects' | 'refusals'>;
  logger: Logger;
}

/**
 * Dispatches every client event to its handler: the payload is validated against its schema, the ack is always the
 * last argument, and no input — an unknown event, a missing ack, a wrong type, a throwing handler — can take the
 * server down. Each socket has a budget of events; past it the socket is disconnected.
 */
export class Dispatcher {
  readonly #options: DispatchOptions;
  readonly #handlers: Map<string, CheckedHandler>;

  constructor(handlers: RequestHandlers, options: DispatchOptions) {
    this.#options = options;
    // A Map, not the record: an event named like an Object property (`constructor`, `__proto__`) finds nothing.
    // Each handler gets only what its own schema let through: the table's types guarantee that pairing.
    this.#handlers = new Map(Object.entries(handlers) as [string, CheckedHandler][]);
  }

  /**
   * Every event counts against the socket's budget (a fixed window, as rate-limiter-flexible's memory limiter
   * counted it); past it the event is dropped and the socket disconnected. Counted synchronously in the socket's
   * one middleware, which also dispatches the event: no promise, no timer and no listener per event and socket.
   */
  attach(socket: ParleySocket): void {
    const { points, durationS } = this.#options.rateLimits.socketEvents;
    let used = 0;
    let windowEndsAt = 0;
    socket.use((event) => {
      // Socket.IO hands over packets a tick after reading them, so some may come after a disconnect: dropped, as
      // Socket.IO itself drops named events then.
      if (socket.disconnected) return;
      const now = Date.now();
      if (now >= windowEndsAt) {
        windowEndsAt = now + durationS * 1000;
        used = 0;
      }
      if (++used > points) {
        this.#options.metrics.floodDisconnects.inc();
        this.#options.logger.warn({ socket: socket.id, ip: this.#options.rateLimits.clientIp(socket.request) }, 'event flood: socket disconnected');
        socket.disconnect(true);
        return;
      }
      // `next` is never called: the event is handled here, so Socket.IO has no named event to emit afterwards.
      this.#dispatch(socket, event);
    });
  }

  #dispatch(socket: ParleySocket, args: unknown[]): void {
    const event = args[0] as string;
    const handler = this.#handlers.get(event);
    if (!handler) return;
    const started = handler.timer ? performance.now() : 0;
    const last = args.at(-1);
    const ack = args.length > 1 && typeof last === 'function' ? (last as (result: Result<unknown>) => void) : undefined;
    let outcome: Outcome<unknown>;
    try {
      const quick = handler.quick?.(args[1]);
      const parsed = quick !== undefined || !handler.schema ? { success: true as const, data: quick } : handler.schema.safeParse(args[1]);
      outcome = parsed.success ? handler.handle(socket, parsed.data) : refusal(ProtocolErrorCode.InvalidPayload, describeIssues(event, parsed.error));
    } catch (error) {
      outcome = this.#failed(socket, event, error);
    }
    // Relays to a known participant answer synchronously: no promise, no microtask, no closure on the hot path.
    if (outcome instanceof Promise) {
      outcome.then(
        (result) => this.#answer(socket, event, handler, started, ack, result),
        (error: unknown) => this.#answer(socket, event, handler, started, ack, this.#failed(socket, event, error)),
      );
    } else {
      this.#answer(socket, event, handler, started, ack, outcome);
    }
  }

  #failed(socket: ParleySocket, event: string, error: unknown): Result<never> {
    this.#options.logger.error({ err: error, event, socket: socket.id }, 'request handler failed');
    return refusal(ProtocolErrorCode.Internal, 'Internal server error');
  }

  #answer(
    socket: ParleySocket,
    event: string,
    handler: CheckedHandler,
    started: number,
    ack: ((result: Result<unknown>) => void) | undefined,
    result: Result<unknown>,
  ): void {
    if (!result.ok) {
      this.#options.metrics.refusals.inc({ event, code: result.error.code });
      this.#options.logger.info({ event, socket: socket.id, code: result.error.code }, 'request refused');
    } else {
      handler.timer?.observe((performance.now() - started) / 1000);
    }
    ack?.(result);
  }
}

function describeIssues(event: string, error: z.ZodError): string {
  const details = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
    .join('; ');
  return `Invalid "${event}" payload: ${details}`;
}
