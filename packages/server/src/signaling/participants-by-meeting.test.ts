import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ParticipantsByMeeting } from './participants-by-meeting.js';

describe('ParticipantsByMeeting', () => {
  test('keeps each meeting apart, in order of arrival', () => {
    const map = new ParticipantsByMeeting<string>();
    map.set('m1', 'b', 'Bea');
    map.set('m2', 'a', 'Ann in m2');
    map.set('m1', 'a', 'Ann');
    assert.deepEqual(map.inMeeting('m1'), ['Bea', 'Ann']);
    assert.deepEqual(map.inMeeting('m2'), ['Ann in m2']);
    assert.deepEqual(map.inMeeting('nowhere'), []);
    assert.equal(map.get('m1', 'a'), 'Ann');
    assert.equal(map.get('m2', 'a'), 'Ann in m2');
    assert.equal(map.get('m2', 'b'), undefined);
    assert.deepEqual(map.all(), ['Bea', 'Ann', 'Ann in m2']);
    assert.equal(map.countIn('m1'), 2);
    assert.equal(map.countIn('nowhere'), 0);
  });

  test('a value set again replaces the old one in its place', () => {
    const map = new ParticipantsByMeeting<number>();
    map.set('m', 'a', 1);
    map.set('m', 'b', 2);
    map.set('m', 'a', 3);
    assert.deepEqual(map.inMeeting('m'), [3, 2]);
    assert.equal(map.participantCount, 2);
  });

  test('delete returns what it took, and forgets a meeting once empty', () => {
    const map = new ParticipantsByMeeting<string>();
    map.set('m1', 'a', 'Ann');
    map.set('m1', 'b', 'Bea');
    map.set('m2', 'c', 'Cy');
    assert.equal(map.delete('m1', 'a'), 'Ann');
    assert.equal(map.delete('m1', 'a'), undefined, 'already gone');
    assert.equal(map.delete('m2', 'b'), undefined, 'Bea is in another meeting');
    assert.deepEqual(map.meetingCodes(), ['m1', 'm2']);
    assert.equal(map.meetingCount, 2);
    assert.equal(map.delete('m1', 'b'), 'Bea');
    assert.deepEqual(map.meetingCodes(), ['m2'], 'an empty meeting is no meeting');
    assert.equal(map.meetingCount, 1);
    assert.equal(map.participantCount, 1);
  });

  test('lists are copies: removing while going through one skips nobody', () => {
    const map = new ParticipantsByMeeting<string>();
    for (const id of ['a', 'b', 'c']) map.set('m', id, id);
    const seen: string[] = [];
    for (const id of map.inMeeting('m')) {
      seen.push(id);
      map.delete('m', id);
    }
    assert.deepEqual(seen, ['a', 'b', 'c']);
    for (const id of ['a', 'b']) map.set(id, id, id);
    for (const code of map.meetingCodes()) map.delete(code, code);
    assert.equal(map.meetingCount, 0);
  });

  test('clear forgets everything', () => {
    const map = new ParticipantsByMeeting<string>();
    map.set('m1', 'a', 'Ann');
    map.set('m2', 'b', 'Bea');
    map.clear();
    assert.deepEqual(map.all(), []);
    assert.equal(map.meetingCount, 0);
    assert.equal(map.participantCount, 0);
  });

  test('behaves as one flat list of (meeting, participant) entries, whatever the sequence of changes', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const change = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), code: key, id: key, value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), code: key, id: key }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        const map = new ParticipantsByMeeting<number>();
        let model: { code: string; id: string; value: number }[] = [];
        for (const step of changes) {
          const index = model.findIndex((entry) => entry.code === step.code && entry.id === step.id);
          if (step.kind === 'set') {
            map.set(step.code, step.id, step.value);
            if (index === -1) model.push({ code: step.code, id: step.id, value: step.value });
            else model[index] = { code: step.code, id: step.id, value: step.value };
          } else {
            assert.equal(map.delete(step.code, step.id), model[index]?.value);
            model = model.filter((_, at) => at !== index);
          }
        }
        const codes = [...new Set(model.map((entry) => entry.code))];
        assert.deepEqual(new Set(map.meetingCodes()), new Set(codes));
        assert.equal(map.meetingCount, codes.length);
        assert.equal(map.participantCount, model.length);
        for (const code of ['a', 'b', 'c']) {
          const inModel = model.filter((entry) => entry.code === code);
          assert.deepEqual(map.inMeeting(code), inModel.map((entry) => entry.value));
          assert.equal(map.countIn(code), inModel.length);
          for (const id of ['a', 'b', 'c']) assert.equal(map.get(code, id), inModel.find((entry) => entry.id === id)?.value);
        }
      }),
    );
  });
});
