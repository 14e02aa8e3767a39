import { LIMITS } from './limits.js';

/** The reactions anyone can send (`send-reaction`): the server refuses every other string. */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉'] as const;

export type Reaction = (typeof REACTIONS)[number];

/**
 * A token bucket: `burst` reactions at once, then one more every `LIMITS.reactionIntervalMs`. The server holds each
 * participant to `LIMITS.reactionBurst`; the reference client holds itself to one less, so that the network bunching
 * its reactions on the way never makes the server refuse one.
 */
export class ReactionAllowance {
  readonly #burst: number;
  #tokens: number;
  #at = 0;

  constructor(burst: number) {
    this.#burst = this.#tokens = burst;
  }

  /** 0 when a reaction may go now (and counts it); else how many milliseconds until one may. */
  take(now = Date.now()): number {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) / LIMITS.reactionIntervalMs);
    this.#at = now;
    if (this.#tokens < 1) return (1 - this.#tokens) * LIMITS.reactionIntervalMs;
    this.#tokens--;
    return 0;
  }
}
