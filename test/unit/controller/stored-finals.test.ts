import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoredFinals } from '../../../src/controller/stored-finals.js';

const final = (state: 'TASK_FINISHED' | 'TASK_GONE') => ({
  frameworkId: 'fw',
  agentId: 'a',
  state,
  message: '',
});

test('stored final states are bounded, the oldest noted leaving first', () => {
  const cases: { limit: number; noted: string[]; kept: string[] }[] = [
    // limit 2, three noted: t1 is the oldest and goes.
    { limit: 2, noted: ['t1', 't2', 't3'], kept: ['t2', 't3'] },
    // Noting t1 again makes it the newest: t2 goes instead.
    { limit: 2, noted: ['t1', 't2', 't1', 't3'], kept: ['t1', 't3'] },
    { limit: 5, noted: ['t1', 't2'], kept: ['t1', 't2'] },
  ];
  for (const c of cases) {
    const f = new StoredFinals(c.limit);
    for (const id of c.noted) f.note(id, final('TASK_FINISHED'));
    const kept = ['t1', 't2', 't3'].filter((id) => f.get(id) !== undefined);
    assert.deepEqual(kept, c.kept, `limit ${String(c.limit)}, noted ${c.noted.join(',')}`);
    assert.equal(f.size, c.kept.length);
  }
});

test('the latest note of a task wins', () => {
  const f = new StoredFinals(3);
  f.note('t', final('TASK_FINISHED'));
  f.note('t', final('TASK_GONE'));
  assert.equal(f.get('t')?.state, 'TASK_GONE');
});
