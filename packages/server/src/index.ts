export { loadConfig, ConfigError, type ServerConfig, type LogFormat, type RateLimit, type TurnConfig } from './config.js';
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { MeetingService, generateMeetingCode, isJoinable, type CreatedMeeting, type MeetingConfiguration } from './meetings/meeting-service.js';
export type { Meeting, MeetingChanges, MeetingStore, SavedParticipant, StoredMeetingSettings } from './meetings/meeting.js';
export { SqliteMeetingStore } from './meetings/sqlite-meeting-store.js';
export { turnCredentials, iceServersFor } from './turn.js';
export type { InterServerEvents, SocketData, ParleyServer, ParleySocket } from './signaling/types.js';
export { openApiDocument } from './http/openapi.js';
export type {
  ApiErrorBody,
  ApiErrorCode,
  CreatedMeetingBody,
  MeetingBody,
  MeetingPageBody,
  MeetingUpdateBody,
  ParticipantBody,
  ParticipantListBody,
} from './api-types.js';
export type { WebhookConfig } from './config.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  WEBHOOK_EVENT_TYPES,
  type MeetingEndReason,
  type WebhookEvent,
  type WebhookEventData,
  type WebhookEventType,
  type WebhookHeaders,
  type WebhookParticipant,
} from './webhooks/verify.js';
