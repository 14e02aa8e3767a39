/**
 * The webhook events Parley sends, as the receiver parses them. Every body is one JSON object
 * `{ type, timestamp, data }` (the shape the Standard Webhooks spec suggests); `timestamp` is when the event happened
 * (ISO 8601), which may be well before a retried delivery.
 */

/** Who an event is about. */
export interface WebhookParticipant {
  id: string;
  name: string;
  isHost: boolean;
}

/** Why a meeting ended: its last participant went (it may start again while its code lives), or a host ended it. */
export type MeetingEndReason = 'empty' | 'ended-by-host';

/** What each event type carries in `data`. */
export interface WebhookEventData {
  'meeting.started': {
    code: string;
    /** Names this stretch of the meeting: the same in the `meeting.ended` that closes it. */
    session: string;
  };
  'meeting.ended': { code: string; session: string; reason: MeetingEndReason };
  'participant.joined': { code: string; participant: WebhookParticipant };
  /** `disconnected`: their connection dropped and they did not come back within the resume window. */
  'participant.left': { code: string; participant: WebhookParticipant; reason: 'left' | 'disconnected' };
  'participant.removed': { code: string; participant: WebhookParticipant };
  /** Someone asks to be let in through the waiting room; `participant.joined` follows if a host admits them. */
  'waiting.knocked': { code: string; participant: { id: string; name: string } };
  /** A participant started recording the meeting in their browser (`startedAt`: ISO 8601). */
  'recording.started': { code: string; participant: WebhookParticipant; startedAt: string };
  /** They stopped, or left while recording. */
  'recording.stopped': { code: string; participant: WebhookParticipant; startedAt: string };
}

export type WebhookEventType = keyof WebhookEventData;

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  'meeting.started',
  'meeting.ended',
  'participant.joined',
  'participant.left',
  'participant.removed',
  'waiting.knocked',
  'recording.started',
  'recording.stopped',
];

/** One webhook body; `type` tells which `data` it carries. */
export type WebhookEvent = {
  [Type in WebhookEventType]: { type: Type; timestamp: string; data: WebhookEventData[Type] };
}[WebhookEventType];
