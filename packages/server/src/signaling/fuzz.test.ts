import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import { LIMITS, ProtocolErrorCode, type ClientToServerEvents } from '@parley/protocol';
import {
  appMessageSchema,
  iceCandidateSchema,
  iceRestartRequestSchema,
  joinMeetingSchema,
  lowerHandSchema,
  mediaStateSchema,
  meetingSettingsUpdateSchema,
  participantTargetSchema,
  allowRecordingSchema,
  meetingInfoSchema,
  raiseHandSchema,
  reactionSchema,
  resumeMeetingSchema,
  sessionDescriptionSchema,
  setRecordingSchema,
} from '@parley/protocol/schemas';
import { createMeeting, join, recordEvents, settle, useTestServer, type TestClient } from '../../test/support/helpers.js';

/** Payloads per event; 10,000 for the original seven alone. Runs of BATCH go out at once. */
const BATCH = 50;
const RUNS: Record<keyof ClientToServerEvents, number> = {
  'join-meeting': 2000,
  'resume-meeting': 1500,
  offer: 1500,
  answer: 1500,
  'ice-candidate': 1500,
  'ice-restart-request': 500,
  'media-state': 1500,
  'app-message': 1000,
  'leave-meeting': 500,
  'end-meeting': 500,
  'mute-participant': 1000,
  'remove-participant': 1000,
  'transfer-host': 1000,
  'update-meeting': 1500,
  'admit-participant': 1000,
  'deny-participant': 1000,
  'raise-hand': 1000,
  'lower-hand': 1000,
  'send-reaction': 1000,
  'meeting-info': 1000,
  'set-recording': 1000,
  'allow-recording': 1000,
};
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** What the server sees of a value: Socket.IO sends JSON. */
const onTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify([value]))[0];

/** Anything at all, or a near miss of the schema's shape: the right keys with wrong, missing or oversized values. */
function malformed(schema: z.ZodType, nearMiss: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .oneof(fc.anything({ maxDepth: 3 }), nearMiss, nearMiss)
    .filter((value) => !schema.safeParse(onTheWire(value)).success);
}

const wrong = fc.oneof(fc.anything({ maxDepth: 1 }), fc.constant(null), fc.constant(undefined));
const tooLong = (limit: number) => fc.integer({ min: limit + 1, max: limit + 64 }).map((length) => 'x'.repeat(length));
const aString = (limit: number) => fc.oneof(fc.string({ maxLength: 40 }), tooLong(limit), wrong);
const aBoolean = fc.oneof(fc.boolean(), wrong);
const loose = { requiredKeys: [] as never[] };

