import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import proxyAddr from 'proxy-addr';
import type { IceServerConfig } from '@parley/protocol';
import type { ParticipantTokenConfig } from './participant-tokens.js';
import type { JanusInstanceConfig, SfuConfig } from './sfu/sfu-rooms.js';

/** At most `points` in every `durationS` seconds (a fixed window per key). */
export interface RateLimit {
  points: number;
  durationS: number;
}

/** TURN REST API: every join gets credentials for these servers, minted from the shared secret. */
export interface TurnConfig {
  urls: string[];
  secret: string;
  /** How long minted credentials stay valid, in seconds (at most an hour). */
  ttlS: number;
}

/** Signed webhooks (docs/self-hosting.md, "Webhooks"): where they go and how hard delivery tries. */
export interface WebhookConfig {
  /** Every event goes to each of these (`WEBHOOK_URL`, a comma list). */
  urls: string[];
  /** The Standard Webhooks signing secret, `whsec_<base64>` (`WEBHOOK_SECRET`). */
  secret: string;
  /** Attempts per delivery before it is given up, the first included (`WEBHOOK_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** Wait before the first retry; each further retry waits twice as long (`WEBHOOK_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /** An attempt not answered within this long fails (`WEBHOOK_TIMEOUT_MS`). */
  timeoutMs: number;
}

/** Everything the server can be told, after defaults are applied. */
export interface ServerConfig {
  port: number;
  /** Interface to bind; `undefined` binds all, as Node does. */
  host: string | undefined;
  /** Origins allowed to open sockets and call the API; `'*'` lets any site embed Parley. */
  allowedOrigins: string[] | '*';
  /** Handed to every participant on join; empty (and no `turn`) means host candidates only. */
  iceServers: IceServerConfig[];
  /** Ephemeral TURN credentials per join, or `undefined`. */
  turn: TurnConfig | undefined;
  /** HTTPS and WSS with this certificate chain and key (PEM), or plain HTTP when `undefined`. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Several nodes share meetings and presence through this Redis (`redis://` or `rediss://`), or `undefined`. */
  redisUrl: string | undefined;
  /** SQLite database file for meetings, or `:memory:`. */
  databasePath: string;
  /** A meeting nobody joins stays joinable this long after it was created, or after its latest join. */
  meetingTtlMs: number;
  /** Once the last participant is gone, the meeting stays joinable this long, then its code is dead. */
  emptyMeetingGraceMs: number;
  /** How long a participant whose connection dropped keeps their place for a resume. */
  resumeWindowMs: number;
  /**
   * Signs resume tokens (`RESUME_TOKEN_SECRET`); unset, a random key kept in the storage (SQLite or Redis) is used,
   * made by the first process that needs it.
   */
  resumeTokenSecret: string | undefined;
  /**
   * Most participants in one meeting. In a mesh every one uploads a copy of their video to each other, so few (8 by
   * default); through the SFU, 50 by default.
   */
  maxParticipants: number;
  /**
   * How media travels: `mesh` (peer to peer), `sfu` through a Janus VideoRoom per meeting, or `auto`: peer to peer for
   * two, through Janus from three.
   */
  mediaMode: MediaMode;
  /** SFU mode's Janus and its secrets (`JANUS_*`); set exactly when `mediaMode` is `sfu` or `auto`. */
  sfu: SfuConfig | undefined;
  rateLimits: {
    /** `join-meeting` refused with `meeting-not-found`, per client IP. */
    joinFailures: RateLimit;
    /** `POST /api/meetings`, per client IP. */
    createMeeting: RateLimit;
    /** Every request to the server API (`/api/meetings…` but creation), per client IP, before the key is checked. */
    api: RateLimit;
    /** Every event one socket sends; past it the socket is disconnected. */
    socketEvents: RateLimit;
  };
  connections: {
    /** Most Socket.IO connections one client address (an IPv6 /64) may hold open on this node at once. */
    maxPerAddress: number;
    /** A connection that speaks for no participant (never joined, or left) is closed after this long; 0 never. */
    idleTimeoutMs: number;
  };
  /** Which proxies' `X-Forwarded-For` to believe for the client IP (proxy-addr's trust function). */
  trustProxy: (address: string, hop: number) => boolean;
  /** When set, `POST /api/meetings` needs `Authorization: Bearer <this key>`: only your backend creates meetings. */
  createMeetingKey: string | undefined;
  /**
   * The server API's key (`API_KEY`; docs/server-api.md): `Authorization: Bearer <key>` lets a backend manage
   * meetings, and create them too. Unset, `CREATE_MEETING_KEY` serves instead; with neither, the API is off.
   */
  apiKey: string | undefined;
  /** When set, every join must carry a participant token the embedding site signed (docs/protocol.md). */
  participantTokens: ParticipantTokenConfig | undefined;
  /** Signed webhooks to the embedding site's backend, or `undefined` (no `WEBHOOK_URL`). */
  webhooks: WebhookConfig | undefined;
  /** How long a graceful shutdown may take before the process gives up waiting. */
  shutdownTimeoutMs: number;
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  logLevel: string;
  /** `json` (the default): one JSON object per line, for log processors; `text`: plain lines for a person at a terminal. */
  logFormat?: LogFormat;
}

