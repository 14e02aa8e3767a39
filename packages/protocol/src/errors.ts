/**
 * Every refusal the server sends is an ack carrying one of these codes.
 * Clients map them to their own error classes; the strings are part of the protocol.
 */
export const ProtocolErrorCode = {
  /** The payload did not match the event's schema. */
  InvalidPayload: 'invalid-payload',
  /** No joinable meeting has this code (unknown, mistyped, ended or expired: deliberately indistinguishable). */
  MeetingNotFound: 'meeting-not-found',
  /** The meeting has as many participants as the server allows (`MAX_PARTICIPANTS`). */
  MeetingFull: 'meeting-full',
  /** The event needs a joined meeting and the socket has none. */
  NotInMeeting: 'not-in-meeting',
  /** `join-meeting` on a socket that is already in a meeting. */
  AlreadyInMeeting: 'already-in-meeting',
  /**
   * The resume token is forged, expired or for another server's secret, or its participant was already dropped
   * from the meeting: join afresh.
   */
  ResumeRejected: 'resume-rejected',
  /** To a resume with a valid token: the meeting was ended by a host meanwhile. */
  MeetingEnded: 'meeting-ended',
  /** To a resume with a valid token: the meeting's code expired meanwhile (see `MEETING_TTL_MS`). */
  MeetingExpired: 'meeting-expired',
  /**
   * Too many requests, or too many messages waiting for an away participant: slow down. Failed joins from one
   * address past the limit carry `retryAfter`.
   */
  RateLimited: 'rate-limited',
  /** The addressed participant is not in the sender's meeting. */
  ParticipantNotFound: 'participant-not-found',
  /** The meeting is locked by its host: nobody new gets in. */
  MeetingLocked: 'meeting-locked',
  /** The host removed this session from the meeting; it cannot join that meeting again. */
  Removed: 'removed',
  /** The server requires a participant token (signed by the embedding site) and none valid for this meeting came. */
  Unauthorized: 'unauthorized',
  /** Only a host may do this. */
  NotHost: 'not-host',
  /** Only a host, or someone a host allowed (`allow-recording`), may record the meeting. */
  RecordingNotAllowed: 'recording-not-allowed',
  /** The server failed; the request may be retried. */
  Internal: 'internal',
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** The error half of an ack. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  /** Human-readable detail for logs; not meant for end users. */
  message: string;
  /** With `rate-limited`, when known: whole seconds to wait before trying again. */
  retryAfter?: number;
}
