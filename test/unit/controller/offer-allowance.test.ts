// A framework's offers a pass follow its answers: unbounded until it turns an offer down,
// then what it was last sent minus what it turned down (at least 1), plus 2 for each
// offer it uses. Each row is a sequence of events and the bounds handed to the allocator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferAllowance } from '../../../src/controller/offer-allowance.js';

type Step = { offered: number } | { used: number } | { declined: number } | { removed: true };

const cases: {
  name: string;
  steps: Step[];
  bounds: (number | undefined)[];
  end: number | undefined;
}[] = [
  {
    name: 'a framework using everything stays unbounded',
    steps: [{ offered: 250 }, { used: 250 }, { offered: 100 }, { used: 100 }],
    bounds: [],
    end: undefined,
  },
  {
    // sent 250: 250 - 249 = 1; then +2 for the one used: 3
    name: 'one wanted task on 250 agents settles near 3',
    steps: [{ offered: 250 }, { declined: 249 }, { used: 1 }],
    bounds: [1, 3],
    end: 3,
  },
  {
    // 3 sent, 2 declined: 3 - 2 = 1 (answers counted as they come, not per pass)
    name: 'declines one call at a time',
    steps: [{ offered: 3 }, { declined: 1 }, { declined: 1 }, { used: 1 }],
    bounds: [2, 1, 3],
    end: 3,
  },
  {
    // bounded at 1 from the decline; then 1 -> 1 + 2 = 3 -> 3 + 2*3 = 9 -> 9 + 2*9 = 27
    name: 'using all it is sent triples the allowance',
    steps: [{ offered: 1 }, { declined: 1 }, { used: 1 }, { used: 3 }, { used: 9 }],
    bounds: [1, 3, 9, 27],
    end: 27,
  },
  {
    // 10 - 50 would be below 1: the floor is one offer a pass, never none
    name: 'never below one a pass',
    steps: [{ offered: 10 }, { declined: 50 }, { declined: 5 }],
    bounds: [1],
    end: 1,
  },
  {
    // nothing sent yet: bounded from the count declined, max(1, 4 - 4) = 1
    name: 'a decline before any batch is known',
    steps: [{ declined: 4 }],
    bounds: [1],
    end: 1,
  },
  {
    name: 'zero offers answered changes nothing',
    steps: [{ offered: 5 }, { declined: 0 }, { used: 0 }],
    bounds: [],
    end: undefined,
  },
  {
    // removed: forgotten; the same ID later starts unbounded, bounded from its new batch
    name: 'a removed framework is forgotten',
    steps: [{ offered: 8 }, { declined: 6 }, { removed: true }, { offered: 4 }, { declined: 1 }],
    bounds: [2, 3],
    end: 3,
  },
];

for (const c of cases) {
  test(`offer allowance: ${c.name}`, () => {
    const bounds: (number | undefined)[] = [];
    const a = new OfferAllowance((fw, b) => {
      assert.equal(fw, 'f1');
      bounds.push(b);
    });
    for (const s of c.steps) {
      if ('offered' in s) a.offered('f1', s.offered);
      else if ('used' in s) a.answered('f1', true, s.used);
      else if ('declined' in s) a.answered('f1', false, s.declined);
      else a.removed('f1');
    }
    assert.deepEqual(bounds, c.bounds);
    assert.equal(a.of('f1'), c.end);
  });
}