export type LogFormat = 'json' | 'text';

export type MediaMode = 'mesh' | 'sfu' | 'auto';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: LogFormat[] = ['json', 'text'];
const HOUR_S = 60 * 60;

/**
 * Reads configuration from environment variables, with command-line flags (`--port`, `--host`) taking precedence.
 * Every mistake is reported, one line each, in a single ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): ServerConfig {
  let flags: { port?: string; host?: string };
  try {
    flags = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const mistakes: string[] = [];
  /** Runs one parser; a ConfigError becomes a reported mistake and the default stands in meanwhile. */
  const read = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      mistakes.push(error.message);
      return fallback;
    }
  };
  const setting = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

  const media = read(
    () =>
      parseMediaMode(setting('MEDIA_MODE'), {
        url: setting('JANUS_URL'),
        publicUrl: setting('JANUS_PUBLIC_URL'),
        urls: setting('JANUS_URLS'),
        publicUrls: setting('JANUS_PUBLIC_URLS'),
        tokenSecret: setting('JANUS_TOKEN_SECRET'),
        adminKey: setting('JANUS_ADMIN_KEY'),
        tokenTtl: setting('JANUS_TOKEN_TTL_S'),
        timeout: setting('JANUS_TIMEOUT_MS'),
      }),
      { mode: 'mesh' as const, janus: undefined },
  );
  const config: ServerConfig = {
    port: read(() => parsePort(flags.port ?? setting('PORT') ?? '3000'), 3000),
    host: flags.host ?? setting('HOST'),
    allowedOrigins: read(() => parseOrigins(setting('ALLOWED_ORIGINS')), '*'),
    iceServers: read(() => parseIceServers(setting('ICE_SERVERS')), []),
    turn: read(() => parseTurn(setting('TURN_URLS'), setting('TURN_SECRET'), setting('TURN_TTL_S')), undefined),
    tls: read(() => parseTls(setting('TLS_CERT'), setting('TLS_KEY')), undefined),
    redisUrl: read(() => parseRedisUrl(setting('REDIS_URL')), undefined),
    databasePath: read(() => parseDatabasePath(setting('DATABASE_PATH'), setting('DATA_DIR')), ':memory:'),
    meetingTtlMs: read(() => parseDuration('MEETING_TTL_MS', setting('MEETING_TTL_MS') ?? String(24 * HOUR_S * 1000), 1), 0),
    emptyMeetingGraceMs: read(() => parseDuration('EMPTY_MEETING_GRACE_MS', setting('EMPTY_MEETING_GRACE_MS') ?? '300000'), 0),
    resumeWindowMs: read(() => parseDuration('RESUME_WINDOW_MS', setting('RESUME_WINDOW_MS') ?? '30000'), 0),
    resumeTokenSecret: read(() => parseSecret('RESUME_TOKEN_SECRET', setting('RESUME_TOKEN_SECRET')), undefined),
    maxParticipants: read(
      () => parseCount('MAX_PARTICIPANTS', setting('MAX_PARTICIPANTS') ?? String(DEFAULT_MAX_PARTICIPANTS[media.mode])),
      DEFAULT_MAX_PARTICIPANTS[media.mode],
    ),
    mediaMode: media.mode,
    sfu: undefined,
    rateLimits: {
      joinFailures: read(() => parseRateLimit('JOIN_FAILURE_LIMIT', setting('JOIN_FAILURE_LIMIT') ?? '10/600'), { points: 10, durationS: 600 }),
      createMeeting: read(() => parseRateLimit('CREATE_MEETING_LIMIT', setting('CREATE_MEETING_LIMIT') ?? '60/600'), { points: 60, durationS: 600 }),
      api: read(() => parseRateLimit('API_LIMIT', setting('API_LIMIT') ?? '600/60'), { points: 600, durationS: 60 }),
      socketEvents: read(() => parseRateLimit('SOCKET_EVENT_LIMIT', setting('SOCKET_EVENT_LIMIT') ?? '300/10'), { points: 300, durationS: 10 }),
    },
    connections: {
      maxPerAddress: read(() => parseCount('MAX_CONNECTIONS_PER_ADDRESS', setting('MAX_CONNECTIONS_PER_ADDRESS') ?? '500'), 500),
      idleTimeoutMs: read(() => parseIdleTimeout(setting('CONNECTION_IDLE_TIMEOUT_MS') ?? '600000'), 600_000),
    },
    trustProxy: read(() => parseTrustProxy(setting('TRUST_PROXY')), () => false),
    createMeetingKey: read(() => parseSecret('CREATE_MEETING_KEY', setting('CREATE_MEETING_KEY')), undefined),
    apiKey: read(() => parseSecret('API_KEY', setting('API_KEY')), undefined),
    participantTokens: read(
      () => parseParticipantTokens(setting('AUTH_TOKEN_SECRET'), setting('AUTH_JWKS_URL'), setting('AUTH_ISSUER'), setting('AUTH_AUDIENCE')),
      undefined,
    ),
    webhooks: read(
      () =>
        parseWebhooks({
          urls: setting('WEBHOOK_URL'),
          secret: setting('WEBHOOK_SECRET'),
          maxAttempts: setting('WEBHOOK_MAX_ATTEMPTS'),
          retryBaseMs: setting('WEBHOOK_RETRY_BASE_MS'),
          timeoutMs: setting('WEBHOOK_TIMEOUT_MS'),
        }),
      undefined,
    ),
    shutdownTimeoutMs: read(() => parseDuration('SHUTDOWN_TIMEOUT_MS', setting('SHUTDOWN_TIMEOUT_MS') ?? '10000', 1), 10_000),
    logLevel: read(() => parseLogLevel(setting('LOG_LEVEL') ?? 'info'), 'info'),
    logFormat: read(() => parseLogFormat(setting('LOG_FORMAT') ?? 'json'), 'json'),
  };
  // A room takes at least as many publishers as SFU mode's default meeting holds, more if meetings may be larger.
  if (media.janus) config.sfu = { ...media.janus, maxPublishers: Math.max(DEFAULT_MAX_PARTICIPANTS.sfu, config.maxParticipants) };
  if (mistakes.length > 0) {
    throw new ConfigError(mistakes.length === 1 ? mistakes[0]! : `${mistakes.length} mistakes:\n- ${mistakes.join('\n- ')}`);
  }
  return config;
}

