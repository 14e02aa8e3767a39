import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Presence, type Member } from './presence.js';

function member(meetingCode: string, id: string): Member {
  return {
    info: { id, name: id, isHost: false, audioEnabled: true, videoEnabled: true, screenSharing: false },
    meetingCode,
    removalMarks: [],
    socketId: `socket-${id}`,
    heldMessages: [],
    joinedAt: 0,
    listedInJoinAnswer: [],
  };
}

describe('Presence', () => {
  test('a member removed, or all of them cleared, no longer expires', async () => {
    const presence = new Presence();
    const expired: string[] = [];
    for (const [code, id] of [['m1', 'a'], ['m1', 'b'], ['m2', 'c']] as const) {
      const added = member(code, id);
      added.expiry = setTimeout(() => expired.push(id), 20);
      presence.add(added);
    }
    assert.equal(presence.remove('m1', 'a')?.info.id, 'a');
    assert.equal(presence.participantCount, 2);
    presence.clear();
    assert.equal(presence.meetingCount, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(expired, []);
  });

  test('lists copies of what the others see, and the members themselves', () => {
    const presence = new Presence();
    presence.add(member('m1', 'a'));
    presence.add(member('m1', 'b'));
    presence.add(member('m2', 'c'));
    presence.setMediaState('m1', 'a', { audio: false, video: true, screen: true });
    const listed = presence.list('m1');
    assert.deepEqual(
      listed.map(({ id, audioEnabled, screenSharing }) => ({ id, audioEnabled, screenSharing })),
      [
        { id: 'a', audioEnabled: false, screenSharing: true },
        { id: 'b', audioEnabled: true, screenSharing: false },
      ],
    );
    listed[0]!.name = 'changed';
    assert.equal(presence.get('m1', 'a')?.info.name, 'a', 'the list is a copy');
    assert.deepEqual(presence.members('m1').map((found) => found.info.id), ['a', 'b']);
    assert.deepEqual(presence.members().map((found) => found.info.id), ['a', 'b', 'c']);
    assert.equal(presence.meetingCount, 2);
  });
});
