/**
 * Where the SDK reports what it recovers from by itself (a failed renegotiation, a signal that could not be sent):
 * nothing the application must act on, which gets `error` events instead. Default: `console`, prefixed `[parley]`.
 */
export interface Logger {
  warn(message: string, ...details: unknown[]): void;
}
