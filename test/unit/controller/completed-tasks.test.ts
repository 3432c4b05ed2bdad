import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletedTasks, parseBound } from '../../../src/controller/completed-tasks.js';

/** A history over a fake owner: `unwritten` tasks are not in the store yet. */
function history(
  tasksPerFramework: number,
  frameworks: number,
  unwritten = new Set<string>(),
  held = new Set<string>(),
) {
  const forgotten: string[] = [];
  const h = new CompletedTasks(
    { tasksPerFramework, frameworks },
    {
      written: (id) => !unwritten.has(id),
      held: (id) => held.has(id),
      forget: (id) => forgotten.push(id),
    },
  );
  return { h, forgotten, unwritten, held };
}

test('past the bound the oldest completed tasks of that framework leave memory', () => {
  const { h, forgotten } = history(3, 10);
  // 5 completions in fw-a with a bound of 3: a0 and a1 go (5 - 3 = 2), oldest first.
  for (let i = 0; i < 5; i++) h.add('fw-a', `a${i}`);
  // Another framework's history is its own: 2 completions, under the bound, none go.
  for (let i = 0; i < 2; i++) h.add('fw-b', `b${i}`);
  assert.deepEqual(forgotten, ['a0', 'a1']);
  assert.equal(h.count('fw-a'), 3);
  assert.equal(h.count('fw-b'), 2);
  assert.ok(h.has('fw-a', 'a4') && !h.has('fw-a', 'a0'));
  h.add('fw-a', 'a4'); // adding again changes nothing
  assert.deepEqual(forgotten, ['a0', 'a1']);
});

test('a task leaves memory only after the store has its final state', () => {
  const { h, forgotten, unwritten } = history(1, 10, new Set(['a0']));
  h.add('fw-a', 'a0');
  h.add('fw-a', 'a1');
  h.add('fw-a', 'a2');
  // a0 is oldest but unwritten: nothing passes it (the mirror writes in order).
  assert.deepEqual(forgotten, []);
  unwritten.delete('a0');
  h.written('fw-a');
  // Now 3 held with a bound of 1: a0 and a1 go.
  assert.deepEqual(forgotten, ['a0', 'a1']);
});

test('a task whose update is with its framework again is passed over, not waited for', () => {
  const { h, forgotten, held } = history(1, 10, new Set(), new Set(['a0']));
  for (let i = 0; i < 4; i++) h.add('fw-a', `a${i}`);
  // A bound of 1, and a0 held takes the place: each later one goes as soon as it comes.
  assert.deepEqual(forgotten, ['a1', 'a2', 'a3']);
  held.delete('a0');
  h.add('fw-a', 'a4');
  // a0 and a4 with a bound of 1: a0, the oldest, goes.
  assert.deepEqual(forgotten, ['a1', 'a2', 'a3', 'a0']);
});

test('removed frameworks past their bound take their completed tasks with them', () => {
  const { h, forgotten } = history(10, 2);
  for (const fw of ['f1', 'f2', 'f3']) {
    h.add(fw, `${fw}-t`);
    h.frameworkRemoved(fw);
  }
  // Three removed with room for two: f1, the oldest, goes with its task.
  assert.deepEqual(forgotten, ['f1-t']);
  assert.equal(h.isRemoved('f1'), false);
  assert.ok(h.isRemoved('f2') && h.isRemoved('f3'));
});

test('bounds are whole numbers >= 0', () => {
  // [flag value, parsed or error]
  const cases: [string, number | RegExp][] = [
    ['0', 0],
    ['1000', 1000],
    ['-1', /not a whole number/],
    ['1.5', /not a whole number/],
    ['', /not a whole number/],
    ['1e400', /not a whole number/],
    ['abc', /not a whole number/],
  ];
  for (const [v, want] of cases) {
    if (typeof want === 'number') assert.equal(parseBound('--x', v), want, v);
    else assert.throws(() => parseBound('--x', v), want, v);
  }
  assert.throws(() => history(-1, 1), /tasksPerFramework must be an integer/);
});
