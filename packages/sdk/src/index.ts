export { Room, type JoinOptions, type RoomOptions } from './room.js';
export type { DeviceList } from './device-list.js';
export type { Logger } from './logger.js';
export type {
  MediaStats,
  MediaTransport,
  MediaTransportContext,
  MediaTransportEventMap,
  MediaTransportFactory,
  VideoWanted,
} from './media-transport.js';
export type { RequestArgs, RequestData, RequestEvent, SignalClient, SignalEventMap } from './signal-client.js';
export type { RoomEventMap, RoomState, LeaveReason } from './events.js';
export { Participant, type ParticipantEventMap } from './participant.js';
export {
  createPreview,
  LocalParticipant,
  type CapturedMedia,
  type DeviceKind,
  type LocalTrackKind,
  type ProcessedVideo,
  type VideoEffect,
} from './local-participant.js';
export { RemoteParticipant } from './remote-participant.js';
export { ParleyError, ErrorCode } from './errors.js';
export { MAX_CHAT_MESSAGE_LENGTH, type ChatMessage } from './chat.js';
export { browserEnvironment, defaultMediaConstraints, type Environment, type PermissionWatch } from './environment.js';
export { TypedEmitter, type EventMap } from './typed-emitter.js';
export { normalizeMeetingCode, LIMITS, REACTIONS } from '@parley/protocol';
export type { MeetingInfo, MeetingSettings, ParticipantInfo, ParticipantLeftReason, Reaction, RecordingState, WaitingParticipant } from '@parley/protocol';
export type { ConnectionQuality, QualityStats } from './stats/connection-quality.js';
export { videoEncodingFor, type VideoEncoding } from './adaptation/encoding-policy.js';
export type { ParticipantSnapshot, RoomSnapshot } from './snapshot.js';
