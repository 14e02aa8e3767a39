import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Callers log ids and outcomes, never SDP, candidates or keys. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'parley' } });
}
