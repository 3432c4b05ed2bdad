// LazyShuffle: a seeded random order drawn only as far as it is read. It must be a
// permutation, stable for positions already read, uniform, and draw one random number
// per position reached (a pass that stops after 3 agents of 50,000 draws 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyShuffle, Rng } from '../../../src/allocator/rng.js';

/** An Rng that counts its draws. */
class CountingRng extends Rng {
  draws = 0;
  override next(): number {
    this.draws++;
    return super.next();
  }
}

test('a lazy shuffle is a permutation, stable once read', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const order = new LazyShuffle([...items], new Rng(7));
  const first = [0, 1, 2].map((i) => order.at(i));
  const all = items.map((_, i) => order.at(i));
  assert.deepEqual(all.slice(0, 3), first, 'positions read before keep their items');
  assert.deepEqual(
    [...all].sort((a, b) => (a ?? 0) - (b ?? 0)),
    items,
  );
  assert.notDeepEqual(all, items, 'seed 7 does move something');
  assert.equal(order.at(100), undefined);
  assert.equal(order.length, 100);
});

const drawCases = [
  // Reading positions 0..k-1 of n draws k numbers (one swap per position).
  { n: 50_000, read: 3, draws: 3 },
  { n: 50_000, read: 0, draws: 0 },
  { n: 10, read: 10, draws: 10 },
  // Past the end draws nothing more.
  { n: 10, read: 12, draws: 10 },
];

for (const c of drawCases) {
  test(`a lazy shuffle draws as far as it is read: ${String(c.read)} of ${String(c.n)}`, () => {
    const rng = new CountingRng(1);
    const order = new LazyShuffle(
      Array.from({ length: c.n }, (_, i) => i),
      rng,
    );
    for (let i = 0; i < c.read; i++) order.at(i);
    assert.equal(rng.draws, c.draws);
  });
}

test('a lazy shuffle is uniform: each of 4 items first about 1/4 of the time', () => {
  // 40,000 shuffles: each item is first 10,000 times expected; the standard deviation is
  // sqrt(40000 · 1/4 · 3/4) ≈ 87, so ±500 is over 5 of them (seeded: no flakiness).
  const rng = new Rng(42);
  const firsts = [0, 0, 0, 0];
  for (let k = 0; k < 40_000; k++) {
    const item = new LazyShuffle([0, 1, 2, 3], rng).at(0) ?? -1;
    firsts[item] = (firsts[item] ?? 0) + 1;
  }
  for (const f of firsts) assert.ok(Math.abs(f - 10_000) < 500, `first counts ${firsts.join()}`);
});
