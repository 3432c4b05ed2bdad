// Which task resources an agent can enforce: the controller refuses a LAUNCH whose task
// has no cpus (or fewer than the 0.01 a 1 ms CFS quota per 100 ms period gives) or no mem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_TASK_CPUS, Resources, taskLimitsProblem } from '../../../src/allocator/index.js';

test('taskLimitsProblem, table-driven', () => {
  const cases: [string, RegExp | undefined][] = [
    ['cpus:0.1;mem:32', undefined],
    // exactly the minimum: 0.01 × 100 ms = 1 ms of quota
    ['cpus:0.01;mem:0.001', undefined],
    ['cpus(eng):0.5;mem(eng):16;disk:10', undefined],
    ['mem:32', /asks for no cpus; a task needs at least 0\.01/],
    // 0.0001 rounds to 0 thousandths: no cpus at all
    ['cpus:0.0001;mem:32', /asks for no cpus/],
    ['cpus:0.005;mem:32', /its 0\.005 cpus are fewer than 0\.01/],
    ['cpus:1', /asks for no mem/],
    ['cpus:1;mem:0', /asks for no mem/],
    ['', /asks for no cpus/],
  ];
  for (const [text, expected] of cases) {
    const problem = taskLimitsProblem(Resources.parse(text));
    if (expected === undefined) assert.equal(problem, undefined, text);
    else assert.match(problem ?? '', expected, text);
  }
  assert.equal(MIN_TASK_CPUS, 0.01);
});
