/**
 * The allocator's read side: shares, allocations, quota consumption and what the last pass
 * covered, for the controller's `/state`, the dashboard, benches and tests. The base of
 * {@link HierarchicalAllocator}, so that the verbs and the views each have a file; it
 * changes nothing.
 */
import {
  agentRoleAllocation,
  frameworkAllocation,
  frameworkQuantities,
  frameworkShares,
  heldBack,
  roleShares,
  type HeldBack,
} from './introspection.js';
import type { Quantities } from './quantities.js';
import type { Resources } from './resources.js';
import type { AllocatorState } from './state.js';

/** See {@link AllocatorView.lastPass}. */
export interface PassStats {
  kind: 'full' | 'incremental';
  /** Agents the pass was asked to consider. */
  candidates: number;
  /** Offers made (one per framework, agent and role). */
  offers: number;
  /**
   * Candidates it looked at before no role was left to offer to (the most in either of
   * its stages).
   */
  visited: number;
}

/** Read-only views of the allocator's state. */
export abstract class AllocatorView {
  /** Set by each pass. */
  protected lastPassStats: PassStats | undefined;

  protected constructor(
    protected readonly state: AllocatorState,
    /** An offer must contain one of these; quota hold-backs are judged by them too. */
    protected readonly minAllocatable: Quantities[],
  ) {}

  /**
   * What the last pass covered: how many agents it was handed (dirty ones for an
   * incremental pass) and how many offers it made. Shows that a pass follows what
   * changed, not the cluster size.
   */
  lastPass(): PassStats | undefined {
    return this.lastPassStats;
  }

  /** How many (framework, agent) pairs hold refuse filters (lapsed ones until the next full pass). */
  filterCount(): number {
    return this.state.filters.size();
  }

  /** Dominant share of every known role (its whole subtree, unweighted). */
  roleShares(): Map<string, number> {
    return roleShares(this.state);
  }

  /** Dominant share of every framework over all its roles. */
  frameworkShares(): Map<string, number> {
    return frameworkShares(this.state);
  }

  /** Scalar totals a framework holds (all agents and roles), milli units. */
  frameworkQuantities(id: string): Quantities {
    return frameworkQuantities(this.state, id);
  }

  /** What the framework holds on each agent, all roles together. */
  frameworkAllocation(id: string): Map<string, Resources> {
    return frameworkAllocation(this.state, id);
  }

  /** What the framework holds on one agent, per role. */
  allocationOf(frameworkId: string, agentId: string): Map<string, Resources> {
    return new Map(this.state.agents.get(agentId)?.byFramework.get(frameworkId) ?? []);
  }

  /** An agent's total, allocated and available resources. */
  agentResources(
    id: string,
  ): { total: Resources; allocated: Resources; available: Resources } | undefined {
    const a = this.state.agents.get(id);
    return a && { total: a.total, allocated: a.allocated, available: a.available };
  }

  /** Allocation of each role (own frameworks only) on one agent. */
  agentRoleAllocation(id: string): Map<string, Resources> {
    return agentRoleAllocation(this.state, id);
  }

  /** What counts against a role's quota: its subtree's allocations plus unallocated reservations. */
  consumedQuota(role: string): Quantities {
    return this.state.roles.get(role)?.consumed() ?? new Map<string, number>();
  }

  /** The framework's roles that quota keeps from any offer now (see introspection.ts). */
  heldBack(frameworkId: string): HeldBack[] {
    return heldBack(this.state, frameworkId, this.minAllocatable);
  }

  /** Ids of all agents. */
  agentIds(): string[] {
    return [...this.state.agents.keys()];
  }
}