/** What each media mode holds by default: a mesh saturates uplinks past a handful; the SFU was sized for 50. */
const DEFAULT_MAX_PARTICIPANTS: Record<MediaMode, number> = { mesh: 8, sfu: 50, auto: 50 };
/** Participants' Janus tokens last 10 minutes by default, renewed half way. */
const DEFAULT_JANUS_TOKEN_TTL_S = 600;
const MIN_JANUS_TOKEN_TTL_S = 10;
/** Janus answers a keepalive in milliseconds; 5 s of silence is a hang, not a busy moment. */
const DEFAULT_JANUS_TIMEOUT_MS = 5_000;
const MIN_JANUS_TIMEOUT_MS = 500;

interface JanusSettings {
  url: string | undefined;
  publicUrl: string | undefined;
  urls: string | undefined;
  publicUrls: string | undefined;
  tokenSecret: string | undefined;
  adminKey: string | undefined;
  tokenTtl: string | undefined;
  timeout: string | undefined;
}

/**
 * `MEDIA_MODE` and the `JANUS_*` settings: `auto` by default when Janus is configured (the mesh for two, the SFU from
 * three), the mesh otherwise; `sfu` puts every meeting on Janus.
 */
function parseMediaMode(
  value: string | undefined,
  janus: JanusSettings,
): { mode: MediaMode; janus: Omit<SfuConfig, 'maxPublishers'> | undefined } {
  if (value !== undefined && value !== 'mesh' && value !== 'sfu' && value !== 'auto') {
    throw new ConfigError(`MEDIA_MODE must be mesh, sfu or auto, got "${value}"`);
  }
  const mode = value ?? (janus.url || janus.urls ? 'auto' : 'mesh');
  if (mode === 'mesh') return { mode, janus: undefined };
  const instances = parseJanusInstances(janus);
  const secret = (name: string, text: string | undefined) => {
    if (text === undefined) throw new ConfigError(`${janus.urls ? 'JANUS_URLS' : 'JANUS_URL'} needs ${name} (see docs/self-hosting.md)`);
    if (text.length < MIN_SECRET_LENGTH) throw new ConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters, got ${text.length}`);
    if (/[\s",:]/.test(text)) throw new ConfigError(`${name} must not contain spaces, quotes, commas or colons (it goes into Janus's configuration and tokens)`);
    return text;
  };
  const ttlS = Number(janus.tokenTtl ?? DEFAULT_JANUS_TOKEN_TTL_S);
  if ((janus.tokenTtl !== undefined && !/^\d+$/.test(janus.tokenTtl)) || ttlS < MIN_JANUS_TOKEN_TTL_S || ttlS > 24 * HOUR_S) {
    throw new ConfigError(`JANUS_TOKEN_TTL_S must be a whole number of seconds from ${MIN_JANUS_TOKEN_TTL_S} to 86400, got "${janus.tokenTtl}"`);
  }
  return {
    mode,
    janus: {
      instances,
      tokenSecret: secret('JANUS_TOKEN_SECRET', janus.tokenSecret),
      adminKey: secret('JANUS_ADMIN_KEY', janus.adminKey),
      tokenLifetimeMs: ttlS * 1000,
      timeoutMs: parseDuration('JANUS_TIMEOUT_MS', janus.timeout ?? String(DEFAULT_JANUS_TIMEOUT_MS), MIN_JANUS_TIMEOUT_MS),
    },
  };
}

/**
 * The Janus instances: `JANUS_URL` (with `JANUS_PUBLIC_URL`) for one, or `JANUS_URLS` (with `JANUS_PUBLIC_URLS`, the
 * same instances in the same order) for several, comma-separated.
 */
function parseJanusInstances(janus: JanusSettings): JanusInstanceConfig[] {
  if (janus.url && janus.urls) throw new ConfigError('Set JANUS_URL (one Janus) or JANUS_URLS (several), not both');
  if (janus.publicUrl && janus.urls) throw new ConfigError('With JANUS_URLS, give the public URLs in JANUS_PUBLIC_URLS, not JANUS_PUBLIC_URL');
  if (janus.publicUrls && !janus.urls) throw new ConfigError('JANUS_PUBLIC_URLS needs JANUS_URLS (the same instances, in the same order)');
  if (!janus.url && !janus.urls) throw new ConfigError('MEDIA_MODE=sfu or auto needs JANUS_URL or JANUS_URLS (with JANUS_TOKEN_SECRET and JANUS_ADMIN_KEY)');
  const wsUrl = (name: string, text: string) => {
    const url = parseUrl(text);
    if (!url || !['ws:', 'wss:'].includes(url.protocol)) throw new ConfigError(`${name} must be a ws:// or wss:// URL, got "${text}"`);
    return text;
  };
  if (janus.url) return [{ url: wsUrl('JANUS_URL', janus.url), publicUrl: wsUrl('JANUS_PUBLIC_URL', janus.publicUrl ?? janus.url) }];
  const list = (text: string) => text.split(',').map((item) => item.trim());
  const urls = list(janus.urls!).map((url) => wsUrl('JANUS_URLS', url));
  const publicUrls = janus.publicUrls ? list(janus.publicUrls).map((url) => wsUrl('JANUS_PUBLIC_URLS', url)) : urls;
  if (publicUrls.length !== urls.length) {
    throw new ConfigError(`JANUS_PUBLIC_URLS must list as many URLs as JANUS_URLS, in the same order: got ${publicUrls.length} for ${urls.length}`);
  }
  const repeated = urls.find((url, index) => urls.indexOf(url) !== index);
  if (repeated !== undefined) throw new ConfigError(`JANUS_URLS lists "${repeated}" twice`);
  return urls.map((url, index) => ({ url, publicUrl: publicUrls[index]! }));
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function parseDuration(name: string, value: string, min = 0): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < min || !Number.isSafeInteger(ms)) {
    throw new ConfigError(`${name} must be a whole number of milliseconds${min > 0 ? ` from ${min}` : ''}, got "${value}"`);
  }
  return ms;
}

