/**
 * The allocator's books: agents, frameworks, roles and sorters, and the one place where
 * an allocation is recorded or returned, so that agent availability, sorter shares, quota
 * consumption and the free-headroom total can never disagree.
 */
import { InvariantError } from '../shared/errors.js';
import { DrfSorter } from './drf-sorter.js';
import { OfferFilters } from './filters.js';
import { addInto, type Quantities } from './quantities.js';
import { RandomSorter } from './random-sorter.js';
import { SorterTotals } from './tree-sorter.js';
import { Resources } from './resources.js';
import { RoleTree } from './roles.js';
import type { Sorter } from './sorter.js';

/** What the allocator knows about one agent. */
export interface AgentState {
  readonly id: string;
  hostname: string;
  attributes: Readonly<Record<string, string>>;
  total: Resources;
  /** Everything offered or in use, all frameworks together. */
  allocated: Resources;
  /** total - allocated, kept up to date rather than recomputed per pass. */
  available: Resources;
  /** Allocation per framework and role. */
  readonly byFramework: Map<string, Map<string, Resources>>;
  /**
   * Resources in use by frameworks the allocator does not know yet (an agent re-registered
   * before its frameworks did); adopted by addFramework.
   */
  readonly orphans: Map<string, Resources>;
  active: boolean;
  maintenance: boolean;
}

/** What the allocator knows about one framework. */
export interface FrameworkState {
  readonly id: string;
  roles: Set<string>;
  active: boolean;
  /** Roles the framework suppressed offers for. */
  readonly suppressed: Set<string>;
  /** Agents where the framework holds something. */
  readonly agents: Set<string>;
  /** Offers this framework gets in one pass at most, if its owner set a bound (> 0). */
  offerBound?: number;
}

/** How clients are ordered. */
export type Fairness = 'drf' | 'random';

/** The allocator's state and its bookkeeping primitives. */
export class AllocatorState {
  readonly agents = new Map<string, AgentState>();
  readonly frameworks = new Map<string, FrameworkState>();
  readonly roles = new RoleTree();
  readonly roleSorter: Sorter;
  readonly frameworkSorters = new Map<string, Sorter>();
  readonly filters = new OfferFilters();
  /** Unreserved, non-revocable, unallocated scalars over all agents (the available headroom). */
  readonly freeHeadroom = new Map<string, number>();
  /** Agents with something unallocated: the only ones a pass can offer from. */
  readonly freeAgents = new Set<string>();
  /** Scalar totals of all agents, shared by every sorter: what shares are fractions of. */
  readonly totals = new SorterTotals();
  /** Roles whose allocation changed since the metrics were last updated. */
  readonly changedRoles = new Set<string>();
  private sorterSeed: number;

  constructor(
    private readonly fairness: Fairness,
    seed: number,
  ) {
    this.sorterSeed = seed;
    this.roleSorter = this.newSorter();
  }

  private newSorter(): Sorter {
    this.sorterSeed = (this.sorterSeed * 1103515245 + 12345) >>> 0;
    return this.fairness === 'random'
      ? new RandomSorter(this.sorterSeed, this.totals)
      : new DrfSorter(this.totals);
  }

  /** The framework sorter of a role, created on first use with the current totals. */
  frameworkSorter(role: string): Sorter {
    let s = this.frameworkSorters.get(role);
    if (!s) {
      s = this.newSorter();
      this.frameworkSorters.set(role, s);
    }
    return s;
  }

  /** Scalar totals of all agents. */
  get clusterTotal(): Quantities {
    return this.totals.total;
  }

  /** Adds or removes an agent's total in the pool every sorter shares. */
  changeTotals(q: Quantities, sign: 1 | -1): void {
    if (q.size === 0) return;
    this.totals.change(q, sign);
  }

  /** Tracks the reservations inside `res` against their owning roles. */
  trackReservations(res: Resources, counter: 'reserved' | 'allocatedReserved', sign: number): void {
    if (!res.hasReservations()) return;
    const byRole = new Map<string, Map<string, number>>();
    for (const e of res.entries) {
      if (e.kind !== 'scalar' || e.reservations.length === 0) continue;
      const m = byRole.get(e.role) ?? new Map<string, number>();
      m.set(e.name, (m.get(e.name) ?? 0) + e.milli);
      byRole.set(e.role, m);
    }
    for (const [role, q] of byRole) {
      this.roles.track(role, counter, q, sign);
      if (sign < 0) this.roles.prune(role);
    }
  }

  /** Replaces an agent's available resources, keeping the headroom and free set right. */
  setAvailable(agent: AgentState, available: Resources): void {
    addInto(this.freeHeadroom, headroomPart(agent.available), -1);
    agent.available = available;
    addInto(this.freeHeadroom, headroomPart(available), 1);
    if (available.isEmpty()) this.freeAgents.delete(agent.id);
    else this.freeAgents.add(agent.id);
  }

  /** Records `res` on the agent as allocated to the framework in `role`. */
  allocate(frameworkId: string, role: string, agent: AgentState, res: Resources): void {
    if (res.isEmpty()) return;
    if (!agent.available.contains(res)) {
      throw new InvariantError(`cannot allocate ${res.toString()} on agent ${agent.id}`, {
        available: agent.available.toString(),
      });
    }
    agent.allocated = agent.allocated.add(res);
    this.setAvailable(agent, agent.available.subtract(res));
    this.record(frameworkId, role, agent, res, 1);
  }

