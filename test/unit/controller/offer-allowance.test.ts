// A framework's agents a pass follow the offers it used: 16 when it joins; before each
// periodic pass, 3 × what it used since the last (at least 2), and at least 3 × what it
// was allowed when it used that many; a REVIVE raises it to 3 × what was used after the
// previous REVIVE (16 on the first, or after none used), at most 16. Each row is a sequence of events and the bounds
// handed to the allocator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIRST_ALLOWANCE,
  LEAST_ALLOWANCE,
  OfferAllowance,
} from '../../../src/controller/offer-allowance.js';

type Step =
  { added: true } | { used: number } | { pass: true } | { removed: true } | { revived: true };
const pass = { pass: true } as const;
const added = { added: true } as const;
const revived = { revived: true } as const;

const cases: { name: string; steps: Step[]; bounds: number[]; end: number | undefined }[] = [
  { name: 'a new framework may be sent 16 agents a pass', steps: [added], bounds: [16], end: 16 },
  {
    // nothing used: max(2, 3 × 0) = 2, and it stays there
    name: 'a framework using nothing gets 2 a pass',
    steps: [added, pass, pass],
    bounds: [16, 2],
    end: 2,
  },
  {
    // 1 used of 16: max(2, 3 × 1) = 3
    name: 'one task a pass settles at 3',
    steps: [added, { used: 1 }, pass, { used: 1 }, pass],
    bounds: [16, 3],
    end: 3,
  },
  {
    // all 16 used: max(3 × 16, 3 × 16) = 48; all 48: 144; then 100 of 144: 3 × 100 = 300
    name: 'using all it is allowed triples the allowance; using many keeps 3 × that',
    steps: [added, { used: 16 }, pass, { used: 48 }, pass, { used: 100 }, pass],
    bounds: [16, 48, 144, 300],
    end: 300,
  },
  {
    // at 2, used 2 (what a launch leaves is offered again at once, so it may use more
    // than its bound): 7 >= 2, max(3 × 7, 3 × 2) = 21
    name: 'uses beyond the allowance count in full',
    steps: [added, pass, { used: 7 }, pass],
    bounds: [16, 2, 21],
    end: 21,
  },
  {
    // uses are counted per pass: 5 then 0: 15, then 2
    name: 'the count starts again each pass',
    steps: [added, { used: 3 }, { used: 2 }, pass, pass],
    bounds: [16, 15, 2],
    end: 2,
  },
  {
    // removed: forgotten (uses ignored, no bound set); added again: 16
    name: 'a framework removed and added again starts over',
    steps: [added, pass, { removed: true }, { used: 9 }, pass, added],
    bounds: [16, 2, 16],
    end: 16,
  },
  {
    // idle at 2, then a first REVIVE: max(2, 16) = 16; at 48, REVIVE changes nothing
    name: 'a first revive raises the allowance to the first one, never lowers it',
    steps: [added, pass, { revived: true }, { used: 16 }, pass, { revived: true }],
    bounds: [16, 2, 16, 48],
    end: 48,
  },
  {
    // one task a revive (suppressing between tasks): first REVIVE 16; 1 used, so the
    // next passes give max(2, 3 × 1) = 3, then 2; the next REVIVE: min(16, 3 × 1) = 3
    name: 'a revive after one used offer raises to 3, not 16',
    steps: [
      added,
      pass,
      revived,
      { used: 1 },
      pass,
      pass,
      revived,
      { used: 1 },
      pass,
      pass,
      revived,
    ],
    bounds: [16, 2, 16, 3, 2, 3, 2, 3],
    end: 3,
  },
  {
    // nothing used since the last REVIVE (what came did not serve): 16 again;
    // 9 used: min(16, 3 × 9) = 16
    name: 'a revive after none used, or many, raises to 16',
    steps: [added, pass, revived, pass, revived, pass, revived, { used: 9 }, pass, pass, revived],
    bounds: [16, 2, 16, 2, 16, 2, 16, 27, 2, 16],
    end: 16,
  },
  {
    name: 'a framework never added has no allowance',
    steps: [{ used: 4 }, pass],
    bounds: [],
    end: undefined,
  },
];

for (const c of cases) {
  test(`offer allowance: ${c.name}`, () => {
    assert.deepEqual([FIRST_ALLOWANCE, LEAST_ALLOWANCE], [16, 2], 'the rows assume 16 and 2');
    const bounds: number[] = [];
    const a = new OfferAllowance((fw, b) => {
      assert.equal(fw, 'f1');
      bounds.push(b);
    });
    for (const s of c.steps) {
      if ('added' in s) a.added('f1');
      else if ('used' in s) a.used('f1', s.used);
      else if ('pass' in s) a.beforePass();
      else if ('revived' in s) a.revived('f1');
      else a.removed('f1');
    }
    assert.deepEqual(bounds, c.bounds);
    assert.equal(a.of('f1'), c.end);
  });
}