const nearMisses = {
  'join-meeting': fc.record(
    {
      code: aString(LIMITS.codeInputLength),
      name: fc.oneof(aString(LIMITS.nameLength), fc.constant('   ')),
      hostKey: aString(LIMITS.hostKeyLength),
      audio: aBoolean,
      video: aBoolean,
      token: fc.oneof(aString(LIMITS.tokenLength), fc.constant('')),
      sessionId: fc.oneof(aString(LIMITS.sessionIdLength), fc.constant('')),
    },
    loose,
  ),
  'resume-meeting': fc.record({ resumeToken: fc.oneof(aString(LIMITS.resumeTokenLength), fc.constant('')) }, loose),
  description: fc.record({ to: fc.oneof(aString(LIMITS.participantIdLength), fc.constant('')), sdp: fc.oneof(aString(LIMITS.sdpBytes), fc.constant('')) }, loose),
  'ice-candidate': fc.record(
    {
      to: aString(LIMITS.participantIdLength),
      candidate: fc.oneof(
        wrong,
        fc.record(
          {
            candidate: aString(LIMITS.candidateLength),
            sdpMid: aString(32),
            sdpMLineIndex: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double(), wrong),
            usernameFragment: aString(256),
          },
          loose,
        ),
      ),
    },
    loose,
  ),
  'media-state': fc.record({ audio: aBoolean, video: aBoolean, screen: aBoolean }, loose),
  'app-message': fc.record({ data: fc.oneof(aString(LIMITS.appMessageLength), fc.constant('')) }, loose),
  target: fc.record({ participantId: fc.oneof(aString(LIMITS.participantIdLength), fc.constant('')) }, loose),
  'raise-hand': fc.record({ raised: aBoolean, extra: fc.string({ maxLength: 8 }) }, loose),
  'lower-hand': fc.record({ participantId: fc.oneof(aString(LIMITS.participantIdLength), fc.constant('')), all: aBoolean }, loose),
  // Strict: any key besides these two is refused as well.
  'update-meeting': fc.record({ locked: aBoolean, waitingRoom: aBoolean, title: fc.string({ maxLength: 8 }) }, loose),
  'meeting-info': fc.record({ code: aString(LIMITS.codeInputLength), token: aString(LIMITS.tokenLength), hostKey: fc.string({ maxLength: 8 }) }, loose),
  'set-recording': fc.record({ recording: aBoolean, since: fc.integer() }, loose),
  'allow-recording': fc.record({ participantId: fc.oneof(aString(LIMITS.participantIdLength), fc.constant('')), allowed: aBoolean }, loose),
  // Near an allowed emoji: another one, one too many, one with a variation selector missing or added, one repeated.
  'send-reaction': fc.record(
    { emoji: fc.oneof(aString(8), fc.constantFrom('👎', '❤', '👍️', '👍👍', '👍 ', ' 🎉', '🎉🎉🎉🎉')) },
    loose,
  ),
};

/** Well-formed host requests: from someone who is not a host, each is refused not-host. */
const wellFormedHostRequests = fc.oneof(fc.anything({ maxDepth: 2 }), fc.record({ participantId: fc.string({ minLength: 1, maxLength: 64 }) }));

const CASES: { event: keyof ClientToServerEvents; payloads: fc.Arbitrary<unknown>; from: 'outsider' | 'member'; expect: string }[] = [
  { event: 'join-meeting', payloads: malformed(joinMeetingSchema, nearMisses['join-meeting']), from: 'outsider', expect: 'invalid-payload' },
  { event: 'resume-meeting', payloads: malformed(resumeMeetingSchema, nearMisses['resume-meeting']), from: 'outsider', expect: 'invalid-payload' },
  { event: 'offer', payloads: malformed(sessionDescriptionSchema, nearMisses.description), from: 'member', expect: 'invalid-payload' },
  { event: 'answer', payloads: malformed(sessionDescriptionSchema, nearMisses.description), from: 'member', expect: 'invalid-payload' },
  { event: 'ice-candidate', payloads: malformed(iceCandidateSchema, nearMisses['ice-candidate']), from: 'member', expect: 'invalid-payload' },
  { event: 'ice-restart-request', payloads: malformed(iceRestartRequestSchema, nearMisses.target), from: 'member', expect: 'invalid-payload' },
  { event: 'media-state', payloads: malformed(mediaStateSchema, nearMisses['media-state']), from: 'member', expect: 'invalid-payload' },
  { event: 'app-message', payloads: malformed(appMessageSchema, nearMisses['app-message']), from: 'member', expect: 'invalid-payload' },
  // leave-meeting takes no payload: whatever comes before the ack is ignored, and a socket in no meeting is refused.
  { event: 'leave-meeting', payloads: fc.anything({ maxDepth: 2 }), from: 'outsider', expect: 'not-in-meeting' },
  // end-meeting takes no payload either; a member who is not a host is refused whatever it sends.
  { event: 'end-meeting', payloads: wellFormedHostRequests, from: 'member', expect: 'not-host' },
  { event: 'mute-participant', payloads: malformed(participantTargetSchema, nearMisses.target), from: 'member', expect: 'invalid-payload' },
  { event: 'remove-participant', payloads: malformed(participantTargetSchema, nearMisses.target), from: 'member', expect: 'invalid-payload' },
  { event: 'transfer-host', payloads: malformed(participantTargetSchema, nearMisses.target), from: 'outsider', expect: 'invalid-payload' },
  { event: 'update-meeting', payloads: malformed(meetingSettingsUpdateSchema, nearMisses['update-meeting']), from: 'member', expect: 'invalid-payload' },
  { event: 'admit-participant', payloads: malformed(participantTargetSchema, nearMisses.target), from: 'member', expect: 'invalid-payload' },
  { event: 'deny-participant', payloads: malformed(participantTargetSchema, nearMisses.target), from: 'outsider', expect: 'invalid-payload' },
  { event: 'raise-hand', payloads: malformed(raiseHandSchema, nearMisses['raise-hand']), from: 'member', expect: 'invalid-payload' },
  { event: 'lower-hand', payloads: malformed(lowerHandSchema, nearMisses['lower-hand']), from: 'member', expect: 'invalid-payload' },
  { event: 'send-reaction', payloads: malformed(reactionSchema, nearMisses['send-reaction']), from: 'member', expect: 'invalid-payload' },
  { event: 'meeting-info', payloads: malformed(meetingInfoSchema, nearMisses['meeting-info']), from: 'outsider', expect: 'invalid-payload' },
  { event: 'set-recording', payloads: malformed(setRecordingSchema, nearMisses['set-recording']), from: 'member', expect: 'invalid-payload' },
  { event: 'allow-recording', payloads: malformed(allowRecordingSchema, nearMisses['allow-recording']), from: 'member', expect: 'invalid-payload' },
];

