// The default framework's held offers: each given back once it has been held for the hold
// time (not before, and not again), those launched on or dropped never, and a held
// offer's matcher kept, so that what a round took stays taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferPool } from '../../../src/frameworks/default/offer-pool.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { offerOf } from '../../support/placing-round.js';

function pool(holdMs: number) {
  const clock = new ManualClock(0);
  const expired: string[][] = [];
  const p = new OfferPool({ clock, holdMs, expire: (ids) => expired.push(ids) });
  return { clock, expired, p };
}

// [case, hold ms, steps: [at ms, what], offers given back by then, in batches]
type Step = [number, { add?: string[]; drop?: string[] }];
const cases: [string, number, Step[], string[][]][] = [
  // a and b came at 0: due at 1,000; c at 600: due at 1,600.
  [
    'each offer goes back one hold time after it came',
    1000,
    [
      [0, { add: ['a', 'b'] }],
      [600, { add: ['c'] }],
      [999, {}],
      [1000, {}],
      [1599, {}],
      [1600, {}],
    ],
    [['offer-a', 'offer-b'], ['offer-c']],
  ],
  // b was launched on at 500: only a goes back at 1,000.
  [
    'an offer dropped (launched on, rescinded) is never given back',
    1000,
    [
      [0, { add: ['a', 'b'] }],
      [500, { drop: ['b'] }],
      [2000, {}],
    ],
    [['offer-a']],
  ],
  // Held 300 ms: nothing is due at 299.
  [
    'nothing goes back early',
    300,
    [
      [0, { add: ['a'] }],
      [299, {}],
    ],
    [],
  ],
];

for (const [name, holdMs, steps, given] of cases) {
  test(name, () => {
    const { clock, expired, p } = pool(holdMs);
    for (const [at, s] of steps) {
      clock.advance(at - clock.now());
      if (s.add) p.add(s.add.map((agent) => offerOf(agent, 1, 1024)));
      if (s.drop) p.drop(s.drop.map((agent) => `offer-${agent}`));
    }
    assert.deepEqual(expired, given);
  });
}

test('a held offer keeps its matcher: what a round took stays taken', () => {
  const { p } = pool(1000);
  const offer = offerOf('a', 1, 1024);
  p.add([offer]);
  // 0.75 of 1 cpu taken, then 0.5 more does not fit the same matcher: 0.25 is left.
  assert.ok(p.matcherOf(offer).take({ cpus: 0.75, mem: 64 }).ok);
  assert.equal(p.matcherOf(offer).take({ cpus: 0.5, mem: 64 }).ok, false);
  assert.deepEqual(p.offers(), [offer]);
});

test('clear forgets every offer and gives none back', () => {
  const { clock, expired, p } = pool(100);
  p.add([offerOf('a', 1, 1024)]);
  p.clear();
  clock.advance(1000);
  assert.deepEqual(expired, []);
  assert.equal(p.size, 0);
});
