import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Who is in meetings and waiting rooms, as the membership gauges report it. */
export interface MembershipCounts {
  meetings: number;
  participants: number;
  waiting: number;
}

/** The server's Prometheus metrics, one registry per server instance so tests can run several. */
export class Metrics {
  readonly registry = new Registry();
  /** Read when scraped: the signaling says where from (see {@link countMembership}). */
  #membership: () => MembershipCounts = () => ({ meetings: 0, participants: 0, waiting: 0 });

  readonly meetingsCreated = new Counter({
    name: 'parley_meetings_created_total',
    help: 'Meetings created through the API.',
    registers: [this.registry],
  });

  /** Set by the server to count joinable meetings in storage when scraped. */
  readonly openMeetings = new Gauge({
    name: 'parley_meetings_open',
    help: 'Meetings whose code is joinable now (in storage, occupied or not).',
    registers: [this.registry],
  });

  readonly activeMeetings: Gauge = new Gauge({
    name: 'parley_active_meetings',
    help: 'Meetings with at least one participant, across all nodes (presence is replicated through Redis).',
    registers: [this.registry],
    collect: () => this.activeMeetings.set(this.#membership().meetings),
  });

  readonly participants: Gauge = new Gauge({
    name: 'parley_participants',
    help: 'Participants on all nodes (presence is replicated through Redis), those whose connection is away included.',
    registers: [this.registry],
    collect: () => this.participants.set(this.#membership().participants),
  });

  readonly sockets = new Gauge({
    name: 'parley_sockets',
    help: 'Open signaling connections on this node only.',
    registers: [this.registry],
  });

  readonly joins = new Counter({
    name: 'parley_joins_total',
    help: 'Successful joins.',
    registers: [this.registry],
  });

  readonly leaves = new Counter({
    name: 'parley_leaves_total',
    help: 'Participants gone from a meeting, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly refusals = new Counter({
    name: 'parley_refusals_total',
    help: 'Requests refused, by event and error code.',
    labelNames: ['event', 'code'] as const,
    registers: [this.registry],
  });

  readonly waiting: Gauge = new Gauge({
    name: 'parley_waiting',
    help: 'People in waiting rooms, waiting for a host to admit them (with several nodes: the whole cluster).',
    registers: [this.registry],
    collect: () => this.waiting.set(this.#membership().waiting),
  });

  readonly hostActions = new Counter({
    name: 'parley_host_actions_total',
    help: 'Host controls carried out, by action: end, mute, remove, transfer-host, update, admit, deny, lower-hand.',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  readonly apiRequests = new Counter({
    name: 'parley_api_requests_total',
    help: 'Server API requests (docs/server-api.md), by route and HTTP status.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly floodDisconnects = new Counter({
    name: 'parley_flood_disconnects_total',
    help: 'Sockets disconnected for sending past their event budget.',
    registers: [this.registry],
  });

  readonly connectionRefusals = new Counter({
    name: 'parley_connections_refused_total',
    help: 'Signaling connections refused because their address held MAX_CONNECTIONS_PER_ADDRESS open on this node.',
    registers: [this.registry],
  });

  readonly idleDisconnects = new Counter({
    name: 'parley_idle_disconnects_total',
    help: 'Signaling connections closed for speaking for no participant for CONNECTION_IDLE_TIMEOUT_MS.',
    registers: [this.registry],
  });

  readonly relayDuration = new Histogram({
    name: 'parley_relay_duration_seconds',
    help: 'Time from an offer, answer or ICE candidate arriving to its being sent on (or held), by event.',
    labelNames: ['event'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'parley_webhook_deliveries_total',
    help: 'Webhook deliveries (one event to one URL) by event and outcome: delivered, failed (every attempt failed) or dropped (queue full, or shutdown).',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process metrics, event loop lag (nodejs_eventloop_lag_seconds and its percentiles) among them.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The membership gauges report what `read` returns when they are scraped. */
  countMembership(read: () => MembershipCounts): void {
    this.#membership = read;
  }
}
