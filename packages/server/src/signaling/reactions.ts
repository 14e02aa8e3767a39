import { LIMITS, ReactionAllowance } from '@parley/protocol';
import type { Member } from './presence.js';

/**
 * Each participant's allowance of reactions (`send-reaction`): `LIMITS.reactionBurst` at once, then one per
 * `LIMITS.reactionIntervalMs`. Kept with the member, the same object through reconnections and resumes on this node,
 * so those start no fresh burst (a node that takes a participant over, after a crash or from another node, does).
 */
export class ReactionLimits {
  readonly #allowances = new WeakMap<Member, ReactionAllowance>();

  /** 0 when `member` may react now (and counts it); else milliseconds until they may. */
  take(member: Member, now = Date.now()): number {
    let allowance = this.#allowances.get(member);
    if (!allowance) this.#allowances.set(member, (allowance = new ReactionAllowance(LIMITS.reactionBurst)));
    return allowance.take(now);
  }
}
