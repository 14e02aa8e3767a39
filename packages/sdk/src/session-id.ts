import { normalizeMeetingCode } from '@parley/protocol';

/** Where a browser keeps its session secret for one Parley server (the key ends with the server's origin). */
export const SESSION_KEY_PREFIX = 'parley-session:';

/** The stores tried in turn: one that throws (blocked, full, absent) is skipped. */
export type SessionStores = readonly (() => Pick<Storage, 'getItem' | 'setItem'>)[];

const browserStores: SessionStores = [() => localStorage, () => sessionStorage];

/** Secrets kept for the page's life when no store would keep them, by storage key. */
const pageSecrets = new Map<string, string>();

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return base64url(bytes);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The stored value under `key` in the first store that keeps it, made now if there is none. */
function kept(key: string, stores: SessionStores): string {
  for (const store of stores) {
    try {
      const storage = store();
      const value = storage.getItem(key);
      if (value) return value;
      const made = pageSecrets.get(key) ?? randomSecret();
      storage.setItem(key, made);
      return made;
    } catch {
      // Blocked (a sandboxed iframe, cookies and site data off) or full: try the next store.
    }
  }
  const made = pageSecrets.get(key) ?? randomSecret();
  pageSecrets.set(key, made);
  return made;
}

/** The storage key for `server`: its origin, or the string as given when it is no URL. */
function serverKey(server: string): string {
  try {
    return SESSION_KEY_PREFIX + new URL(server, globalThis.location?.href).origin;
  } catch {
    return SESSION_KEY_PREFIX + server;
  }
}

/**
 * This browser's secret for `server`: made once and kept in localStorage (so across reloads, tabs and restarts),
 * else sessionStorage (this tab, across reloads), else this page only. Private windows keep it until they close.
 */
export function sessionSecret(server: string, stores: SessionStores = browserStores): string {
  return kept(serverKey(server), stores);
}

/**
 * The `sessionId` to join meeting `code` on `server` with: SHA-256 of the browser's secret and the meeting's
 * canonical code, so the same browser is the same session in one meeting across reloads, yet no server can link its
 * sessions in two meetings. Where Web Crypto's digest is missing (pages not in a secure context, such as
 * http://192.168.x.x), a random id kept per server and meeting in the same stores, which is as stable and unlinkable.
 */
export async function sessionIdFor(server: string, code: string, stores: SessionStores = browserStores): Promise<string> {
  const meeting = normalizeMeetingCode(code) ?? code;
  if (!globalThis.crypto?.subtle) return kept(`${serverKey(server)}:${meeting}`, stores);
  const secret = sessionSecret(server, stores);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${secret}\n${meeting}`));
  return base64url(new Uint8Array(digest));
}