function parseCount(name: string, value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1) throw new ConfigError(`${name} must be a whole number from 1, got "${value}"`);
  return count;
}

/** Shortest idle timeout: a connection must live long enough to send its join. */
const MIN_IDLE_TIMEOUT_MS = 1000;

function parseIdleTimeout(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || (ms !== 0 && ms < MIN_IDLE_TIMEOUT_MS) || !Number.isSafeInteger(ms)) {
    throw new ConfigError(`CONNECTION_IDLE_TIMEOUT_MS must be 0 (never) or a whole number of milliseconds from ${MIN_IDLE_TIMEOUT_MS}, got "${value}"`);
  }
  return ms;
}

function parseRateLimit(name: string, value: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const points = Number(match?.[1]);
  const durationS = Number(match?.[2]);
  if (!match || points < 1 || durationS < 1) {
    throw new ConfigError(`${name} must be "<count>/<seconds>" with both from 1, e.g. "10/600", got "${value}"`);
  }
  return { points, durationS };
}

function parseLogLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return value;
}

function parseLogFormat(value: string): LogFormat {
  const format = LOG_FORMATS.find((known) => known === value);
  if (!format) throw new ConfigError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got "${value}"`);
  return format;
}

function parseOrigins(value: string | undefined): string[] | '*' {
  const origins = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (parseUrl(origin)?.origin !== origin) {
      throw new ConfigError(
        `ALLOWED_ORIGINS must be a comma list of origins like "https://app.example.com" (scheme, host, optional port; no path or trailing slash), got "${origin}"`,
      );
    }
  }
  return origins.length === 0 ? '*' : origins;
}

function parseIceServers(value: string | undefined): IceServerConfig[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (cause) {
    throw new ConfigError(`ICE_SERVERS must be a JSON array of RTCIceServer: ${(cause as Error).message}`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (server) =>
        typeof server === 'object' &&
        server !== null &&
        (typeof server.urls === 'string' ||
          (Array.isArray(server.urls) && server.urls.every((url: unknown) => typeof url === 'string'))),
    );
  if (!valid) throw new ConfigError('ICE_SERVERS must be a JSON array of objects with "urls"');
  return parsed as IceServerConfig[];
}

function parseTurn(urls: string | undefined, secret: string | undefined, ttl: string | undefined): TurnConfig | undefined {
  if (!urls && !secret) {
    if (ttl !== undefined) throw new ConfigError('TURN_TTL_S needs TURN_URLS and TURN_SECRET');
    return undefined;
  }
  if (!urls || !secret) throw new ConfigError('TURN_URLS and TURN_SECRET go together: set both, or neither');
  const list = urls
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const bad = list.find((url) => !/^turns?:[^\s]+$/.test(url));
  if (list.length === 0 || bad !== undefined) {
    throw new ConfigError(`TURN_URLS must be a comma list of turn: or turns: URLs, e.g. "turn:turn.example.com:3478", got "${bad ?? urls}"`);
  }
  const ttlS = Number(ttl ?? HOUR_S);
  if ((ttl !== undefined && !/^\d+$/.test(ttl)) || ttlS < 60 || ttlS > HOUR_S) {
    throw new ConfigError(`TURN_TTL_S must be a whole number of seconds from 60 to 3600, got "${ttl}"`);
  }
  return { urls: list, secret, ttlS };
}

function parseTls(cert: string | undefined, key: string | undefined): ServerConfig['tls'] {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new ConfigError('TLS_CERT and TLS_KEY go together: set both (PEM file paths), or neither');
  const readPem = (name: string, path: string, marker: RegExp) => {
    let contents: Buffer;
    try {
      contents = readFileSync(path);
    } catch (error) {
      throw new ConfigError(`${name}: cannot read "${path}": ${(error as Error).message}`);
    }
    if (!marker.test(contents.toString('latin1'))) throw new ConfigError(`${name}: "${path}" holds no PEM ${marker.source.includes('KEY') ? 'private key' : 'certificate'}`);
    return contents;
  };
  return {
    cert: readPem('TLS_CERT', cert, /-----BEGIN CERTIFICATE-----/),
    key: readPem('TLS_KEY', key, /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/),
  };
}

/** `DATABASE_PATH` wins; else `parley.db` in `DATA_DIR` (default `./data`, relative to the working directory). */
function parseDatabasePath(databasePath: string | undefined, dataDir: string | undefined): string {
  if (databasePath === ':memory:') return databasePath;
  if (databasePath) return resolve(databasePath);
  return resolve(dataDir ?? 'data', 'parley.db');
}

function parseTrustProxy(value: string | undefined): ServerConfig['trustProxy'] {
  if (value === undefined || value === 'false') return () => false;
  if (value === 'true') return () => true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  try {
    return proxyAddr.compile(value.split(',').map((entry) => entry.trim()));
  } catch (error) {
    throw new ConfigError(
      `TRUST_PROXY must be "true", "false", a number of hops, or a comma list of addresses, subnets or loopback/linklocal/uniquelocal: ${(error as Error).message}`,
    );
  }
}

/** Shortest HS256 secret accepted: 32 characters, as a 256-bit key wants (RFC 7518 §3.2). */
const MIN_SECRET_LENGTH = 32;

function parseSecret(name: string, key: string | undefined): string | undefined {
  if (key !== undefined && key.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters, got ${key.length}`);
  }
  return key;
}

