import { createHash, randomUUID } from 'node:crypto';
import type { ParticipantInfo } from '@parley/protocol';
import type { Logger } from '../logger.js';
import { REDIS_OUTAGE_WAIT_MS, type RedisClient } from '../meetings/redis-meeting-store.js';
import type { WebhookDeliveries } from './deliveries.js';
import type { MeetingEndReason, WebhookEvent, WebhookParticipant } from './events.js';

/**
 * Who sends what in a cluster. An event may be seen by several nodes (an away participant dropped by each node once
 * its window closes, a meeting emptied on two nodes at once): the node that claims it first sends it.
 */
export interface WebhookClaims {
  /** Whether this node is the first to claim the webhook `id`, and so the one to send it. */
  claim(id: string): Promise<boolean>;
  /** Opens a session of the meeting if none is open: its new id, or `undefined` if one was open already. */
  openSession(code: string): Promise<string | undefined>;
  /** Closes the meeting's open session: its id, or `undefined` if none was open (another node closed it first). */
  closeSession(code: string): Promise<string | undefined>;
}

/** One process: every event is seen once, and sessions live in memory. */
export class LocalWebhookClaims implements WebhookClaims {
  readonly #sessions = new Map<string, string>();

  claim(): Promise<boolean> {
    return Promise.resolve(true);
  }

  openSession(code: string): Promise<string | undefined> {
    if (this.#sessions.has(code)) return Promise.resolve(undefined);
    const session = randomUUID();
    this.#sessions.set(code, session);
    return Promise.resolve(session);
  }

  closeSession(code: string): Promise<string | undefined> {
    const session = this.#sessions.get(code);
    this.#sessions.delete(code);
    return Promise.resolve(session);
  }
}

const CLAIM_PREFIX = 'parley:webhook-sent:';
const SESSION_PREFIX = 'parley:webhook-session:';
/** A claimed id is remembered this long: every node that sees the event sees it within seconds. */
const CLAIM_TTL_S = 24 * 60 * 60;
/** An open session whose end no node saw (the whole cluster crashed) is forgotten after this long. */
const SESSION_TTL_S = 7 * 24 * 60 * 60;

/** Several nodes: claims and sessions are keys set with SET NX and taken with GETDEL, so exactly one node wins each. */
export class RedisWebhookClaims implements WebhookClaims {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    // As for meetings: while Redis is away a claim waits this long, then fails (see Webhooks for what follows).
    this.#client = client.withCommandOptions({ timeout: REDIS_OUTAGE_WAIT_MS });
  }

