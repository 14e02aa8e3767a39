import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, one registry per server instance so tests can run several. */
export class Metrics {
  readonly registry = new Registry();

  readonly meetingsCreated = new Counter({
    name: 'parley_meetings_created_total',
    help: 'Meetings created through the API.',
    registers: [this.registry],
  });

  readonly activeMeetings = new Gauge({
    name: 'parley_active_meetings',
    help: 'Meetings with at least one connected participant on this node.',
    registers: [this.registry],
  });

  readonly participants = new Gauge({
    name: 'parley_participants',
    help: 'Participants connected to this node.',
    registers: [this.registry],
  });

  readonly joins = new Counter({
    name: 'parley_joins_total',
    help: 'Successful joins.',
    registers: [this.registry],
  });

  readonly refusals = new Counter({
    name: 'parley_refusals_total',
    help: 'Requests refused, by event and error code.',
    labelNames: ['event', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process metrics, event loop lag among them.
    collectDefaultMetrics({ register: this.registry });
  }
}
