import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { LIMITS, REACTIONS, ReactionAllowance } from '@parley/protocol';
import { createMeeting, join, recordEvents, settle, useTestServer } from '../../test/support/helpers.js';

const reactionsIn = (received: { name: string; payload: unknown }[]) => received.filter((event) => event.name === 'reaction').map((event) => event.payload);

describe('reactions', () => {
  const suite = useTestServer();

  test('each allowed emoji goes to everyone else in the meeting: not back to its sender, not to another meeting', async () => {
    const [meeting, elsewhere] = [await createMeeting(suite.server), await createMeeting(suite.server)];
    const [ada, bob, cy, dee] = [await suite.client(), await suite.client(), await suite.client(), await suite.client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await join(bob, meeting.code, 'Bob');
    const cyId = (await join(cy, meeting.code, 'Cy')).self.id;
    await join(dee, elsewhere.code, 'Dee');
    const [adaReceived, bobReceived, cyReceived, deeReceived] = [ada, bob, cy, dee].map(recordEvents);
    // Three each: within either sender's burst.
    const [fromAda, fromCy] = [REACTIONS.slice(0, 3), REACTIONS.slice(3)];
    for (const emoji of fromAda) assert.deepEqual(await ada.emitWithAck('send-reaction', { emoji }), { ok: true });
    for (const emoji of fromCy) assert.deepEqual(await cy.emitWithAck('send-reaction', { emoji }), { ok: true });
    await settle(ada, bob, cy, dee);
    assert.deepEqual(reactionsIn(bobReceived), [...fromAda.map((emoji) => ({ from: adaId, emoji })), ...fromCy.map((emoji) => ({ from: cyId, emoji }))]);
    assert.deepEqual(reactionsIn(adaReceived), fromCy.map((emoji) => ({ from: cyId, emoji })), 'Ada hears Cy, not herself');
    assert.deepEqual(reactionsIn(cyReceived), fromAda.map((emoji) => ({ from: adaId, emoji })), 'Cy hears Ada, not herself');
    assert.deepEqual(deeReceived, [], 'another meeting hears nothing');
  });

  test('anything else is refused with a typed error, nothing is relayed, and the server keeps serving', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob, stranger] = [await suite.client(), await suite.client(), await suite.client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await join(bob, meeting.code, 'Bob');
    const bobReceived = recordEvents(bob);
    const malformed: unknown[] = [
      { emoji: '👎' },
      // The heart without its variation selector, and a thumbs up with one: not the strings of the set.
      { emoji: '❤' },
      { emoji: '👍\uFE0F' },
      { emoji: '👍👍' },
      { emoji: ' 👍' },
      { emoji: '👍'.repeat(5000) },
      { emoji: 'x'.repeat(10_000) },
      { emoji: '' },
      { emoji: 42 },
      { emoji: null },
      { emoji: ['👍'] },
      { emoji: { toString: '👍' } },
      {},
      '👍',
      null,
      [],
      42,
    ];
    for (const payload of malformed) {
      const result = await ada.emitWithAck('send-reaction', payload as never);
      assert.equal(result.ok || result.error.code, 'invalid-payload', JSON.stringify(payload)?.slice(0, 40));
      assert.equal(!result.ok && typeof result.error.message, 'string');
    }
    // No ack at all, and an ack in the payload's place: dropped or refused, never a crash.
    (ada.emit as (event: string, ...args: unknown[]) => void)('send-reaction', { emoji: '👍' });
    (ada.emit as (event: string, ...args: unknown[]) => void)('send-reaction');
    const outsider = await stranger.emitWithAck('send-reaction', { emoji: '👍' });
    assert.equal(outsider.ok || outsider.error.code, 'not-in-meeting');

    await settle(ada, bob);
    // Only the one well-formed reaction sent without an ack went out.
    assert.deepEqual(reactionsIn(bobReceived), [{ from: adaId, emoji: '👍' }]);
    assert.deepEqual(await ada.emitWithAck('send-reaction', { emoji: '🎉' }), { ok: true });
    assert.equal((await fetch(`${suite.server.url}/healthz`)).status, 200);
  });

  test(`a flood is cut off after ${LIMITS.reactionBurst} with rate-limited and a retry-after; then one a second gets through`, async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await suite.client(), await suite.client()];
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    await join(bob, meeting.code, 'Bob');
    const bobReceived = recordEvents(bob);

    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, () => ada.emitWithAck('send-reaction', { emoji: '👏' })));
    const elapsedMs = Date.now() - started;
    const accepted = answers.filter((answer) => answer.ok).length;
    // The allowance refills while the flood is under way: on a slow machine one more per second may pass.
    assert.ok(accepted >= LIMITS.reactionBurst, `${accepted} accepted`);
    assert.ok(accepted <= LIMITS.reactionBurst + Math.floor(elapsedMs / LIMITS.reactionIntervalMs), `${accepted} accepted in ${elapsedMs} ms`);
    for (const answer of answers.filter((answer) => !answer.ok)) {
      assert.deepEqual(answer, { ok: false, error: { code: 'rate-limited', message: 'Too many reactions', retryAfter: 1 } });
    }
    await settle(bob);
    assert.equal(reactionsIn(bobReceived).length, accepted, 'only what was accepted was relayed');

    // Past the limit, waiting one interval lets exactly one more through.
    await sleep(LIMITS.reactionIntervalMs + 50);
    const [next, refused] = [await ada.emitWithAck('send-reaction', { emoji: '😮' }), await ada.emitWithAck('send-reaction', { emoji: '😮' })];
    assert.deepEqual(next, { ok: true });
    assert.equal(refused.ok || refused.error.code, 'rate-limited');
    await settle(bob);
    assert.deepEqual(reactionsIn(bobReceived).at(-1), { from: adaId, emoji: '😮' });
    assert.equal(reactionsIn(bobReceived).length, accepted + 1);
  });

  test('the limit is per participant: one flooding leaves the others their own burst', async () => {
    const meeting = await createMeeting(suite.server);
    const [ada, bob] = [await suite.client(), await suite.client()];
    await join(ada, meeting.code, 'Ada');
    await join(bob, meeting.code, 'Bob');
    await Promise.all(Array.from({ length: 20 }, () => ada.emitWithAck('send-reaction', { emoji: '😂' })));
    for (let sent = 0; sent < LIMITS.reactionBurst; sent++) assert.deepEqual(await bob.emitWithAck('send-reaction', { emoji: '❤️' }), { ok: true });
  });
});

describe('ReactionAllowance', () => {
  test('a burst, then one per interval, never more than the burst saved up', () => {
    const allowance = new ReactionAllowance(3);
    const interval = LIMITS.reactionIntervalMs;
    assert.deepEqual([0, 0, 0].map(() => allowance.take(10_000)), [0, 0, 0]);
    assert.equal(allowance.take(10_000), interval);
    assert.equal(allowance.take(10_000 + interval / 4), (interval * 3) / 4);
    assert.equal(allowance.take(10_000 + interval), 0);
    assert.equal(allowance.take(10_000 + interval), interval);
    // A long pause saves up the burst again, no more.
    assert.deepEqual([0, 0, 0, 0].map(() => allowance.take(100_000)), [0, 0, 0, interval]);
  });
});
