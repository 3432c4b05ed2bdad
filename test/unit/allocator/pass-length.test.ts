// A pass stops once no role is left to offer to. A framework that reached its bound of
// offers for the pass is hidden from its role's sorter until the pass ends, and a role
// with no framework left is hidden from the role sorter; with none left, the pass ends.
// Before, a pass walked every free agent past every framework: at 50,000 agents and 200
// frameworks that was half of the controller's CPU (docs/performance.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './helpers.js';

const AGENTS = 1000;

const cases = [
  {
    // DRF alternates: a1 → f1, a2 → f2, a3 → f1 (2: hidden), a4 → f2 (2: hidden, role
    // r has nobody left, no role is left): 4 agents of 1,000 looked at.
    name: 'bound 2, two frameworks of one role',
    bound: 2,
    frameworks: [
      ['f1', 'r'],
      ['f2', 'r'],
    ],
    suppressed: [] as string[],
    offers: { f1: 2, f2: 2 },
    visited: 4,
  },
  {
    name: 'bound 2, two roles',
    bound: 2,
    frameworks: [
      ['f1', 'r1'],
      ['f2', 'r2'],
    ],
    suppressed: [],
    offers: { f1: 2, f2: 2 },
    visited: 4,
  },
  {
    // f2 is not in the sorter at all: f1 alone, 2 agents.
    name: 'bound 2, the other framework suppressed',
    bound: 2,
    frameworks: [
      ['f1', 'r'],
      ['f2', 'r'],
    ],
    suppressed: ['f2'],
    offers: { f1: 2 },
    visited: 2,
  },
  {
    name: 'everyone suppressed: no agent looked at',
    bound: 2,
    frameworks: [
      ['f1', 'r'],
      ['f2', 'r'],
    ],
    suppressed: ['f1', 'f2'],
    offers: {},
    visited: 0,
  },
  {
    // No bound: every agent has someone to offer to, 500 offers each.
    name: 'no bound: every agent',
    bound: 0,
    frameworks: [
      ['f1', 'r'],
      ['f2', 'r'],
    ],
    suppressed: [],
    offers: { f1: 500, f2: 500 },
    visited: AGENTS,
  },
];

for (const c of cases) {
  test(`pass length: ${c.name}`, () => {
    const h = new Harness({ maxOffersPerFrameworkPerPass: c.bound });
    for (let i = 0; i < AGENTS; i++) h.agent(`a${String(i)}`, 'cpus:4;mem:1024');
    for (const [id, role] of c.frameworks) h.framework(id ?? '', role ?? '');
    for (const id of c.suppressed) h.allocator.suppressOffers(id);
    h.takeRaw();
    h.allocator.allocate();
    const offers: Record<string, number> = {};
    for (const o of h.takeRaw()) offers[o.framework] = (offers[o.framework] ?? 0) + 1;
    assert.deepEqual(offers, c.offers);
    assert.equal(h.allocator.lastPass()?.visited, c.visited);
    assert.equal(h.allocator.lastPass()?.candidates, AGENTS);
  });
}

test('frameworks hidden for a pass are offered again in the next one', () => {
  const h = new Harness({ maxOffersPerFrameworkPerPass: 1 });
  // 20 agents: the six passes below take 2 + 3 × 2 + 1 + 2 = 11 of them.
  for (let i = 0; i < 20; i++) h.agent(`a${String(i)}`, 'cpus:4;mem:1024');
  h.framework('f1', 'r');
  h.framework('f2', 'r');
  h.allocator.allocate();
  assert.equal(h.takeRaw().length, 2);
  // Nothing was declined: both still want offers, one more agent each per pass.
  for (let pass = 0; pass < 3; pass++) {
    h.allocator.allocate();
    const offers = h.takeRaw();
    assert.deepEqual(offers.map((o) => o.framework).sort(), ['f1', 'f2'], `pass ${String(pass)}`);
  }
  // A suppressed framework stays hidden after a pass where the other one hit its bound.
  h.allocator.suppressOffers('f1');
  h.allocator.allocate();
  assert.deepEqual(
    h.takeRaw().map((o) => o.framework),
    ['f2'],
  );
  h.allocator.reviveOffers('f1');
  h.allocator.allocate();
  assert.deepEqual(
    h
      .takeRaw()
      .map((o) => o.framework)
      .sort(),
    ['f1', 'f2'],
  );
});
