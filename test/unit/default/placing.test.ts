// One round of the default framework's placing, as a plan: oldest first, spread, and a
// shape that fitted nowhere is not tried again in the round while other shapes still are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offerOf, placingRound, waitingTask } from '../../support/placing-round.js';

type Shape = Record<string, unknown>;
const big: Shape = { cpus: 2, mem: 64 };
const small: Shape = { cpus: 0.1, mem: 64 };

// [case, offers as [agent, cpus], waiting as [name, creation second, shape], placed by agent]
const cases: [string, [string, number][], [string, number, Shape][], Record<string, string[]>][] = [
  [
    // a: 2 + 0.1 + 0.1 + 0.1 = 2.3 of 2.3; big-2 and big-3 fit nowhere once big-1 is on.
    'a shape that fits nowhere is skipped; smaller ones after it are still placed',
    [['a', 2.3]],
    [
      ['big-1', 1, big],
      ['big-2', 2, big],
      ['big-3', 3, big],
      ['small-1', 4, small],
      ['small-2', 5, small],
      ['small-3', 6, small],
    ],
    { a: ['big-1', 'small-1', 'small-2', 'small-3'] },
  ],
  [
    // Oldest first: late (second 9) is created after early (second 1), though listed first.
    'oldest first: the only room goes to the oldest object',
    [['a', 2]],
    [
      ['late', 9, big],
      ['early', 1, big],
    ],
    { a: ['early'] },
  ],
  [
    // Spread: 4 small on two agents of 1 cpu, 2 each (least loaded first).
    'spread over the agents of the round',
    [
      ['a', 1],
      ['b', 1],
    ],
    [
      ['s1', 1, small],
      ['s2', 2, small],
      ['s3', 3, small],
      ['s4', 4, small],
    ],
    { a: ['s1', 's3'], b: ['s2', 's4'] },
  ],
];

for (const [name, offers, waiting, expected] of cases) {
  test(name, async () => {
    const placed = await placingRound(
      offers.map(([agent, cpus]) => offerOf(agent, cpus, 4096)),
      waiting.map(([n, second, shape]) => waitingTask(n, second, shape)),
    );
    assert.deepEqual(Object.fromEntries(placed), expected);
  });
}
