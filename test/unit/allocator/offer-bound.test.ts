// The bound on offers per framework per pass: with many agents, a framework is sent at
// most that many offers in one pass, the agents it would have had go to the next
// framework in order, and what stays unoffered comes in later passes once the offers
// made are declined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './helpers.js';

const perFramework = (offers: { framework: string }[]) => {
  const n: Record<string, number> = {};
  for (const o of offers) n[o.framework] = (n[o.framework] ?? 0) + 1;
  return n;
};

const cases = [
  { name: 'no bound (default): every agent offered', bound: undefined, first: { f1: 5, f2: 5 } },
  { name: 'bound 0: no bound', bound: 0, first: { f1: 5, f2: 5 } },
  { name: 'bound 2: two offers each', bound: 2, first: { f1: 2, f2: 2 } },
  { name: 'bound 5: as many as DRF gives each anyway', bound: 5, first: { f1: 5, f2: 5 } },
  { name: 'bound 1: one offer each', bound: 1, first: { f1: 1, f2: 1 } },
];

for (const c of cases) {
  test(`offers per framework per pass: ${c.name}`, () => {
    const h = new Harness(c.bound === undefined ? {} : { maxOffersPerFrameworkPerPass: c.bound });
    for (let i = 0; i < 10; i++) h.agent(`a${String(i)}`, 'cpus:4;mem:1024');
    h.framework('f1', 'r');
    h.framework('f2', 'r');
    h.allocator.allocate();
    const first = h.takeRaw();
    assert.deepEqual(perFramework(first), c.first);
    // Each offer is a different agent, and the unoffered agents come in the next passes
    // once these are declined with a filter.
    const seen = new Set(first.map((o) => o.offer.agentId));
    assert.equal(seen.size, first.length);
    let declined = first;
    for (let pass = 0; pass < 10 && seen.size < 10; pass++) {
      for (const { framework, offer } of declined)
        h.allocator.recoverResources(framework, offer.agentId, offer.resources, {
          refuseSeconds: 3600,
        });
      h.allocator.allocate();
      declined = h.takeRaw();
      for (const o of declined) seen.add(o.offer.agentId);
    }
    assert.equal(seen.size, 10, 'every agent offered within a few passes');
  });
}

// A framework's own bound (setOfferBound) and the allocator-wide one: the smaller applies;
// undefined or 0 leaves only the allocator-wide one. 10 agents, f1 and f2 alternate in
// DRF order, so without bounds each gets 5.
const own = [
  { name: 'f1 bound 2, no allocator bound', all: 0, f1: 2, first: { f1: 2, f2: 8 } },
  {
    name: 'f1 bound 2, allocator bound 3: f1 min(2, 3) = 2',
    all: 3,
    f1: 2,
    first: { f1: 2, f2: 3 },
  },
  {
    name: 'f1 bound 4, allocator bound 3: f1 min(4, 3) = 3',
    all: 3,
    f1: 4,
    first: { f1: 3, f2: 3 },
  },
  { name: 'f1 bound cleared (undefined)', all: 0, f1: undefined, first: { f1: 5, f2: 5 } },
  { name: 'f1 bound 0: none of its own', all: 0, f1: 0, first: { f1: 5, f2: 5 } },
];

for (const c of own) {
  test(`a framework's own offer bound: ${c.name}`, () => {
    const h = new Harness({ maxOffersPerFrameworkPerPass: c.all });
    for (let i = 0; i < 10; i++) h.agent(`a${String(i)}`, 'cpus:4;mem:1024');
    h.framework('f1', 'r');
    h.framework('f2', 'r');
    h.allocator.setOfferBound('f1', 7); // replaced below: the last call counts
    h.allocator.setOfferBound('f1', c.f1);
    h.allocator.setOfferBound('gone', 1); // an unknown framework is ignored
    h.allocator.allocate();
    assert.deepEqual(perFramework(h.takeRaw()), c.first);
  });
}