function parseParticipantTokens(
  secret: string | undefined,
  jwksUrl: string | undefined,
  issuer: string | undefined,
  audience: string | undefined,
): ParticipantTokenConfig | undefined {
  if (!secret && !jwksUrl) {
    if (issuer !== undefined || audience !== undefined) {
      throw new ConfigError('AUTH_ISSUER and AUTH_AUDIENCE need AUTH_TOKEN_SECRET or AUTH_JWKS_URL');
    }
    return undefined;
  }
  if (secret && jwksUrl) throw new ConfigError('AUTH_TOKEN_SECRET and AUTH_JWKS_URL are alternatives: set one of them');
  if (secret) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`AUTH_TOKEN_SECRET must be at least ${MIN_SECRET_LENGTH} characters (an HS256 key of 256 bits), got ${secret.length}`);
    }
    return { secret: new TextEncoder().encode(secret), issuer, audience };
  }
  const url = parseUrl(jwksUrl!);
  const loopback = url && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new ConfigError(`AUTH_JWKS_URL must be an https: URL (http: only on localhost), got "${jwksUrl}"`);
  }
  return { jwksUrl: url, issuer, audience };
}

/** Delivery gives up after 8 attempts by default: retries 1, 2, 4 … 64 s apart, about two minutes in all. */
const DEFAULT_WEBHOOK_ATTEMPTS = 8;
const MAX_WEBHOOK_ATTEMPTS = 20;
const DEFAULT_WEBHOOK_RETRY_BASE_MS = 1000;
const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Standard Webhooks secrets carry 24 to 64 random bytes; fewer than 24 is too weak a key for HMAC-SHA256. */
const MIN_WEBHOOK_SECRET_BYTES = 24;

