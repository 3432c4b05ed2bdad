// A framework's agents a pass follow the offers it used: 16 when it joins; before each
// periodic pass, 3 × what it used since the last (at least 2), and at least 3 × what it
// was allowed when it used that many, unless it was sent nothing and used nothing since
// the last pass; a REVIVE raises it to 3 × what was used after the previous REVIVE (16 on
// the first, or after none used), at most 16. Each row is a sequence of events and the
// bounds handed to the allocator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIRST_ALLOWANCE,
  LEAST_ALLOWANCE,
  OfferAllowance,
} from '../../../src/controller/offer-allowance.js';

type Step =
  | { added: true }
  | { offered: number }
  | { used: number }
  | { pass: true }
  | { removed: true }
  | { revived: true };
const pass = { pass: true } as const;
const added = { added: true } as const;
const revived = { revived: true } as const;
const sent = (n: number) => ({ offered: n });

const cases: { name: string; steps: Step[]; bounds: number[]; end: number | undefined }[] = [
  { name: 'a new framework may be sent 16 agents a pass', steps: [added], bounds: [16], end: 16 },
  {
    // 16 sent, nothing used: max(2, 3 × 0) = 2, and it stays there
    name: 'a framework using nothing gets 2 a pass',
    steps: [added, sent(16), pass, sent(2), pass],
    bounds: [16, 2],
    end: 2,
  },
  {
    // joined just before a pass: nothing sent, nothing used, nothing learnt: 16 stays;
    // then all 16 used: max(3 × 16, 3 × 16) = 48 (with 2 in between, 16 >= 2 would
    // have been counted against 2 instead)
    name: 'a pass before anything was sent keeps the allowance',
    steps: [added, pass, pass, sent(16), { used: 16 }, pass],
    bounds: [16, 48],
    end: 48,
  },
  {
    // 1 used of 16: max(2, 3 × 1) = 3
    name: 'one task a pass settles at 3',
    steps: [added, sent(16), { used: 1 }, pass, sent(3), { used: 1 }, pass],
    bounds: [16, 3],
    end: 3,
  },
  {
    // all 16 used: max(3 × 16, 3 × 16) = 48; all 48: 144; then 100 of 144: 3 × 100 = 300
    name: 'using all it is allowed triples the allowance; using many keeps 3 × that',
    steps: [
      added,
      sent(16),
      { used: 16 },
      pass,
      sent(48),
      { used: 48 },
      pass,
      sent(144),
      { used: 100 },
      pass,
    ],
    bounds: [16, 48, 144, 300],
    end: 300,
  },
  {
    // at 2, used 7 (what a launch leaves is offered again at once, so it may use more
    // than its bound): 7 >= 2, max(3 × 7, 3 × 2) = 21
    name: 'uses beyond the allowance count in full',
    steps: [added, sent(16), pass, sent(7), { used: 7 }, pass],
    bounds: [16, 2, 21],
    end: 21,
  },
  {
    // uses are counted per pass: 5 then 0 of 15 sent: 15, then 2
    name: 'the count starts again each pass',
    steps: [added, sent(16), { used: 3 }, { used: 2 }, pass, sent(15), pass],
    bounds: [16, 15, 2],
    end: 2,
  },
  {
    // removed: forgotten (sends and uses ignored, no bound set); added again: 16
    name: 'a framework removed and added again starts over',
    steps: [added, sent(16), pass, { removed: true }, sent(2), { used: 9 }, pass, added],
    bounds: [16, 2, 16],
    end: 16,
  },
  {
    // idle at 2, then a first REVIVE: max(2, 16) = 16; at 48, REVIVE changes nothing
    name: 'a first revive raises the allowance to the first one, never lowers it',
    steps: [added, sent(16), pass, revived, sent(16), { used: 16 }, pass, revived],
    bounds: [16, 2, 16, 48],
    end: 48,
  },
  {
    // a periodic pass between a REVIVE and the pass that answers it keeps the 16;
    // all 16 used: 48
    name: 'a revive just before a periodic pass keeps its raise',
    steps: [added, sent(16), pass, revived, pass, sent(16), { used: 16 }, pass],
    bounds: [16, 2, 16, 48],
    end: 48,
  },
  {
    // one task a revive (suppressing between tasks): first REVIVE 16; 1 used, so
    // max(2, 3 × 1) = 3, kept while suppressed (nothing sent); the next REVIVE:
    // min(16, 3 × 1) = 3, no change; then 3 sent, 1 used: 3 again
    name: 'a revive after one used offer raises to 3, not 16',
    steps: [
      added,
      sent(16),
      pass,
      revived,
      sent(16),
      { used: 1 },
      pass,
      pass,
      revived,
      sent(3),
      { used: 1 },
      pass,
      pass,
      revived,
    ],
    bounds: [16, 2, 16, 3],
    end: 3,
  },
  {
    // nothing used since the last REVIVE (what came did not serve): 16 again;
    // 9 used: min(16, 3 × 9) = 16
    name: 'a revive after none used, or many, raises to 16',
    steps: [
      added,
      sent(16),
      pass,
      revived,
      sent(16),
      pass,
      revived,
      sent(16),
      pass,
      revived,
      sent(16),
      { used: 9 },
      pass,
      sent(27),
      pass,
      revived,
    ],
    bounds: [16, 2, 16, 2, 16, 2, 16, 27, 2, 16],
    end: 16,
  },
  {
    name: 'a framework never added has no allowance',
    steps: [sent(4), { used: 4 }, pass],
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
      else if ('offered' in s) a.offered('f1', s.offered);
      else if ('used' in s) a.used('f1', s.used);
      else if ('pass' in s) a.beforePass();
      else if ('revived' in s) a.revived('f1');
      else a.removed('f1');
    }
    assert.deepEqual(bounds, c.bounds);
    assert.equal(a.of('f1'), c.end);
  });
}
