/**
 * Where a {@link JanusError} comes from: Janus itself (`janus: "error"`, e.g. 403 unauthorized, 458 no such
 * session), the plugin (`error_code` in its answer, e.g. the VideoRoom's 426 no such room or 433 unauthorized), the
 * connection (closed, or lost), or no answer in time.
 */
export type JanusErrorKind = 'janus' | 'plugin' | 'closed' | 'timeout';

/** A Janus request that failed. `code` is Janus's or the plugin's numeric code; 0 for `closed` and `timeout`. */
export class JanusError extends Error {
  override readonly name = 'JanusError';

  constructor(
    readonly kind: JanusErrorKind,
    readonly code: number,
    readonly reason: string,
  ) {
    super(code ? `${reason} (${kind} error ${code})` : reason);
  }
}
