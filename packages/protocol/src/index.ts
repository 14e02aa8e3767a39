export type {
  Ack,
  ClientToServerEvents,
  IceServerConfig,
  JoinedMeeting,
  ParticipantInfo,
  ParticipantLeftReason,
  Result,
  ServerToClientEvents,
} from './events.js';
export type {
  IceCandidateMessage,
  IceCandidatePayload,
  JoinMeetingRequest,
  MediaState,
  ResumeMeetingRequest,
  SessionDescriptionMessage,
} from './schemas.js';
export { ProtocolErrorCode, type ProtocolError } from './errors.js';
export { LIMITS } from './limits.js';
export { MEETING_CODE_ALPHABET, MEETING_CODE_LENGTH, normalizeMeetingCode } from './meeting-code.js';
