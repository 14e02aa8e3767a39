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

/**
 * This browser's secret for `server`: made once and kept in localStorage (so across reloads, tabs and restarts),
 * else sessionStorage (this tab, across reloads), else this page only. Private windows keep it until they close.
 */
export function sessionSecret(server: string, stores: SessionStores = browserStores): string {
  let origin = server;
  try {
    origin = new URL(server, globalThis.location?.href).origin;
  } catch {
    // Not a URL: the server string as given names it well enough.
  }
  const key = SESSION_KEY_PREFIX + origin;
  for (const store of stores) {
    try {
      const storage = store();
      const kept = storage.getItem(key);
      if (kept) return kept;
      const secret = pageSecrets.get(key) ?? randomSecret();
      storage.setItem(key, secret);
      return secret;
    } catch {
      // Blocked (a sandboxed iframe, cookies and site data off) or full: try the next store.
    }
  }
  const secret = pageSecrets.get(key) ?? randomSecret();
  pageSecrets.set(key, secret);
  return secret;
}

/**
 * The `sessionId` to join meeting `code` with: SHA-256 of the browser's secret and the meeting's canonical code, so
 * the same browser is the same session in one meeting across reloads, yet no server can link its sessions in two
 * meetings. Where Web Crypto's digest is missing (pages not in a secure context), a random id for this page.
 */
export async function sessionIdFor(secret: string, code: string): Promise<string> {
  const meeting = normalizeMeetingCode(code) ?? code;
  if (!globalThis.crypto?.subtle) {
    const key = `${secret}\n${meeting}`;
    const id = pageSecrets.get(key) ?? randomSecret();
    pageSecrets.set(key, id);
    return id;
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${secret}\n${meeting}`));
  return base64url(new Uint8Array(digest));
}
