import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStoredSettings } from './meeting.js';

describe('parseStoredSettings', () => {
  test('reads every known setting', () => {
    const settings = { waitingRoom: true, waitingRoomAfterRemoval: true, removed: ['r1', 'r2'], departed: ['d1'], rolesChangedAt: 1234, maxParticipants: 4 };
    assert.deepEqual(parseStoredSettings(JSON.stringify(settings)), settings);
  });

  test('leaves out known settings of the wrong type, and the non-strings of a list of marks', () => {
    const stored = { waitingRoom: 'yes', waitingRoomAfterRemoval: 1, removed: ['r1', 7, null, 'r2'], departed: 'd1', rolesChangedAt: '1234', maxParticipants: '4' };
    assert.deepEqual(parseStoredSettings(JSON.stringify(stored)), { removed: ['r1', 'r2'] });
  });

  test('keeps settings it does not know as they are', () => {
    assert.deepEqual(parseStoredSettings('{"muteOnEntry":false,"waitingRoom":false,"layout":{"grid":2}}'), {
      muteOnEntry: false,
      waitingRoom: false,
      layout: { grid: 2 },
    });
  });

  test('anything but an object reads as no settings', () => {
    for (const json of ['null', '[]', '[true]', '3', '"text"', 'true']) assert.deepEqual(parseStoredSettings(json), {}, json);
  });
});
