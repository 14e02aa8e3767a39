import { Webhook } from 'standardwebhooks';
import type { WebhookConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { WebhookEvent } from './events.js';

/** Most deliveries waiting or under way at once: past it new ones are dropped, so a receiver long down cannot exhaust memory. */
export const MAX_PENDING_DELIVERIES = 10_000;
/** No retry waits longer than this, however many attempts are configured. */
const MAX_RETRY_DELAY_MS = 10 * 60_000;
/** Retry delays vary by this fraction either way, so that deliveries failed together do not all retry together. */
const RETRY_JITTER = 0.2;

/**
 * Sends signed webhooks in the background: {@link send} returns at once, each delivery to each URL runs on its own,
 * retried with exponential backoff, and its failures are logged and counted, never thrown. Each attempt is signed
 * anew (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), so a late retry is not refused
 * for its age; `webhook-id` stays the same.
 */
export class WebhookDeliveries {
  readonly #config: WebhookConfig;
  readonly #signer: Webhook;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  /** Cancels what is under way or waiting to retry, at close. */
  readonly #closing = new AbortController();
  #pending = 0;

  constructor(config: WebhookConfig, logger: Logger, metrics: Metrics) {
    this.#config = config;
    this.#signer = new Webhook(config.secret);
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Queues `event` for every URL under the webhook id `id`. */
  send(id: string, event: WebhookEvent): void {
    const body = JSON.stringify(event);
    for (const url of this.#config.urls) {
      if (this.#closing.signal.aborted) {
        this.#metrics.webhookDeliveries.inc({ event: event.type, outcome: 'dropped' });
        continue;
      }
      if (this.#pending >= MAX_PENDING_DELIVERIES) {
        this.#metrics.webhookDeliveries.inc({ event: event.type, outcome: 'dropped' });
        this.#logger.error({ webhook: id, event: event.type, receiver: receiverOf(url), pending: this.#pending }, 'webhook dropped: too many deliveries pending');
        continue;
      }
      this.#pending++;
      void this.#deliver(url, id, event.type, body).finally(() => this.#pending--);
    }
  }

  /** Deliveries not yet done are abandoned (counted `dropped`): the process is going, and their queue with it. */
  close(): void {
    if (this.#pending > 0) this.#logger.warn({ pending: this.#pending }, 'webhooks not delivered before shutdown are dropped');
    this.#closing.abort();
  }

  async #deliver(url: string, id: string, type: WebhookEvent['type'], body: string): Promise<void> {
    const log = { webhook: id, event: type, receiver: receiverOf(url) };
    for (let attempt = 1; ; attempt++) {
      const failure = await this.#attempt(url, id, body);
      if (failure === undefined) {
        this.#metrics.webhookDeliveries.inc({ event: type, outcome: 'delivered' });
        this.#logger.debug({ ...log, attempt }, 'webhook delivered');
        return;
      }
      if (this.#closing.signal.aborted) {
        this.#metrics.webhookDeliveries.inc({ event: type, outcome: 'dropped' });
        return;
      }
      if (attempt >= this.#config.maxAttempts) {
        this.#metrics.webhookDeliveries.inc({ event: type, outcome: 'failed' });
        this.#logger.error({ ...log, attempt, failure }, 'webhook not delivered: giving up');
        return;
      }
      const delayMs = retryDelay(this.#config.retryBaseMs, attempt);
      this.#logger.warn({ ...log, attempt, failure, retryInMs: delayMs }, 'webhook delivery failed; retrying');
      if (!(await this.#wait(delayMs))) {
        this.#metrics.webhookDeliveries.inc({ event: type, outcome: 'dropped' });
        return;
      }
    }
  }

  /** One signed POST; resolves to why it failed, or `undefined` if the receiver answered 2xx. */
  async #attempt(url: string, id: string, body: string): Promise<string | undefined> {
    const timestamp = new Date();
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#config.timeoutMs)]);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhooks',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': this.#signer.sign(id, timestamp, body),
        },
        body,
        // A redirect is not followed: the body would go, signed, somewhere nobody configured.
        redirect: 'manual',
        signal,
      });
      // Only the status matters; the body is read off so that the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `answered ${response.status}`;
    } catch (error) {
      if (signal.aborted && !this.#closing.signal.aborted) return `no answer within ${this.#config.timeoutMs} ms`;
      const cause = (error as Error & { cause?: Error }).cause;
      return cause?.message ?? (error as Error).message;
    }
  }

  /** Resolves `true` after `ms`, or `false` at once if closed meanwhile. */
  #wait(ms: number): Promise<boolean> {
    const closing = this.#closing.signal;
    if (closing.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        closing.removeEventListener('abort', stop);
        resolve(true);
      }, ms);
      const stop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      closing.addEventListener('abort', stop, { once: true });
    });
  }
}

/** Before retry number `attempt` (from 1): the base doubled each time, within ±20 %, capped. */
export function retryDelay(baseMs: number, attempt: number): number {
  const jitter = 1 + RETRY_JITTER * (2 * Math.random() - 1);
  return Math.round(Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS) * jitter);
}

/** The receiver as logs name it: its origin only, since a path or query may carry a token. */
function receiverOf(url: string): string {
  return new URL(url).origin;
}
