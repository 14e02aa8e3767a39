import { parseArgs } from 'node:util';
import type { IceServerConfig } from '@parley/protocol';

/** Everything the server can be told, after defaults are applied. */
export interface ServerConfig {
  port: number;
  /** Interface to bind; `undefined` binds all, as Node does. */
  host: string | undefined;
  /** Origins allowed to open sockets and call the API; `'*'` lets any site embed Parley. */
  allowedOrigins: string[] | '*';
  /** Handed to every participant on join; empty means host candidates only. */
  iceServers: IceServerConfig[];
  /** How long a meeting code stays joinable after it is created. */
  meetingTtlMs: number;
  /** How long a participant whose connection dropped keeps their place for a resume. */
  resumeWindowMs: number;
  /** Most participants in one meeting: every one uploads a copy of their video to each other in a mesh. */
  maxParticipants: number;
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Reads configuration from environment variables, with command-line flags (`--port`, `--host`) taking precedence. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): ServerConfig {
  const { values: flags } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  return {
    port: parsePort(flags.port ?? env.PORT ?? '3000'),
    host: flags.host ?? (env.HOST || undefined),
    allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
    iceServers: parseIceServers(env.ICE_SERVERS),
    meetingTtlMs: DAY_MS,
    resumeWindowMs: parseDuration('RESUME_WINDOW_MS', env.RESUME_WINDOW_MS ?? '30000'),
    maxParticipants: parseCount('MAX_PARTICIPANTS', env.MAX_PARTICIPANTS ?? '8'),
    logLevel: env.LOG_LEVEL || 'info',
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseDuration(name: string, value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new ConfigError(`${name} must be a whole number of milliseconds, got "${value}"`);
  return ms;
}

function parseCount(name: string, value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new ConfigError(`${name} must be a whole number from 1, got "${value}"`);
  return count;
}

function parseOrigins(value: string | undefined): string[] | '*' {
  const origins = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
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
