import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from './metrics.js';

test('the membership gauges are read from their source when scraped, not when membership changes', async () => {
  const metrics = new Metrics();
  assert.match(await metrics.registry.metrics(), /^parley_participants 0$/m);
  const counts = { meetings: 1, participants: 3, waiting: 2 };
  metrics.countMembership(() => counts);
  let scraped = await metrics.registry.metrics();
  assert.match(scraped, /^parley_active_meetings 1$/m);
  assert.match(scraped, /^parley_participants 3$/m);
  assert.match(scraped, /^parley_waiting 2$/m);
  counts.participants = 4;
  counts.waiting = 0;
  scraped = await metrics.registry.metrics();
  assert.match(scraped, /^parley_participants 4$/m);
  assert.match(scraped, /^parley_waiting 0$/m);
});