  /** Returns `res` from the framework's allocation in `role` on the agent. */
  unallocate(frameworkId: string, role: string, agent: AgentState, res: Resources): void {
    if (res.isEmpty()) return;
    agent.allocated = agent.allocated.subtract(res);
    // available = total - allocated keeps agents whose total shrank below their
    // allocation from ever showing more than they have.
    this.setAvailable(agent, agent.total.subtract(agent.allocated));
    this.record(frameworkId, role, agent, res, -1);
  }

  /** Per-framework, sorter and quota side of an allocation change. */
  record(frameworkId: string, role: string, agent: AgentState, res: Resources, sign: 1 | -1): void {
    let roles = agent.byFramework.get(frameworkId);
    if (!roles) {
      roles = new Map();
      agent.byFramework.set(frameworkId, roles);
    }
    const before = roles.get(role) ?? Resources.EMPTY;
    const after = sign > 0 ? before.add(res) : before.subtract(res);
    if (after.isEmpty()) roles.delete(role);
    else roles.set(role, after);
    if (roles.size === 0) agent.byFramework.delete(frameworkId);
    const fw = this.frameworks.get(frameworkId);
    if (fw) {
      if (agent.byFramework.has(frameworkId)) fw.agents.add(agent.id);
      else fw.agents.delete(agent.id);
    }
    const q = res.quantities();
    if (!this.roleSorter.contains(role)) {
      this.roleSorter.add(role);
      this.roleSorter.deactivate(role);
    }
    const fs = this.frameworkSorter(role);
    if (!fs.contains(frameworkId)) {
      fs.add(frameworkId);
      fs.deactivate(frameworkId);
    }
    if (sign > 0) {
      this.roleSorter.allocated(role, q);
      fs.allocated(frameworkId, q);
    } else {
      this.roleSorter.unallocated(role, q);
      fs.unallocated(frameworkId, q);
    }
    this.roles.track(role, 'allocated', q, sign);
    this.trackReservations(res, 'allocatedReserved', sign);
    this.changedRoles.add(role);
    this.cleanupRole(role);
  }

  /** Drops a role's sorters once it has neither frameworks nor allocations. */
  cleanupRole(role: string): void {
    const entry = this.roles.get(role);
    const fs = this.frameworkSorters.get(role);
    if (entry && entry.frameworks.size > 0) return;
    if (fs) {
      for (const id of [...fs.clients()]) {
        const fw = this.frameworks.get(id);
        if (fs.allocation(id).size === 0 && !fw?.roles.has(role)) fs.remove(id);
      }
      if (fs.count() > 0) return;
      this.frameworkSorters.delete(role);
    }
    if (this.roleSorter.contains(role) && this.roleSorter.allocation(role).size === 0) {
      this.roleSorter.remove(role);
    }
    this.roles.prune(role);
  }

  /** Whether the framework should be offered resources for `role`. */
  wantsOffers(fw: FrameworkState, role: string): boolean {
    return fw.active && fw.roles.has(role) && !fw.suppressed.has(role);
  }

  /** Syncs a framework's active flag in its role sorters (and the roles' flags). */
  syncActivation(frameworkId: string, role: string): void {
    const fw = this.frameworks.get(frameworkId);
    const fs = this.frameworkSorter(role);
    if (!fs.contains(frameworkId)) fs.add(frameworkId);
    if (fw && this.wantsOffers(fw, role)) fs.activate(frameworkId);
    else fs.deactivate(frameworkId);
    this.syncRole(role);
  }

  /** A role is active in the role sorter while one of its frameworks wants offers. */
  syncRole(role: string): void {
    if (!this.roleSorter.contains(role)) this.roleSorter.add(role);
    const entry = this.roles.get(role);
    let wanted = false;
    if (entry) {
      for (const id of entry.frameworks) {
        const fw = this.frameworks.get(id);
        if (fw && this.wantsOffers(fw, role)) {
          wanted = true;
          break;
        }
      }
    }
    if (wanted) this.roleSorter.activate(role);
    else this.roleSorter.deactivate(role);
  }

  /** Subscribes a framework to a role. */
  joinRole(fw: FrameworkState, role: string): void {
    fw.roles.add(role);
    this.roles.ensure(role).frameworks.add(fw.id);
    this.syncActivation(fw.id, role);
  }

  /** Unsubscribes a framework from a role; what it holds there stays until recovered. */
  leaveRole(fw: FrameworkState, role: string): void {
    fw.roles.delete(role);
    this.roles.get(role)?.frameworks.delete(fw.id);
    const fs = this.frameworkSorters.get(role);
    if (fs?.contains(fw.id)) {
      if (fs.allocation(fw.id).size === 0) fs.remove(fw.id);
      else fs.deactivate(fw.id);
    }
    this.syncRole(role);
    this.cleanupRole(role);
  }
}

/** The part of `res` that counts as available headroom: unreserved and non-revocable. */
export function headroomPart(res: Resources): Quantities {
  if (!res.hasReservations() && !res.entries.some((e) => e.revocable)) return res.quantities();
  return res.unreserved().revocable(false).quantities();
}
