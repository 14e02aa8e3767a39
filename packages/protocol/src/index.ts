export type {
  Ack,
  ClientToServerEvents,
  IceServerConfig,
  JoinedMeeting,
  MediaPath,
  MeetingSettings,
  MeshMediaPath,
  ParticipantInfo,
  ParticipantLeftReason,
  RaisedHand,
  RequestArgs,
  RequestData,
  RequestEvent,
  RequestPayload,
  Result,
  ServerToClientEvents,
  SfuMediaPath,
  WaitingForHost,
  WaitingParticipant,
} from './events.js';
export type {
  AppMessage,
  IceCandidateMessage,
  IceCandidatePayload,
  IceRestartRequest,
  JoinMeetingRequest,
  LowerHandRequest,
  MediaState,
  MeetingSettingsUpdate,
  ParticipantTarget,
  RaiseHandRequest,
  ReactionRequest,
  ResumeMeetingRequest,
  SessionDescriptionMessage,
} from './schemas.js';
export { ProtocolErrorCode, type ProtocolError } from './errors.js';
export { LIMITS } from './limits.js';
export { MEETING_CODE_ALPHABET, MEETING_CODE_LENGTH, normalizeMeetingCode } from './meeting-code.js';
export { REACTIONS, ReactionAllowance, type Reaction } from './reactions.js';
