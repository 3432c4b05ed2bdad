import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Resources } from '../../../src/allocator/index.js';
import { Harness, R } from './helpers.js';

// Random sequences of verbs against invariants that must hold after every step.
const AGENTS = ['a0', 'a1', 'a2', 'a3'];
const FRAMEWORKS = ['f0', 'f1', 'f2'];
const ROLES = ['r1', 'r1/sub', 'r2', 'r3'];
const LIMIT_CPUS = 5; // r1 (with r1/sub below it) may never consume more

export type Op =
  | { k: 'addAgent'; a: number; cpus: number; mem: number; reserved: number }
  | { k: 'removeAgent'; a: number }
  | { k: 'updateAgent'; a: number; cpus: number }
  | { k: 'addFramework'; f: number; roles: number[] }
  | { k: 'removeFramework'; f: number }
  | { k: 'decline'; f: number; refuse: number; half: boolean }
  | { k: 'suppress'; f: number }
  | { k: 'revive'; f: number }
  | { k: 'maintenance'; a: number; on: boolean }
  | { k: 'reserve'; f: number }
  | { k: 'allocate' }
  | { k: 'runPending' }
  | { k: 'tick'; ms: number };

const idx = (n: number): fc.Arbitrary<number> => fc.nat({ max: n - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant('addAgent' as const),
    a: idx(AGENTS.length),
    cpus: fc.integer({ min: 1, max: 8 }),
    mem: fc.integer({ min: 0, max: 4096 }),
    reserved: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ k: fc.constant('removeAgent' as const), a: idx(AGENTS.length) }),
  fc.record({
    k: fc.constant('updateAgent' as const),
    a: idx(AGENTS.length),
    cpus: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({
    k: fc.constant('addFramework' as const),
    f: idx(FRAMEWORKS.length),
    roles: fc.uniqueArray(idx(ROLES.length), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ k: fc.constant('removeFramework' as const), f: idx(FRAMEWORKS.length) }),
  fc.record({
    k: fc.constant('decline' as const),
    f: idx(FRAMEWORKS.length),
    refuse: fc.constantFrom(0, 1, 5),
    half: fc.boolean(),
  }),
  fc.record({ k: fc.constant('suppress' as const), f: idx(FRAMEWORKS.length) }),
  fc.record({ k: fc.constant('revive' as const), f: idx(FRAMEWORKS.length) }),
  fc.record({ k: fc.constant('maintenance' as const), a: idx(AGENTS.length), on: fc.boolean() }),
  fc.record({ k: fc.constant('reserve' as const), f: idx(FRAMEWORKS.length) }),
  fc.constant({ k: 'allocate' as const }),
  fc.constant({ k: 'runPending' as const }),
  fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

function ownerAllows(owner: string, role: string): boolean {
  return owner === '*' || owner === role || role.startsWith(`${owner}/`);
}

export function apply(h: Harness, o: Op): void {
  const al = h.allocator;
  const agents = new Set(al.agentIds());
  switch (o.k) {
    case 'addAgent': {
      const id = AGENTS[o.a] ?? '';
      if (agents.has(id)) return;
      // Some cpus reserved (statically) to r2, the rest unreserved.
      const text = `cpus:${o.cpus};mem:${o.mem}${o.reserved > 0 ? `;cpus(r2):${o.reserved}` : ''}`;
      al.addAgent(id, { hostname: id }, R(text), new Map());
      return;
    }
    case 'removeAgent':
      al.removeAgent(AGENTS[o.a] ?? '');
      return;
    case 'updateAgent': {
      const id = AGENTS[o.a] ?? '';
      const cur = al.agentResources(id);
      if (!cur) return;
      // A new total must still cover what is allocated (updateAgent refuses otherwise).
      const total = cur.allocated.add(cur.available.reservedAny()).add(R(`cpus:${o.cpus};mem:512`));
      al.updateAgent(id, total);
      return;
    }
    case 'addFramework': {
      const id = FRAMEWORKS[o.f] ?? '';
      al.removeFramework(id);
      al.addFramework(id, { roles: o.roles.map((i) => ROLES[i] ?? 'r3') }, new Map());
      return;
    }
    case 'removeFramework':
      al.removeFramework(FRAMEWORKS[o.f] ?? '');
      return;
    case 'decline': {
      const id = FRAMEWORKS[o.f] ?? '';
      for (const [agentId, res] of al.frameworkAllocation(id)) {
        // Half: give back the unreserved cpus only, keep the rest "in use".
        const back = o.half
          ? Resources.fromMilli(new Map([['cpus', res.unreserved().quantities().get('cpus') ?? 0]]))
          : res;
        al.recoverResources(id, agentId, back, { refuseSeconds: o.refuse });
        return;
      }
      return;
    }
    case 'suppress':
    case 'revive': {
      const id = FRAMEWORKS[o.f] ?? '';
      if (al.frameworkShares().has(id)) {
        if (o.k === 'suppress') al.suppressOffers(id);
        else al.reviveOffers(id);
      }
      return;
    }
    case 'maintenance': {
      const id = AGENTS[o.a] ?? '';
      if (agents.has(id)) al.setMaintenance(id, o.on);
      return;
    }
    case 'reserve': {
      // RESERVE one unreserved cpu for the role the framework holds it in.
      const id = FRAMEWORKS[o.f] ?? '';
      for (const agentId of al.frameworkAllocation(id).keys()) {
        for (const [role, res] of al.allocationOf(id, agentId)) {
          if ((res.unreserved().quantities().get('cpus') ?? 0) < 1000) continue;
          const from = R('cpus:1');
          al.updateAllocation(id, agentId, from, from.reserve(role));
          return;
        }
      }
      return;
    }
    case 'allocate':
      al.allocate();
      return;
    case 'runPending':
      al.runPending();
      return;
    case 'tick':
      h.now += o.ms;
      return;
  }
}

/** Offers seen, to make sure the sequences exercise allocation at all. */
const seen = { offers: 0, reservedOffers: 0 };

export function check(h: Harness): void {
  const al = h.allocator;
  for (const id of al.agentIds()) {
    const r = al.agentResources(id);
    assert.ok(r);
    // Never more allocated than the agent has; allocated + available = total.
    assert.ok(
      r.total.contains(r.allocated),
      `${id}: ${r.allocated.toString()} > ${r.total.toString()}`,
    );
    assert.ok(r.allocated.add(r.available).equals(r.total), `${id}: allocated + available ≠ total`);
    // Allocations per role add up to the agent's allocation.
    let sum = Resources.EMPTY;
    for (const res of al.agentRoleAllocation(id).values()) sum = sum.add(res);
    assert.ok(sum.equals(r.allocated), `${id}: per-role sum ≠ allocated`);
  }
  // A framework's totals (read from its roles' sorters) are what it holds agent by agent.
  for (const id of FRAMEWORKS) {
    let held = Resources.EMPTY;
    for (const res of al.frameworkAllocation(id).values()) held = held.add(res);
    assert.deepEqual(
      [...al.frameworkQuantities(id)].sort(),
      [...held.quantities()].sort(),
      `${id}: frameworkQuantities ≠ the sum of its allocation per agent`,
    );
  }
  // No role above its limit (r1's subtree includes r1/sub).
  const consumed = al.consumedQuota('r1').get('cpus') ?? 0;
  assert.ok(consumed <= LIMIT_CPUS * 1000, `r1 consumes ${consumed / 1000} cpus > ${LIMIT_CPUS}`);
  // Reserved resources were only ever offered to their role or its subroles.
  for (const { offer } of h.takeRaw()) {
    seen.offers++;
    if (offer.resources.hasReservations()) seen.reservedOffers++;
    for (const e of offer.resources.entries) {
      assert.ok(ownerAllows(e.role, offer.role), `${e.role} resources offered to ${offer.role}`);
    }
  }
}

test('invariants hold after any sequence of verbs (DRF and random)', () => {
  fc.assert(
    fc.property(
      fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }),
      fc.boolean(),
      fc.nat(),
      (ops, random, seed) => {
        const h = new Harness({ fairness: random ? 'random' : 'drf', seed });
        h.allocator.updateQuota('r1', { limit: R(`cpus:${LIMIT_CPUS}`) });
        h.allocator.updateQuota('r3', { guarantee: R('cpus:2') });
        // A populated start, so that short sequences exercise allocation too.
        apply(h, { k: 'addAgent', a: 0, cpus: 4, mem: 1024, reserved: 2 });
        apply(h, { k: 'addFramework', f: 0, roles: [0] });
        apply(h, { k: 'addFramework', f: 1, roles: [2, 3] });
        for (const o of ops) {
          apply(h, o);
          check(h);
        }
      },
    ),
    {
      numRuns: 300,
      includeErrorInReport: true,
      ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
    },
  );
  assert.ok(seen.offers > 500, `only ${seen.offers} offers`);
  assert.ok(seen.reservedOffers > 20, `only ${seen.reservedOffers} offers with reservations`);
});