interface WebhookSettings {
  urls: string | undefined;
  secret: string | undefined;
  maxAttempts: string | undefined;
  retryBaseMs: string | undefined;
  timeoutMs: string | undefined;
}

function parseWebhooks(settings: WebhookSettings): WebhookConfig | undefined {
  if (!settings.urls) {
    const stray = Object.entries({
      WEBHOOK_SECRET: settings.secret,
      WEBHOOK_MAX_ATTEMPTS: settings.maxAttempts,
      WEBHOOK_RETRY_BASE_MS: settings.retryBaseMs,
      WEBHOOK_TIMEOUT_MS: settings.timeoutMs,
    }).find(([, value]) => value !== undefined);
    if (stray) throw new ConfigError(`${stray[0]} needs WEBHOOK_URL`);
    return undefined;
  }
  const urls = settings.urls.split(',').map((url) => url.trim());
  for (const text of urls) {
    const url = parseUrl(text);
    if (!url || !['http:', 'https:'].includes(url.protocol)) throw new ConfigError(`WEBHOOK_URL must be a comma list of http:// or https:// URLs, got "${redactUrl(text)}"`);
  }
  if (!settings.secret) throw new ConfigError('WEBHOOK_URL needs WEBHOOK_SECRET, a signing secret "whsec_<base64>" (see docs/self-hosting.md)');
  const key = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(settings.secret)?.[1];
  if (!key || Buffer.from(key, 'base64').length < MIN_WEBHOOK_SECRET_BYTES) {
    // The secret itself is not repeated: the message may end up in a log.
    throw new ConfigError(`WEBHOOK_SECRET must be "whsec_" and the base64 of at least ${MIN_WEBHOOK_SECRET_BYTES} random bytes, e.g. from: node -e "console.log('whsec_' + crypto.randomBytes(32).toString('base64'))"`);
  }
  const attempts = settings.maxAttempts ?? String(DEFAULT_WEBHOOK_ATTEMPTS);
  const maxAttempts = Number(attempts);
  if (!/^\d+$/.test(attempts) || maxAttempts < 1 || maxAttempts > MAX_WEBHOOK_ATTEMPTS) {
    throw new ConfigError(`WEBHOOK_MAX_ATTEMPTS must be a whole number from 1 to ${MAX_WEBHOOK_ATTEMPTS}, got "${attempts}"`);
  }
  return {
    urls,
    secret: settings.secret,
    maxAttempts,
    retryBaseMs: parseDuration('WEBHOOK_RETRY_BASE_MS', settings.retryBaseMs ?? String(DEFAULT_WEBHOOK_RETRY_BASE_MS), 1),
    timeoutMs: parseDuration('WEBHOOK_TIMEOUT_MS', settings.timeoutMs ?? String(DEFAULT_WEBHOOK_TIMEOUT_MS), 1),
  };
}

/** A URL for a message, without the user and password it may carry. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = parseUrl(value);
  if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname) {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, e.g. "redis://127.0.0.1:6379", got "${redactUrl(value)}"`);
  }
  return value;
}

/** `text` as a URL, or `undefined` if it is none (what `URL.parse` does from Node.js 22 on). */
function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
