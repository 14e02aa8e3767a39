import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LIMITS, normalizeMeetingCode } from '@parley/protocol';

/** Participant verification: the embedding site's backend signs a token per participant (docs/protocol.md). */
export interface ParticipantTokenConfig {
  /** HS256 shared secret (`AUTH_TOKEN_SECRET`); exactly one of `secret` and `jwksUrl` is set. */
  secret?: Uint8Array;
  /** The site's JSON Web Key Set (`AUTH_JWKS_URL`), for asymmetric signatures. */
  jwksUrl?: URL;
  /** Required `iss` (`AUTH_ISSUER`), when set. */
  issuer?: string;
  /** Required `aud` (`AUTH_AUDIENCE`), when set. */
  audience?: string;
}

/** What a valid token says about its bearer. */
export interface ParticipantClaims {
  /** Canonical code of the one meeting the token admits to. */
  meeting: string;
  /** Display name the site vouches for; replaces the one in the request. */
  name: string | undefined;
  /** `role: 'host'`. */
  host: boolean;
  /** `sub`: who the site says this is; a removed subject cannot come back to that meeting. */
  subject: string | undefined;
}

export type TokenVerdict =
  | { ok: true; claims: ParticipantClaims }
  /** `retryable`: the server could not check (its key set is unreachable), the token may well be fine. */
  | { ok: false; reason: string; retryable: boolean };

/** Algorithms a remote key set may sign with: asymmetric ones only (a shared secret never comes from a URL). */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** jose errors that mean "this token is no good", as opposed to "the key set could not be fetched". */
const TOKEN_FAULTS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/** Clock skew tolerated between the site's backend and this server, in seconds. */
const CLOCK_TOLERANCE_S = 5;

/** Verifies participant tokens with jose: signature, `exp`, optional `iss`/`aud`, then Parley's own claims. */
export class ParticipantTokens {
  readonly #key: Uint8Array | JWTVerifyGetKey;
  readonly #algorithms: string[];
  readonly #config: ParticipantTokenConfig;

  constructor(config: ParticipantTokenConfig) {
    this.#config = config;
    if (config.secret) {
      this.#key = config.secret;
      this.#algorithms = ['HS256'];
    } else if (config.jwksUrl) {
      // Cached for 10 minutes; an unknown `kid` refetches at most every 30 s (key rotation).
      this.#key = createRemoteJWKSet(config.jwksUrl, { timeoutDuration: 5000 });
      this.#algorithms = ASYMMETRIC_ALGORITHMS;
    } else {
      throw new Error('ParticipantTokens needs a secret or a JWKS URL');
    }
  }

  /** Checks `token` for a join of the meeting `typedCode` (as typed; compared normalized). */
  async verify(token: string | undefined, typedCode: string): Promise<TokenVerdict> {
    if (!token) return { ok: false, reason: 'no token', retryable: false };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#key as Uint8Array, {
        algorithms: this.#algorithms,
        issuer: this.#config.issuer,
        audience: this.#config.audience,
        requiredClaims: ['exp', 'meeting'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && TOKEN_FAULTS.has(code)) return { ok: false, reason: code, retryable: false };
      return { ok: false, reason: `key set unavailable: ${(error as Error).message}`, retryable: true };
    }
    const meeting = typeof payload.meeting === 'string' ? normalizeMeetingCode(payload.meeting) : null;
    if (!meeting) return { ok: false, reason: 'claim "meeting" is not a meeting code', retryable: false };
    if (meeting !== normalizeMeetingCode(typedCode)) return { ok: false, reason: 'token is for another meeting', retryable: false };
    let name: string | undefined;
    if (payload.name !== undefined) {
      name = typeof payload.name === 'string' ? payload.name.trim() : '';
      if (name.length < 1 || name.length > LIMITS.nameLength) {
        return { ok: false, reason: `claim "name" must be 1 to ${LIMITS.nameLength} characters`, retryable: false };
      }
    }
    const role = payload.role ?? 'participant';
    if (role !== 'host' && role !== 'participant') return { ok: false, reason: 'claim "role" must be "host" or "participant"', retryable: false };
    const subject = typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : undefined;
    return { ok: true, claims: { meeting, name, host: role === 'host', subject } };
  }
}
