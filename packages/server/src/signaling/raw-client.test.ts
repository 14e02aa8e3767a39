// docs/protocol.md §20 shows raw-client.ts: it must join and relay against the real server, as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { startTestServer } from '../../test/support/helpers.js';
import { answerOffers, connect, createMeeting, joinMeeting, offerTo, request, type ParticipantInfo } from '../../test/support/raw-client.js';

/** The payload of the next `event` on `socket` (the first argument: the recovery offset after it is ignored). */
function next<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, (payload: T) => resolve(payload)));
}

test('a client written from docs/protocol.md joins, hears the newcomer, and exchanges offer, answer and ICE', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  // #region usage
  const { code, hostKey } = await createMeeting(server.url);
  const ada = await connect(server.url);
  const bob = await connect(server.url);
  t.after(() => [ada, bob].forEach((socket) => socket.disconnect()));

  const adaJoined = await joinMeeting(ada, code, 'Ada', hostKey);
  const newcomer = next<ParticipantInfo>(ada, 'participant-joined');
  answerOffers(bob, (offer) => `answer to ${offer.sdp}`);
  const bobJoined = await joinMeeting(bob, code.toUpperCase().replaceAll('-', ' '), 'Bob');
  const joined = await newcomer; // Bob, as Ada hears of him
  const answer = await offerTo(ada, joined.id, 'v=0 fake offer');
  // #endregion usage

  assert.equal(adaJoined.self.isHost, true);
  assert.deepEqual(adaJoined.participants, []);
  assert.deepEqual(bobJoined.participants.map((participant) => participant.name), ['Ada']);
  assert.equal(joined.id, bobJoined.self.id);
  assert.equal(answer, 'answer to v=0 fake offer');

  const candidate = next<{ from: string; candidate: { candidate: string } }>(bob, 'ice-candidate');
  await request(ada, 'ice-candidate', { to: joined.id, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
  const relayed = await candidate;
  assert.equal(relayed.from, adaJoined.self.id);
  assert.match(relayed.candidate.candidate, /typ host/);

  const left = next<{ participantId: string; reason: string }>(ada, 'participant-left');
  await request(bob, 'leave-meeting');
  assert.deepEqual(await left, { participantId: joined.id, reason: 'left' });
  await assert.rejects(request(ada, 'offer', { to: joined.id, sdp: 'v=0' }), { code: 'participant-not-found' });
});