  async claim(id: string): Promise<boolean> {
    return (await this.#client.set(CLAIM_PREFIX + id, '1', { NX: true, EX: CLAIM_TTL_S })) !== null;
  }

  async openSession(code: string): Promise<string | undefined> {
    const session = randomUUID();
    return (await this.#client.set(SESSION_PREFIX + code, session, { NX: true, EX: SESSION_TTL_S })) === null ? undefined : session;
  }

  async closeSession(code: string): Promise<string | undefined> {
    return (await this.#client.getDel(SESSION_PREFIX + code)) ?? undefined;
  }
}

/** A participant as the signaling knows them. */
interface Participant {
  info: ParticipantInfo;
  meetingCode: string;
}

/**
 * What the signaling tells the embedding site's backend (docs/self-hosting.md, "Webhooks"). Each call returns at
 * once; the claims and deliveries run behind, one meeting's in the order they were told, and their errors are logged.
 * A meeting runs in sessions: `meeting.started` with its first participant, `meeting.ended` when the last one goes
 * or a host ends it; it may start again while its code is joinable.
 */
export class Webhooks {
  readonly #deliveries: WebhookDeliveries;
  readonly #claims: WebhookClaims;
  readonly #logger: Logger;
  /** Each meeting's claims and sends, chained so that a departure's session end follows the join's session start. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(deliveries: WebhookDeliveries, claims: WebhookClaims, logger: Logger) {
    this.#deliveries = deliveries;
    this.#claims = claims;
    this.#logger = logger;
  }

  /**
   * Someone joined (or was admitted). One who found nobody else in the meeting starts a session, unless a join on
   * another node at the same moment did.
   */
  participantJoined(member: Participant, foundEmpty: boolean): void {
    const code = member.meetingCode;
    const timestamp = now();
    const participant = webhookParticipant(member.info);
    this.#serially(code, async () => {
      const session = foundEmpty ? await this.#claims.openSession(code).catch((error: unknown) => this.#sessionUnknown(code, error)) : undefined;
      if (session) this.#deliveries.send(webhookId(`meeting.started/${code}/${session}`), { type: 'meeting.started', timestamp, data: { code, session } });
      await this.#sendOnce(`participant.joined/${code}/${participant.id}`, { type: 'participant.joined', timestamp, data: { code, participant } });
    });
  }

  /**
   * Someone was dropped from the meeting: they left, their resume window closed, or a host removed them. A recording
   * of theirs stops with them.
   */
  participantLeft(member: Participant & { recordingSince?: number | undefined }, reason: 'left' | 'disconnected' | 'removed'): void {
    const code = member.meetingCode;
    const timestamp = now();
    const participant = webhookParticipant(member.info);
    const recordingSince = member.recordingSince;
    this.#serially(code, async () => {
      if (recordingSince !== undefined) await this.#sendRecordingStopped(code, participant, recordingSince, timestamp);
      const id = `participant.${reason === 'removed' ? 'removed' : 'left'}/${code}/${participant.id}`;
      await this.#sendOnce(
        id,
        reason === 'removed'
          ? { type: 'participant.removed', timestamp, data: { code, participant } }
          : { type: 'participant.left', timestamp, data: { code, participant, reason } },
      );
    });
  }

  /**
   * Nobody is left in the meeting, as this node sees it: the session ends. With several nodes, each may see it (two
   * last participants leaving on two nodes at once): the first to take the session sends `meeting.ended`.
   */
  meetingEmptied(code: string): void {
    const timestamp = now();
    this.#serially(code, () => this.#endSession(code, 'empty', timestamp));
  }

  /** A host ended the meeting for everyone. */
  meetingEnded(code: string): void {
    const timestamp = now();
    this.#serially(code, () => this.#endSession(code, 'ended-by-host', timestamp));
  }

  /** Someone waits in the meeting's waiting room. */
  knocked(waiter: { id: string; name: string; meetingCode: string }): void {
    const code = waiter.meetingCode;
    const timestamp = now();
    const participant = { id: waiter.id, name: waiter.name };
    this.#serially(code, () => this.#sendOnce(`waiting.knocked/${code}/${waiter.id}`, { type: 'waiting.knocked', timestamp, data: { code, participant } }));
  }

  /** A participant started (`since` set) or stopped (`since` is when they had started) recording. */
  recordingChanged(member: Participant, change: 'started' | 'stopped', since: number): void {
    const code = member.meetingCode;
    const timestamp = now();
    const participant = webhookParticipant(member.info);
    this.#serially(code, () =>
      change === 'started'
        ? this.#sendOnce(`recording.started/${code}/${participant.id}/${since}`, {
            type: 'recording.started',
            timestamp,
            data: { code, participant, startedAt: new Date(since).toISOString() },
          })
        : this.#sendRecordingStopped(code, participant, since, timestamp),
    );
  }

  /** Resolves once every claim under way is settled (the deliveries themselves go on, see WebhookDeliveries). */
  async settled(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all(this.#chains.values());
  }

  #sendRecordingStopped(code: string, participant: WebhookParticipant, since: number, timestamp: string): Promise<void> {
    const startedAt = new Date(since).toISOString();
    return this.#sendOnce(`recording.stopped/${code}/${participant.id}/${since}`, { type: 'recording.stopped', timestamp, data: { code, participant, startedAt } });
  }

  async #endSession(code: string, reason: MeetingEndReason, timestamp: string): Promise<void> {
    const session = await this.#claims.closeSession(code).catch((error: unknown) => this.#sessionUnknown(code, error));
    if (session) this.#deliveries.send(webhookId(`meeting.ended/${code}/${session}`), { type: 'meeting.ended', timestamp, data: { code, session, reason } });
  }

  /** Whether a session starts or ends cannot be known without Redis: neither is sent then (the others are). */
  #sessionUnknown(code: string, error: unknown): undefined {
    this.#logger.error({ err: error, meeting: code }, 'webhook session unknown: meeting.started or meeting.ended not sent');
    return undefined;
  }

  /** Sends the event if this node claims it first. Unable to ask, it sends: twice (same `webhook-id`) beats never. */
  async #sendOnce(key: string, event: WebhookEvent): Promise<void> {
    const id = webhookId(key);
    const claimed = await this.#claims.claim(id).catch((error: unknown) => {
      this.#logger.warn({ err: error, webhook: id, event: event.type }, 'webhook claim failed; sending anyway');
      return true;
    });
    if (claimed) this.#deliveries.send(id, event);
  }

  #serially(code: string, task: () => Promise<void>): void {
    const run = (this.#chains.get(code) ?? Promise.resolve()).then(task).catch((error: unknown) => {
      this.#logger.error({ err: error, meeting: code }, 'webhook not sent');
    });
    this.#chains.set(code, run);
    void run.then(() => {
      if (this.#chains.get(code) === run) this.#chains.delete(code);
    });
  }
}

/**
 * The `webhook-id` of an event, derived from what identifies it (type, meeting, participant, session), so that every
 * node seeing the event names it alike: the claim goes by it, and a receiver can drop a second delivery by it.
 */
function webhookId(key: string): string {
  return `msg_${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

function webhookParticipant(info: ParticipantInfo): WebhookParticipant {
  return { id: info.id, name: info.name, isHost: info.isHost };
}

const now = () => new Date().toISOString();
