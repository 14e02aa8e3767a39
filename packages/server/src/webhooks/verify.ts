import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { WebhookEvent } from './events.js';

export type { MeetingEndReason, WebhookEvent, WebhookEventData, WebhookEventType, WebhookParticipant } from './events.js';
export { WEBHOOK_EVENT_TYPES } from './events.js';
export { WebhookVerificationError };

/** Request headers as Node's `IncomingMessage`, Express or the Fetch API's `Headers` give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * For the backend that receives Parley's webhooks: checks that `body` (the raw request body, exactly as received)
 * was signed with `secret` (`whsec_…`, the server's `WEBHOOK_SECRET`) and sent within the last five minutes (or is
 * from at most five minutes ahead), per the Standard Webhooks spec; returns the parsed event. Throws
 * {@link WebhookVerificationError} otherwise: answer such a request 400 and do nothing. Deliveries are retried, so an
 * event may arrive twice: `webhook-id` is the same each time.
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Uint8Array): WebhookEvent {
  const event = new Webhook(secret).verify(body, signatureHeaders(headers));
  if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
    throw new WebhookVerificationError('The body is no webhook event');
  }
  return event as WebhookEvent;
}

/** The three signature headers, as single strings (a header sent twice counts as missing). */
function signatureHeaders(headers: WebhookHeaders): Record<string, string> {
  const read = (name: string): string => {
    if (headers instanceof Headers) return headers.get(name) ?? '';
    const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return typeof value === 'string' ? value : '';
  };
  return { 'webhook-id': read('webhook-id'), 'webhook-timestamp': read('webhook-timestamp'), 'webhook-signature': read('webhook-signature') };
}
