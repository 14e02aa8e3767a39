import { createHmac } from 'node:crypto';
import type { IceServerConfig } from '@parley/protocol';
import type { TurnConfig } from './config.js';

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest), as coturn's `use-auth-secret` checks them: username
 * `<expiry in Unix seconds>:<user>`, credential base64(HMAC-SHA1(secret, username)). Nothing is stored: coturn
 * recomputes the HMAC and refuses the username once its expiry has passed.
 */
export function turnCredentials(
  secret: string,
  user: string,
  ttlS: number,
  now = Date.now(),
): { username: string; credential: string } {
  const username = `${Math.floor(now / 1000) + ttlS}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** The ICE servers one participant is handed: the configured ones, then TURN with credentials of its own. */
export function iceServersFor(
  participantId: string,
  iceServers: IceServerConfig[],
  turn: TurnConfig | undefined,
  now = Date.now(),
): IceServerConfig[] {
  if (!turn) return iceServers;
  return [...iceServers, { urls: turn.urls, ...turnCredentials(turn.secret, participantId, turn.ttlS, now) }];
}
