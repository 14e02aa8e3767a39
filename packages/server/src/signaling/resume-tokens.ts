import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a resume token vouches for: enough to take a participant back on a server that has lost them. */
export interface ResumeClaims {
  /** Canonical meeting code. */
  meeting: string;
  participant: string;
  name: string;
  host: boolean;
  /** The participant's removal marks (hashed session id and token subject): a removed holder stays out. */
  removalMarks: string[];
  /** When it was issued, ms since the epoch. */
  issuedAt: number;
  /** When it stops being accepted, ms since the epoch. */
  expiresAt: number;
}

export type ResumeVerdict = { ok: true; claims: ResumeClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** The shape the signed payload is parsed into; anything else is `malformed`. */
interface Payload {
  m: string;
  p: string;
  n: string;
  h: boolean;
  r: string[];
  i: number;
  x: number;
}

/** Domain separation: this key signs nothing else, but a MAC over a labelled message cannot be replayed elsewhere. */
const LABEL = 'parley-resume-v1.';

/**
 * Resume tokens signed with HMAC-SHA256: `<base64url(JSON claims)>.<base64url(MAC)>`. Any process holding the same
 * secret (every node of a cluster, or the next process after a crash) verifies them without any state, so a server
 * that lost its participants can still tell a participant from a forgery.
 */
export class ResumeTokens {
  readonly #secret: Buffer;
  /** How long a token is accepted after it is issued. */
  readonly lifetimeMs: number;

  constructor(secret: Buffer, lifetimeMs: number) {
    if (secret.length < 32) throw new Error('A resume token secret needs at least 32 bytes');
    this.#secret = secret;
    this.lifetimeMs = lifetimeMs;
  }

  issue(claims: Omit<ResumeClaims, 'issuedAt' | 'expiresAt'>, now = Date.now()): string {
    const payload: Payload = {
      m: claims.meeting,
      p: claims.participant,
      n: claims.name,
      h: claims.host,
      r: claims.removalMarks,
      i: now,
      x: now + this.lifetimeMs,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  verify(token: string, now = Date.now()): ResumeVerdict {
    const [body, mac, ...rest] = token.split('.');
    if (!body || !mac || rest.length > 0) return { ok: false, reason: 'malformed' };
    const expected = this.#mac(body);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    const payload = parsePayload(Buffer.from(body, 'base64url').toString());
    if (!payload) return { ok: false, reason: 'malformed' };
    if (payload.x <= now) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: {
        meeting: payload.m,
        participant: payload.p,
        name: payload.n,
        host: payload.h,
        removalMarks: payload.r,
        issuedAt: payload.i,
        expiresAt: payload.x,
      },
    };
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#secret).update(LABEL).update(body).digest();
  }
}

/** Only a payload this class signed gets here; checked all the same, so a leaked key meets no type confusion. */
function parsePayload(json: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { m, p, n, h, r, i, x } = value as Record<string, unknown>;
  const strings = [m, p, n].every((field) => typeof field === 'string');
  const marks = Array.isArray(r) && r.every((mark) => typeof mark === 'string');
  const times = [i, x].every((field) => Number.isSafeInteger(field));
  return strings && marks && times && typeof h === 'boolean' ? (value as Payload) : undefined;
}
