import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handedOver, takenOver } from './hand-over.js';
import type { Member } from './presence.js';

const ada: Member = {
  info: { id: 'p1', name: 'Ada', isHost: true, audioEnabled: true, videoEnabled: false, screenSharing: true },
  meetingCode: 'abc-defg-hij',
  removalMarks: ['mark'],
  socketId: 's1',
  heldMessages: [{ event: 'ice-restart-request', payload: { from: 'p2' } }],
  node: 'node-a',
  joinedAt: 5,
  listedInJoinAnswer: ['p2'],
  tokenIssuedAt: 1000,
};

test('a participant handed over at shutdown is taken back as away, with their role, media, marks and token age', () => {
  const awayUntil = new Date(60_000);
  const saved = handedOver(ada, awayUntil);
  assert.deepEqual(takenOver(saved, 'node-b', 10_000), {
    info: ada.info,
    meetingCode: 'abc-defg-hij',
    removalMarks: ['mark'],
    socketId: null,
    heldMessages: [],
    node: 'node-b',
    joinedAt: 0,
    listedInJoinAnswer: [],
    tokenIssuedAt: 1000,
    awaySince: 10_000,
  });
});

test('once their resume window has closed, a handed-over participant is not taken back', () => {
  const saved = handedOver(ada, new Date(60_000));
  assert.equal(takenOver(saved, undefined, 60_000), undefined);
  assert.equal(takenOver({ ...saved, tokenIssuedAt: 0 }, undefined, 59_999)?.tokenIssuedAt, undefined);
});
