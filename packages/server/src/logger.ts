import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

/**
 * Structured JSON logs. Callers log ids and outcomes, never SDP, candidates, tokens or keys; the redaction below is
 * a second line of defence should an object carrying one be logged whole.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const secrets = ['sdp', 'candidate', 'hostKey', 'resumeToken', 'credential', 'secret', 'token'];
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: { paths: [...secrets, ...secrets.map((key) => `*.${key}`)], censor: '[redacted]' },
    },
    destination,
  );
}
