import { createHmac } from 'node:crypto';

/** The VideoRoom's package name: the plugin part of a core token, and the realm of a room token. */
export const VIDEOROOM_PLUGIN = 'janus.plugin.videoroom';

/**
 * Signs a Janus token as Janus's auth.c checks it with `token_auth_secret`: `<expiry>,<realm>,<descriptor>…` then
 * `:` and the base64 HMAC-SHA1 of that part. Janus checks the expiry (whole seconds since the epoch), the realm,
 * that the descriptor it looks for is among the listed ones, and the signature; it ignores the other descriptors.
 */
export function signJanusToken(secret: string, expiresAtMs: number, realm: string, descriptors: string[]): string {
  const data = [String(Math.floor(expiresAtMs / 1000)), realm, ...descriptors].join(',');
  return `${data}:${createHmac('sha1', secret).update(data).digest('base64')}`;
}

/**
 * The token every Janus request carries (realm `janus`), letting its bearer use the VideoRoom and no other plugin.
 * `participant` is written in for whoever reads Janus's logs; Janus does not check it.
 */
export function signCoreToken(secret: string, expiresAtMs: number, participant?: string): string {
  return signJanusToken(secret, expiresAtMs, 'janus', [VIDEOROOM_PLUGIN, ...(participant ? [`participant=${participant}`] : [])]);
}

/**
 * The token a VideoRoom `join` (publisher or subscriber) carries in a room with `signed_tokens`: the VideoRoom
 * checks the realm `janus.plugin.videoroom` and the descriptor `room=<room>`, so it opens that room and no other.
 */
export function signRoomToken(secret: string, expiresAtMs: number, room: string, participant?: string): string {
  return signJanusToken(secret, expiresAtMs, VIDEOROOM_PLUGIN, [`room=${room}`, ...(participant ? [`participant=${participant}`] : [])]);
}