const KNOWN_CODES = new Set<string>(Object.values(ProtocolErrorCode));

describe(`fuzzing every client event over real sockets (fast-check seed ${SEED})`, () => {
  const suite = useTestServer({ SOCKET_EVENT_LIMIT: '1000000/60', JOIN_FAILURE_LIMIT: '1000000/600' });
  let sent = 0;

  for (const { event, payloads, from, expect } of CASES) {
    test(`${RUNS[event]} malformed "${event}" requests each get a typed ${expect} refusal`, { timeout: 120_000 }, async () => {
      const meeting = await createMeeting(suite.server);
      const [outsider, member, peer] = [await suite.client(), await suite.client(), await suite.client()];
      await join(member, meeting.code, 'Member');
      const peerId = (await join(peer, meeting.code, 'Peer')).self.id;
      const peerReceived = recordEvents(peer);
      const socket: TestClient = from === 'member' ? member : outsider;
      const send = (payload: unknown) =>
        (socket.timeout(10_000) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> }).emitWithAck(event, payload);

      await fc.assert(
        fc.asyncProperty(fc.array(payloads, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await Promise.all(batch.map(send));
          for (const [index, answer] of answers.entries()) {
            const result = answer as { ok: boolean; error?: { code: string; message: string } };
            assert.equal(result.ok, false, `accepted: ${JSON.stringify(batch[index])}`);
            assert.ok(KNOWN_CODES.has(result.error!.code), `untyped: ${JSON.stringify(result)}`);
            assert.equal(result.error!.code, expect, `payload ${JSON.stringify(batch[index])?.slice(0, 200)}`);
            assert.equal(typeof result.error!.message, 'string');
          }
        }),
        { numRuns: RUNS[event] / BATCH, seed: SEED, endOnFailure: true },
      );
      sent += RUNS[event];

      // Still serving: the member can relay, the peer heard nothing of the garbage.
      await settle(peer);
      assert.deepEqual(peerReceived, []);
      assert.deepEqual(await member.emitWithAck('offer', { to: peerId, sdp: 'v=0 still here' }), { ok: true });
      assert.equal((await fetch(`${suite.server.url}/healthz`)).status, 200);
    });
  }

  test('10,000 malformed requests and more in all, and the server stayed up', () => {
    assert.ok(sent >= 10_000, `${sent} sent`);
  });
});
