import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LIMITS } from '@parley/protocol';
import { iceCandidateSchema } from '@parley/protocol/schemas';
import { quickIceCandidate } from './quick-validation.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** What the server sees of a value: Socket.IO sends JSON. */
const onTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify([value]))[0];

/** Mostly valid, sometimes at, past or beside the limit, sometimes of another type: valid payloads are common. */
const text = (limit: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: limit - 1, max: limit + 1 }).map((length) => 'x'.repeat(length)) },
    { weight: 1, arbitrary: odd },
  );
const odd = fc.oneof(fc.anything({ maxDepth: 1 }), fc.constant(null), fc.constant([]));
const nullable = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) });
const index = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1, max: 1025 }) }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: odd });
const candidates = fc.record(
  {
    to: fc.oneof({ weight: 6, arbitrary: text(LIMITS.participantIdLength) }, { weight: 1, arbitrary: fc.constant('') }),
    candidate: fc.oneof(
      { weight: 1, arbitrary: odd },
      {
        weight: 6,
        arbitrary: fc.record(
          {
            candidate: text(LIMITS.candidateLength),
            sdpMid: nullable(text(32)),
            sdpMLineIndex: nullable(index),
            usernameFragment: nullable(text(256)),
            extra: fc.anything({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
      },
    ),
    from: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: [] },
);

test('the hand check of ice-candidate accepts only what the schema accepts, and returns what the schema returns', () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(candidates, candidates, fc.anything({ maxDepth: 3 })), (value) => {
      const payload = onTheWire(value);
      const quick = quickIceCandidate(payload);
      const parsed = iceCandidateSchema.safeParse(payload);
      if (quick === undefined) return;
      accepted++;
      assert.ok(parsed.success, `accepted what the schema refuses: ${JSON.stringify(payload)}`);
      assert.deepEqual(quick, parsed.data);
    }),
    { numRuns: 20_000, seed: SEED },
  );
  assert.ok(accepted > 2000, `the generator reaches valid payloads (${accepted}), seed ${SEED}`);
});

test("a browser's candidate, with or without its optional fields, takes the quick path", () => {
  const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };
  for (const value of [{ to: 'p1', candidate }, { to: 'p1', candidate: { candidate: '' } }, { to: 'p1', candidate: { ...candidate, sdpMid: null, sdpMLineIndex: null } }]) {
    assert.deepEqual(quickIceCandidate(value), iceCandidateSchema.parse(value));
  }
});
