import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit, ServerConfig } from './config.js';

/** Whole seconds until a limited key may try again; at least 1. */
function retryAfterSeconds(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}

function limiter(limit: RateLimit, keyPrefix: string): RateLimiterMemory {
  return new RateLimiterMemory({ points: limit.points, duration: limit.durationS, keyPrefix });
}

/**
 * Shared by every node through Redis; while Redis is unreachable, each node counts in memory meanwhile (the
 * insurance limiter) rather than letting everything through or refusing everyone.
 */
function sharedLimiter(limit: RateLimit, keyPrefix: string, redis: unknown): RateLimiterAbstract {
  return new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    points: limit.points,
    duration: limit.durationS,
    keyPrefix: `parley:rate:${keyPrefix}`,
    insuranceLimiter: limiter(limit, keyPrefix),
  });
}

/**
 * The server's rate limits (rate-limiter-flexible). Per client IP (failed joins, meeting creations): in memory on
 * one node, in Redis when given a client, so that spreading requests over nodes gains nothing. Per socket (events):
 * the limit only: the signaling counts it synchronously in the socket's own state (a socket lives on one node), as
 * a limiter's promise per event was a measurable share of the relay's CPU.
 */
export class RateLimits {
  readonly joinFailures: RateLimiterAbstract;
  readonly createMeeting: RateLimiterAbstract;
  readonly api: RateLimiterAbstract;
  readonly socketEvents: RateLimit;
  readonly #trustProxy: ServerConfig['trustProxy'];

  constructor(config: Pick<ServerConfig, 'rateLimits' | 'trustProxy'>, redis?: unknown) {
    const perIp = (limit: RateLimit, keyPrefix: string) => (redis ? sharedLimiter(limit, keyPrefix, redis) : limiter(limit, keyPrefix));
    this.joinFailures = perIp(config.rateLimits.joinFailures, 'join-failures');
    this.createMeeting = perIp(config.rateLimits.createMeeting, 'create-meeting');
    this.api = perIp(config.rateLimits.api, 'api');
    this.socketEvents = config.rateLimits.socketEvents;
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
  static async take(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return retryAfterSeconds(rejection);
      throw rejection;
    }
  }
}
