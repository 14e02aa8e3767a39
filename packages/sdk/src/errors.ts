import { ProtocolErrorCode, type ProtocolError } from '@parley/protocol';

/** The `code` of every error the SDK throws or emits. Stable strings: match on these, not on messages. */
export const ErrorCode = {
  /** The user or the browser refused camera/microphone access. */
  PermissionDenied: 'permission-denied',
  /** No camera/microphone matching the request exists. */
  NoDevice: 'no-device',
  /** The device exists but another application holds it, or the hardware failed. */
  DeviceBusy: 'device-busy',
  /** The signaling server could not be reached. */
  ServerUnreachable: 'server-unreachable',
  /** The server asks to slow down. */
  RateLimited: 'rate-limited',
  /** The meeting code is unknown, mistyped, ended or expired. */
  MeetingNotFound: 'meeting-not-found',
  /** The meeting has as many participants as its server allows. */
  MeetingFull: 'meeting-full',
  /** The server refused a malformed request (a bug in the caller or the SDK). */
  InvalidRequest: 'invalid-request',
  /** The host locked the meeting: nobody new gets in. */
  MeetingLocked: 'meeting-locked',
  /** A host removed this room's session from the meeting; it cannot join that meeting again. */
  RemovedByHost: 'removed-by-host',
  /** A host turned you away from the waiting room. */
  Denied: 'denied',
  /** The server requires a participant token from the embedding site, and none valid came (`join({ token })`). */
  Unauthorized: 'unauthorized',
  /** Only a host may do that. */
  NotHost: 'not-host',
  /** Only a host, or someone a host allowed (`Room.allowRecording`), may record the meeting. */
  RecordingNotAllowed: 'recording-not-allowed',
  /** Getting back in after a lost connection: a host ended the meeting meanwhile. */
  MeetingEnded: 'meeting-ended',
  /** Getting back in after a lost connection: the meeting expired meanwhile. */
  MeetingExpired: 'meeting-expired',
  /** The connection to the server was lost during the meeting and could not be resumed. */
  ConnectionLost: 'connection-lost',
  /** The server did not answer in time. */
  Timeout: 'timeout',
  /** The call does not fit the room's current state, e.g. `join()` twice. */
  InvalidState: 'invalid-state',
  /** The browser cannot do what was asked (e.g. noise suppression without AudioWorklet or WebAssembly). */
  Unsupported: 'unsupported',
  /** A background effect (blur, an image) could not start: its model or image did not load. The raw camera goes on. */
  BackgroundUnavailable: 'background-unavailable',
  /** Anything else; see `cause`. */
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The server's codes that the SDK names otherwise; every other one it knows is the same string on both sides. */
const renamedProtocolCodes: Partial<Record<ProtocolErrorCode, ErrorCode>> = {
  [ProtocolErrorCode.InvalidPayload]: ErrorCode.InvalidRequest,
  [ProtocolErrorCode.ParticipantNotFound]: ErrorCode.InvalidRequest,
  [ProtocolErrorCode.NotInMeeting]: ErrorCode.InvalidState,
  [ProtocolErrorCode.AlreadyInMeeting]: ErrorCode.InvalidState,
  [ProtocolErrorCode.ResumeRejected]: ErrorCode.ConnectionLost,
  [ProtocolErrorCode.Removed]: ErrorCode.RemovedByHost,
};
const errorCodes: readonly string[] = Object.values(ErrorCode);

/** The base of every error from `@parley/sdk`: a stable `code`, a readable message and the original `cause`. */
export class ParleyError extends Error {
  override readonly name: string = 'ParleyError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static invalidState(message: string): ParleyError {
    return new ParleyError(ErrorCode.InvalidState, message);
  }

  static serverUnreachable(server: string, cause?: unknown): ParleyError {
    return new ParleyError(ErrorCode.ServerUnreachable, `Could not reach the Parley server at ${server}`, { cause });
  }

  static connectionLost(reason: string): ParleyError {
    return new ParleyError(ErrorCode.ConnectionLost, `The connection to the server was lost (${reason})`);
  }

  static timeout(request: string): ParleyError {
    return new ParleyError(ErrorCode.Timeout, `The server did not answer "${request}" in time`);
  }

  static backgroundUnavailable(message: string, cause?: unknown): ParleyError {
    return new ParleyError(ErrorCode.BackgroundUnavailable, message, { cause });
  }

  /** Maps a refusal from the server to the SDK's codes. */
  static fromProtocol(error: ProtocolError): ParleyError {
    const code = renamedProtocolCodes[error.code] ?? error.code;
    return new ParleyError(errorCodes.includes(code) ? (code as ErrorCode) : ErrorCode.Internal, error.message, { cause: error });
  }

  /** Maps a `getUserMedia` rejection (a `DOMException` by name) to the SDK's codes. */
  static fromMediaError(cause: unknown): ParleyError {
    const name = cause instanceof Error ? cause.name : '';
    switch (name) {
      case 'NotAllowedError':
      case 'SecurityError':
        return new ParleyError(ErrorCode.PermissionDenied, 'Camera or microphone access was denied', { cause });
      case 'NotFoundError':
      case 'OverconstrainedError':
        return new ParleyError(ErrorCode.NoDevice, 'No camera or microphone is available', { cause });
      case 'NotReadableError':
      case 'AbortError':
        return new ParleyError(ErrorCode.DeviceBusy, 'The camera or microphone is in use or failed', { cause });
      default:
        return new ParleyError(ErrorCode.Internal, 'Could not start the camera or microphone', { cause });
    }
  }
}
