import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit, ServerConfig } from './config.js';

/** Whole seconds until a limited key may try again; at least 1. */
export function retryAfterSeconds(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}

function limiter(limit: RateLimit, keyPrefix: string): RateLimiterMemory {
  return new RateLimiterMemory({ points: limit.points, duration: limit.durationS, keyPrefix });
}

/** The server's rate limits, in memory on this node (rate-limiter-flexible). */
export class RateLimits {
  readonly joinFailures: RateLimiterMemory;
  readonly createMeeting: RateLimiterMemory;
  readonly socketEvents: RateLimiterMemory;
  readonly #trustProxy: ServerConfig['trustProxy'];

  constructor(config: Pick<ServerConfig, 'rateLimits' | 'trustProxy'>) {
    this.joinFailures = limiter(config.rateLimits.joinFailures, 'join-failures');
    this.createMeeting = limiter(config.rateLimits.createMeeting, 'create-meeting');
    this.socketEvents = limiter(config.rateLimits.socketEvents, 'socket-events');
    this.#trustProxy = config.trustProxy;
  }

  /** The client's address: the peer's, or what trusted proxies say in `X-Forwarded-For`. */
  clientIp(request: IncomingMessage): string {
    return proxyAddr(request, this.#trustProxy);
  }

  /**
   * `undefined` if `key` may still fail at joining; else how many seconds until it may try again. Checked before
   * every join, so once blocked even the right code is refused: the limit would be no defence otherwise.
   */
  async joinBlocked(key: string): Promise<number | undefined> {
    const state = await this.joinFailures.get(key);
    if (!state || state.consumedPoints < this.joinFailures.points) return undefined;
    return retryAfterSeconds(state);
  }

  /** Counts a failed join for `key`. */
  async joinFailed(key: string): Promise<void> {
    await this.joinFailures.penalty(key, 1);
  }

  /** `undefined` if `key` may use this limiter once more now (and counts it); else seconds until it may. */
  static async take(limiter: RateLimiterMemory, key: string): Promise<number | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return retryAfterSeconds(rejection);
      throw rejection;
    }
  }
}
