/**
 * One allocation pass over a set of agents, in Mesos' two stages: first the roles still
 * owed part of their quota guarantee are offered (up to what they are owed), then every
 * role in fair order. On each agent, roles come in role-sorter order and, within a role,
 * frameworks in that role's sorter order; the first framework that wants the agent gets
 * everything its role may have there (capped by quota limits and by the headroom other
 * roles' guarantees need), unless a refuse filter covers it or it is a crumb below the
 * minimum allocatable size.
 */
import { quantitiesContain, type Quantities } from './quantities.js';
import type { Resources } from './resources.js';
import { LazyShuffle, type Rng } from './rng.js';
import type { AgentState, AllocatorState } from './state.js';

/** What a pass needs besides the state. */
export interface PassContext {
  readonly now: number;
  /** An offer must contain one of these (by scalar quantity); empty: anything non-empty. */
  readonly minAllocatable: readonly Quantities[];
  /** Offers to this framework in this pass at most; 0: no bound. */
  boundOf(frameworkId: string): number;
  /** How many agents the pass may cover (its candidates, usable or not). */
  readonly agents: number;
}

/** Offers made by a pass: framework → `${agentId}\u0000${role}` → resources, in order made. */
export type PassOffers = Map<
  string,
  Map<string, { agentId: string; role: string; resources: Resources }>
>;

/**
 * A pass over the agents named by `ids` that can offer anything (active, not in
 * maintenance, something unallocated), in a seeded random order as Mesos shuffles them
 * so that no agent is always first. Takes `ids` over (shuffles it in place), drawn and
 * looked up only as far as the pass goes.
 */
export function passOver(
  state: AllocatorState,
  ids: string[],
  rng: Rng,
  ctx: Omit<PassContext, 'agents'>,
): { offers: PassOffers; visited: number } {
  const out: PassOffers = new Map();
  const order = new UsableAgents(state, new LazyShuffle(ids, rng));
  const visited = allocationPass(state, order, { ...ctx, agents: ids.length }, out);
  return { offers: out, visited };
}

/**
 * The pass's agents in shuffled order, each looked up and skipped (inactive, in
 * maintenance, nothing free) when the pass reaches it. A pass that ends after a few
 * agents (a REVIVE's, with every other framework suppressed or at its bound) then costs a
 * few lookups, not one for each free agent: filtering 50,000 up front took about 6 ms, at
 * about 50 such passes a second at 50,000 agents (docs/performance.md, "Session 16").
 */
class UsableAgents {
  private readonly usable: AgentState[] = [];
  private drawn = 0;

  constructor(
    private readonly state: AllocatorState,
    private readonly ids: LazyShuffle<string>,
  ) {}

  /** The `i`-th usable agent of the order (stable once drawn), undefined past the end. */
  at(i: number): AgentState | undefined {
    while (this.usable.length <= i) {
      const id = this.ids.at(this.drawn++);
      if (id === undefined) return undefined;
      const a = this.state.agents.get(id);
      if (a && a.active && !a.maintenance && !a.available.isEmpty()) this.usable.push(a);
    }
    return this.usable[i];
  }
}

/** Whether `offer` is big enough to be worth offering. */
export function allocatable(offer: Resources, min: readonly Quantities[]): boolean {
  if (offer.isEmpty()) return false;
  if (min.length === 0) return true;
  const q = offer.quantities();
  return min.some((m) => quantitiesContain(q, m));
}

/**
 * Runs one pass over `agents` (already filtered and ordered), recording offers in `out`;
 * returns how many agents it looked at (the most in either stage). The pass ends early
 * once no role is left to offer to: with most frameworks suppressed or at their bound, a
 * pass over 50,000 free agents is then a few agents long, not a walk of every agent past
 * every framework.
 */
export function allocationPass(
  state: AllocatorState,
  agents: { at(i: number): AgentState | undefined },
  ctx: PassContext,
  out: PassOffers,
): number {
  const bounded = new Set<string>();
  // The frameworks offered something on the agent just visited (the only ones that can
  // have reached their bound there).
  const touched: string[] = [];
  let guaranteeVisits = 0;
  let visits = 0;
  try {
    if (state.roles.anyBelowGuarantee()) {
      const blocked = new Set<string>();
      for (let i = 0, agent = agents.at(0); agent; agent = agents.at(++i)) {
        // Once every guarantee is met, the rest of stage one has nothing to do.
        if (!state.roles.anyBelowGuarantee()) break;
        guaranteeVisits++;
        allocateOn(state, agent, ctx, out, true, blocked, touched);
        hideBounded(state, out, ctx, bounded, touched);
      }
      unblock(state, blocked);
      // Unblocking showed roles again by their frameworks' wants, bounded ones included.
      for (const frameworkId of bounded) hideRoles(state, frameworkId);
    }
    const blocked = new Set<string>();
    for (let i = 0, agent = agents.at(0); agent; agent = agents.at(++i)) {
      if (state.roleSorter.activeCount() === 0) break;
      visits++;
      allocateOn(state, agent, ctx, out, false, blocked, touched);
      hideBounded(state, out, ctx, bounded, touched);
    }
    unblock(state, blocked);
    return Math.max(guaranteeVisits, visits);
  } finally {
    for (const frameworkId of bounded) {
      for (const role of state.frameworks.get(frameworkId)?.roles ?? []) {
        state.syncActivation(frameworkId, role);
      }
    }
  }
}

