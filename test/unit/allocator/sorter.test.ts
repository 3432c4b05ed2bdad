import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DrfSorter, RandomSorter, type Sorter } from '../../../src/allocator/index.js';

const q = (o: Record<string, number>): Map<string, number> =>
  new Map(Object.entries(o).map(([k, v]) => [k, v * 1000]));

// The contract every sorter honours, whatever its order.
for (const [name, make] of [
  ['DrfSorter', () => new DrfSorter()],
  ['RandomSorter', () => new RandomSorter(42)],
] as [string, () => Sorter][]) {
  describe(`Sorter contract: ${name}`, () => {
    test('sort returns each active client exactly once', () => {
      const s = make();
      s.addTotal(q({ cpus: 10 }));
      for (const c of ['a', 'b', 'eng', 'eng/backend', 'eng/frontend/web']) s.add(c);
      assert.deepEqual([...s.sort()].sort(), ['a', 'b', 'eng', 'eng/backend', 'eng/frontend/web']);
      assert.equal(s.count(), 5);
    });
    test('deactivated clients are hidden, activated ones come back', () => {
      const s = make();
      s.add('a');
      s.add('b');
      s.deactivate('a');
      assert.deepEqual([...s.sort()], ['b']);
      s.activate('a');
      assert.deepEqual([...s.sort()].sort(), ['a', 'b']);
    });
    test('allocation is tracked and returned', () => {
      const s = make();
      s.addTotal(q({ cpus: 10, mem: 100 }));
      s.add('eng/backend');
      s.allocated('eng/backend', q({ cpus: 2 }));
      s.allocated('eng/backend', q({ cpus: 1, mem: 50 }));
      s.unallocated('eng/backend', q({ cpus: 1 }));
      assert.deepEqual(s.allocation('eng/backend'), q({ cpus: 2, mem: 50 }));
      // eng/backend: max(2/10, 50/100) = 0.5, and its parent path eng holds the same
      assert.equal(s.share('eng/backend'), 0.5);
      assert.equal(s.share('eng'), 0.5);
    });
    test('remove drops the client and empty inner paths', () => {
      const s = make();
      s.add('eng/backend');
      s.add('ops');
      s.remove('eng/backend');
      assert.ok(!s.contains('eng/backend'));
      assert.deepEqual([...s.sort()], ['ops']);
      assert.equal(s.share('eng'), 0);
    });
    test('rejects non-positive weights', () => {
      assert.throws(() => make().updateWeight('a', 0), /weight of "a" must be positive/);
    });
  });
}

test('DRF: smallest dominant share first, table-driven', () => {
  const s = new DrfSorter();
  s.addTotal(q({ cpus: 9, mem: 18 }));
  for (const c of ['A', 'B', 'C']) s.add(c);
  s.allocated('A', q({ cpus: 1, mem: 4 })); // A: max(1/9, 4/18) = 2/9 ≈ 0.222
  s.allocated('B', q({ cpus: 3, mem: 1 })); // B: max(3/9, 1/18) = 1/3 ≈ 0.333
  s.allocated('C', q({ cpus: 2, mem: 2 })); // C: max(2/9, 2/18) = 2/9, tie with A → by name
  assert.deepEqual([...s.sort()], ['A', 'C', 'B']);
  s.allocated('A', q({ cpus: 1, mem: 4 })); // A: max(2/9, 8/18) = 4/9 ≈ 0.444
  assert.deepEqual([...s.sort()], ['C', 'B', 'A']);
  s.unallocated('B', q({ cpus: 3, mem: 1 })); // B: 0
  assert.deepEqual([...s.sort()], ['B', 'C', 'A']);
});

test('DRF: weights divide shares', () => {
  const s = new DrfSorter();
  s.addTotal(q({ cpus: 10 }));
  s.add('heavy');
  s.add('light');
  s.updateWeight('heavy', 2);
  s.allocated('heavy', q({ cpus: 4 })); // heavy: (4/10)/2 = 0.2
  s.allocated('light', q({ cpus: 3 })); // light: (3/10)/1 = 0.3
  assert.deepEqual([...s.sort()], ['heavy', 'light']);
  s.allocated('heavy', q({ cpus: 2 })); // heavy: (6/10)/2 = 0.3, tie → by name
  assert.deepEqual([...s.sort()], ['heavy', 'light']);
  s.allocated('heavy', q({ cpus: 1 })); // heavy: (7/10)/2 = 0.35 > 0.3
  assert.deepEqual([...s.sort()], ['light', 'heavy']);
});

test('DRF: hierarchy compares subtrees first', () => {
  const s = new DrfSorter();
  s.addTotal(q({ cpus: 100 }));
  for (const c of ['eng/a', 'eng/b', 'ops']) s.add(c);
  s.allocated('eng/a', q({ cpus: 10 })); // eng = 10/100 + 0 = 0.1
  s.allocated('ops', q({ cpus: 5 })); // ops = 0.05 < eng = 0.1 → ops first
  // Inside eng: b (0) before a (0.1)
  assert.deepEqual([...s.sort()], ['ops', 'eng/b', 'eng/a']);
  s.allocated('ops', q({ cpus: 10 })); // ops = 0.15 > eng = 0.1
  assert.deepEqual([...s.sort()], ['eng/b', 'eng/a', 'ops']);
});

test('DRF: a change of totals re-sorts everyone', () => {
  const s = new DrfSorter();
  s.addTotal(q({ cpus: 10, mem: 10 }));
  s.add('cpu-heavy');
  s.add('mem-heavy');
  s.allocated('cpu-heavy', q({ cpus: 4 })); // 4/10 = 0.4
  s.allocated('mem-heavy', q({ mem: 5 })); // 5/10 = 0.5
  assert.deepEqual([...s.sort()], ['cpu-heavy', 'mem-heavy']);
  s.addTotal(q({ mem: 90 })); // mem-heavy: 5/100 = 0.05 now
  assert.deepEqual([...s.sort()], ['mem-heavy', 'cpu-heavy']);
});

test('Random: weighted, reproducible under a seed', () => {
  const run = (seed: number): string[] => {
    const s = new RandomSorter(seed);
    s.add('a');
    s.add('b');
    s.updateWeight('a', 3);
    const firsts: string[] = [];
    for (let i = 0; i < 400; i++) firsts.push([...s.sort()][0] ?? '');
    return firsts;
  };
  assert.deepEqual(run(7), run(7));
  // Weight 3 against 1: a comes first about 3/4 of the time.
  const a = run(7).filter((x) => x === 'a').length / 400;
  assert.ok(a > 0.65 && a < 0.85, `a first ${a}`);
});
