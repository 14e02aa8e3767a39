import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat } from './config.js';

export type { DestinationStream, Logger };

/** Message of the record that says the server is up; log processors (bench/signaling.ts) wait for it. */
export const LISTENING_MESSAGE = 'Parley server listening';

/**
 * Structured logs, as JSON lines or as plain text. Callers log ids and outcomes, never SDP, candidates, tokens or
 * keys; the redaction below is a second line of defence should an object carrying one be logged whole.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const secrets = ['sdp', 'candidate', 'hostKey', 'resumeToken', 'credential', 'secret', 'token', 'apiKey', 'authorization'];
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: { paths: [...secrets, ...secrets.map((key) => `*.${key}`)], censor: '[redacted]' },
    },
    format === 'text' ? plainText(destination ?? process.stdout) : destination,
  );
}

/** pino's numeric levels from which a plain line says what it is. */
const WARN = 40;
const ERROR = 50;

/**
 * One plain line per record for a person at a terminal: the message, then its fields; warnings and errors say so,
 * and the start-up record is the one line that tells where to open Parley.
 */
function plainText(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      const { level, msg, err, time: _time, pid: _pid, hostname: _hostname, service: _service, ...fields } = JSON.parse(line);
      if (msg === LISTENING_MESSAGE) {
        out.write(`Parley is running: open ${fields.url} in a browser.\n`);
        return;
      }
      const prefix = level >= ERROR ? 'Error: ' : level >= WARN ? 'Warning: ' : '';
      const details = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      const stack = err?.stack ? `\n${err.stack}` : '';
      out.write(`${prefix}${msg}${details.length > 0 ? ` (${details.join(', ')})` : ''}${stack}\n`);
    },
  };
}
