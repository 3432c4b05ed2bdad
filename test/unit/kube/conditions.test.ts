import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setCondition, getCondition, type Condition } from '../../../src/kube/conditions.js';

const T1 = Date.parse('2026-11-25T10:00:00Z');
const T2 = Date.parse('2026-11-25T10:05:00Z');
const ready = (status: Condition['status'], reason = 'Running', message = 'ok') => ({
  type: 'Ready',
  status,
  reason,
  message,
});

test('adding a condition stamps its transition time', () => {
  const r = setCondition([], ready('True'), T1);
  assert.equal(r.changed, true);
  assert.equal(getCondition(r.conditions, 'Ready')?.lastTransitionTime, '2026-11-25T10:00:00.000Z');
});

// [second write, changed?, transition time kept from T1?]
const cases: [ReturnType<typeof ready>, boolean, boolean][] = [
  [ready('True'), false, true], // identical: no write at all
  [ready('True', 'Running', 'still ok'), true, true], // message only: no transition
  [ready('False', 'Failed', 'exit 1'), true, false], // status flip: new transition time
];
for (const [second, changed, kept] of cases) {
  test(`rewriting as ${second.status}/${second.reason}/${second.message}`, () => {
    const first = setCondition(undefined, ready('True'), T1).conditions;
    const r = setCondition(first, second, T2);
    assert.equal(r.changed, changed);
    assert.equal(
      getCondition(r.conditions, 'Ready')?.lastTransitionTime,
      kept ? '2026-11-25T10:00:00.000Z' : '2026-11-25T10:05:00.000Z',
    );
    assert.equal(r.conditions.length, 1);
  });
}
