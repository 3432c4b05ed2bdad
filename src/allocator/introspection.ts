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

/**
 * Scalar totals a framework holds (all agents and roles), milli units. Every allocation is
 * recorded in its role's framework sorter too (AllocatorState.record), so the sum over the
 * roles' sorters is the same figure as the sum over agents, at the cost of a few roles
 * instead of every agent the framework holds (500 a framework at 100,000 tasks, read twice
 * per /state).
 */
export function frameworkQuantities(state: AllocatorState, id: string): Quantities {
  const q = new Map<string, number>();
  if (!state.frameworks.has(id)) return q;
  for (const sorter of state.frameworkSorters.values()) {
    if (sorter.contains(id)) addInto(q, sorter.allocation(id), 1);
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

/** Why a framework's role gets no offer now although it wants one. */
export interface HeldBack {
  role: string;
  /**
   * `role-limit`: the role (or an ancestor, `limitedBy`) has consumed its quota limit;
   * `quota`: what is left must be kept free for other roles' quota guarantees.
   */
  cause: 'role-limit' | 'quota';
  /** The role whose limit binds (for `role-limit`). */
  limitedBy?: string;
  /** Per scalar, what the role may still be offered (milli units; may be 0 or below). */
  room: Quantities;
}

/** Whether `q` holds at least one minimum allocatable set (a name absent holds 0). */
function offerable(q: Quantities, min: readonly Quantities[]): boolean {
  if (min.length === 0) return [...q.values()].some((v) => v > 0);
  return min.some((m) => {
    for (const [n, v] of m) if ((q.get(n) ?? 0) < v) return false;
    return true;
  });
}

/** `free` with each name capped by `caps` (a name absent from caps is not capped). */
function capTo(free: Quantities, caps: Quantities): Quantities {
  const out = new Map<string, number>();
  for (const [n, v] of free) out.set(n, Math.min(v, caps.get(n) ?? Infinity));
  return out;
}

/**
 * The framework's roles that quota keeps from an offer now: the cluster has unreserved
 * resources free enough for an offer, and the role's caps (as the pass computes them)
 * leave too little of them. Judged on the cluster's free total, not agent by agent, so
 * it is cheap enough to ask after every pass. Suppressed roles and inactive frameworks
 * ask for nothing and are not held back.
 */
export function heldBack(
  state: AllocatorState,
  frameworkId: string,
  minAllocatable: readonly Quantities[],
): HeldBack[] {
  const fw = state.frameworks.get(frameworkId);
  if (!fw) return [];
  const free = state.freeHeadroom;
  const out: HeldBack[] = [];
  for (const role of fw.roles) {
    if (!state.wantsOffers(fw, role)) continue;
    const caps = state.roles.caps(role, free, false);
    if (!caps || !offerable(free, minAllocatable)) continue;
    if (offerable(capTo(free, caps), minAllocatable)) continue;
    // Which bound binds: a limit of the role or an ancestor, else the headroom owed.
    let limitedBy: string | undefined;
    for (let r = state.roles.get(role); r && !limitedBy; r = r.parent) {
      if (r.quota.limit.size === 0) continue;
      const own = new Map<string, number>();
      const consumed = r.consumed();
      for (const [n, lim] of r.quota.limit) own.set(n, lim - (consumed.get(n) ?? 0));
      if (!offerable(capTo(free, own), minAllocatable)) limitedBy = r.name;
    }
    out.push(
      limitedBy
        ? { role, cause: 'role-limit', limitedBy, room: caps }
        : { role, cause: 'quota', room: caps },
    );
  }
  return out;
}
