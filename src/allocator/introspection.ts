/**
 * Read-only views of the allocator's books, for the controller's status writes, the
 * simulator and tests. Everything here is computed on demand; nothing on the
 * allocation path depends on it.
 */
import { addInto, type Quantities } from './quantities.js';
import { Resources } from './resources.js';
import type { AllocatorState } from './state.js';

/** max over names of allocated / total. */
export function dominantShare(alloc: Quantities, total: Quantities): number {
  let max = 0;
  for (const [name, v] of alloc) {
    const t = total.get(name) ?? 0;
    if (t > 0 && v / t > max) max = v / t;
  }
  return max;
}

/** Dominant share of every known role (its whole subtree, unweighted). */
export function roleShares(state: AllocatorState): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of state.roles.all()) out.set(r.name, state.roleSorter.share(r.name));
  return out;
}

/** Scalar totals a framework holds (all agents and roles), milli units. */
export function frameworkQuantities(state: AllocatorState, id: string): Quantities {
  const q = new Map<string, number>();
  for (const agentId of state.frameworks.get(id)?.agents ?? []) {
    for (const res of state.agents.get(agentId)?.byFramework.get(id)?.values() ?? []) {
      addInto(q, res.quantities(), 1);
    }
  }
  return q;
}

/** Dominant share of every framework over all its roles. */
export function frameworkShares(state: AllocatorState): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of state.frameworks.keys()) {
    out.set(id, dominantShare(frameworkQuantities(state, id), state.clusterTotal));
  }
  return out;
}

/** What the framework holds on each agent, all roles together. */
export function frameworkAllocation(state: AllocatorState, id: string): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const agentId of state.frameworks.get(id)?.agents ?? []) {
    let sum = Resources.EMPTY;
    for (const res of state.agents.get(agentId)?.byFramework.get(id)?.values() ?? []) {
      sum = sum.add(res);
    }
    out.set(agentId, sum);
  }
  return out;
}

/** Allocation of each role (own frameworks only) on one agent. */
export function agentRoleAllocation(state: AllocatorState, id: string): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const roles of state.agents.get(id)?.byFramework.values() ?? []) {
    for (const [role, res] of roles) out.set(role, (out.get(role) ?? Resources.EMPTY).add(res));
  }
  return out;
}