/**
 * Hides the frameworks that reached their bound of offers from their roles' sorters for
 * the rest of the pass, and a role left with no framework to offer to from the role
 * sorter. Called between agents: on the agent where it reached the bound, a framework
 * may still take its share in its other roles (see {@link atBound}).
 */
function hideBounded(
  state: AllocatorState,
  out: PassOffers,
  ctx: PassContext,
  bounded: Set<string>,
  touched: string[],
): void {
  for (const frameworkId of touched) {
    if (bounded.has(frameworkId)) continue;
    const bound = ctx.boundOf(frameworkId);
    if (bound <= 0 || (out.get(frameworkId)?.size ?? 0) < bound) continue;
    bounded.add(frameworkId);
    for (const role of state.frameworks.get(frameworkId)?.roles ?? []) {
      state.frameworkSorters.get(role)?.deactivate(frameworkId);
    }
    hideRoles(state, frameworkId);
  }
  touched.length = 0;
}

/** Hides the framework's roles that have no framework left to offer to. */
function hideRoles(state: AllocatorState, frameworkId: string): void {
  for (const role of state.frameworks.get(frameworkId)?.roles ?? []) {
    if (state.frameworkSorters.get(role)?.activeCount() === 0) state.roleSorter.deactivate(role);
  }
}

/** Hiding capped roles pays off only over many agents; a small pass would just churn the order. */
const HIDE_CAPPED_FROM = 64;

/** Re-activates the roles a stage hid from the role sorter. */
function unblock(state: AllocatorState, blocked: Set<string>): void {
  for (const role of blocked) state.syncRole(role);
}

/**
 * Marks a role as capped out for the rest of the stage. When nothing reserved can
 * reach it either, it is also hidden from the role sorter, so that later agents do not
 * even walk past it (with hundreds of roles at their limit, that walk dominates a pass).
 */
function block(state: AllocatorState, role: string, blocked: Set<string>, agents: number): void {
  blocked.add(role);
  if (agents < HIDE_CAPPED_FROM) return;
  for (let r = state.roles.get(role); r; r = r.parent) if (r.reserved.size > 0) return;
  state.roleSorter.deactivate(role);
}

/**
 * Whether caps leave room for some minimum allocatable set. Caps only shrink during a
 * pass (allocations raise consumption and lower the free headroom), so a role whose caps
 * rule out every minimum set can be skipped on every later unreserved-only agent.
 */
function capsAllowAny(caps: Quantities, min: readonly Quantities[]): boolean {
  if (min.length === 0) return true;
  return min.some((m) => {
    for (const [n, v] of m) if ((caps.get(n) ?? Infinity) < v) return false;
    return true;
  });
}

function allocateOn(
  state: AllocatorState,
  agent: AgentState,
  ctx: PassContext,
  out: PassOffers,
  guaranteeStage: boolean,
  blocked: Set<string>,
  touched: string[],
): void {
  for (const role of state.roleSorter.sort()) {
    if (agent.available.isEmpty()) return;
    if (blocked.has(role) && !agent.available.hasReservations()) continue;
    if (guaranteeStage && !state.roles.belowGuarantee(role)) continue;
    const sorter = state.frameworkSorters.get(role);
    if (!sorter) continue;
    let roleAvailable = agent.available.allocatableTo(role);
    if (roleAvailable.isEmpty()) continue;
    const caps = state.roles.caps(role, state.freeHeadroom, guaranteeStage);
    if (caps && !capsAllowAny(caps, ctx.minAllocatable)) block(state, role, blocked, ctx.agents);
    let offer = caps ? roleAvailable.capUnreserved(caps) : roleAvailable;
    if (!allocatable(offer, ctx.minAllocatable)) continue;
    for (const frameworkId of sorter.sort()) {
      const fw = state.frameworks.get(frameworkId);
      if (!fw || !state.wantsOffers(fw, role)) continue;
      if (state.filters.filtered(frameworkId, agent.id, offer, ctx.now)) continue;
      if (atBound(out, frameworkId, agent.id, ctx.boundOf(frameworkId))) continue;
      state.allocate(frameworkId, role, agent, offer);
      record(out, frameworkId, agent.id, role, offer);
      touched.push(frameworkId);
      roleAvailable = agent.available.allocatableTo(role);
      if (roleAvailable.isEmpty()) break;
      offer = capped(state, role, roleAvailable, guaranteeStage);
      if (!allocatable(offer, ctx.minAllocatable)) break;
    }
  }
}

function capped(
  state: AllocatorState,
  role: string,
  available: Resources,
  guaranteeStage: boolean,
): Resources {
  const caps = state.roles.caps(role, state.freeHeadroom, guaranteeStage);
  return caps ? available.capUnreserved(caps) : available;
}

/**
 * Whether the framework has had its bound of offers in this pass. A share for another of
 * its roles on an agent it already has an offer on is still let through.
 */
function atBound(out: PassOffers, fw: string, agentId: string, bound: number): boolean {
  if (bound <= 0) return false;
  const m = out.get(fw);
  if (!m || m.size < bound) return false;
  for (const o of m.values()) if (o.agentId === agentId) return false;
  return true;
}

function record(out: PassOffers, fw: string, agentId: string, role: string, res: Resources): void {
  let m = out.get(fw);
  if (!m) {
    m = new Map();
    out.set(fw, m);
  }
  const key = `${agentId}\u0000${role}`;
  const prev = m.get(key);
  m.set(key, { agentId, role, resources: prev ? prev.resources.add(res) : res });
}
