/**
 * {@link HierarchicalAllocator}: Mesos' hierarchical DRF allocator as a synchronous
 * library. The owner (the controller, the simulator, a test) calls the lifecycle verbs
 * as things happen; each verb records what changed, and {@link HierarchicalAllocator.runPending}
 * later runs one pass over only the agents concerned. The allocator has no timers: it
 * tells its owner through `onWorkPending` that a pass is due, and the owner also calls
 * {@link HierarchicalAllocator.allocate} periodically for a full pass.
 */
import { InvariantError, ValidationError } from '../shared/errors.js';
import { AllocatorMetrics } from './metrics.js';
import { passOver } from './pass.js';
import { Resources } from './resources.js';
import { Rng } from './rng.js';
import {
  convertAllocation,
  forceAllocate,
  registerAgent,
  retotal,
  returnResources,
  unregisterAgent,
} from './agent-books.js';
import { AllocatorView } from './allocator-view.js';
import { PendingWork } from './pending-work.js';
import { AllocatorState, type AgentState, type FrameworkState } from './state.js';
import type {
  AgentInfo,
  AllocatorOptions,
  FrameworkInfo,
  OfferCallback,
  QuotaSpec,
} from './types.js';

export type { PassStats } from './allocator-view.js';
export type {
  AgentInfo,
  AllocatorOptions,
  FrameworkInfo,
  OfferCallback,
  OfferedResources,
  QuotaSpec,
} from './types.js';

const DEFAULT_MIN = [Resources.parse('cpus:0.01'), Resources.parse('mem:32')];
/** Refuse filters longer than a year are capped, as in Mesos. */
const MAX_REFUSE_MS = 365 * 24 * 3600 * 1000;

/** The hierarchical, weighted DRF allocator with quota, reservations and filters. */
export class HierarchicalAllocator extends AllocatorView {
  /** Called once when the first change after a pass is recorded: schedule {@link runPending}. */
  onWorkPending?: () => void;

  private readonly clock: { now(): number };
  private readonly offerCallback: OfferCallback;
  private readonly rng: Rng;
  private readonly maxOffersPerFramework: number;
  private readonly metrics: AllocatorMetrics;
  private readonly hrtime: () => number;
  private paused = false;
  private expectedAgents: number | undefined;
  private readonly pending = new PendingWork(() => this.onWorkPending?.());

  constructor(opts: AllocatorOptions) {
    const seed = opts.seed ?? 0;
    super(
      new AllocatorState(opts.fairness ?? 'drf', seed),
      (opts.minAllocatable ?? DEFAULT_MIN).map((r) => r.quantities()),
    );
    this.clock = opts.clock;
    this.offerCallback = opts.offerCallback;
    this.rng = new Rng(seed);
    this.maxOffersPerFramework = opts.maxOffersPerFrameworkPerPass ?? 0;
    this.metrics = new AllocatorMetrics(opts.metrics);
    this.hrtime = opts.hrtime ?? (() => this.clock.now());
  }

  // ---- frameworks ----

  /** Adds a framework with what it already uses (after a controller failover). */
  addFramework(id: string, info: FrameworkInfo, used: Map<string, Resources>): void {
    if (this.state.frameworks.has(id)) throw new InvariantError(`framework ${id} already added`);
    const fw: FrameworkState = {
      id,
      roles: new Set(info.roles),
      active: info.active ?? true,
      suppressed: new Set(),
      agents: new Set(),
    };
    this.state.frameworks.set(id, fw);
    for (const role of fw.roles) this.state.joinRole(fw, role);
    // Without allocation info on resources, used resources count in the first role.
    const role = info.roles[0] ?? '*';
    for (const agent of this.state.agents.values()) {
      const orphan = agent.orphans.get(id);
      if (orphan) {
        agent.orphans.delete(id);
        this.state.record(id, role, agent, orphan, 1);
      }
    }
    for (const [agentId, res] of used) {
      const agent = this.state.agents.get(agentId);
      if (agent && !agent.byFramework.has(id)) forceAllocate(this.state, id, role, agent, res);
    }
    this.pending.everything();
  }

  /** Removes a framework; everything it held returns to the pool. */
  removeFramework(id: string): void {
    const fw = this.state.frameworks.get(id);
    if (!fw) return;
    for (const agentId of [...fw.agents]) {
      const agent = this.state.agents.get(agentId);
      const held = agent?.byFramework.get(id);
      if (!agent || !held) continue;
      for (const [role, res] of [...held]) this.state.unallocate(id, role, agent, res);
      this.pending.agent(agentId);
    }
    this.state.frameworks.delete(id);
    this.state.filters.clearFramework(id);
    for (const role of fw.roles) this.state.leaveRole(fw, role);
  }

  /** Lets the framework receive offers again (it reconnected). */
  activateFramework(id: string): void {
    const fw = this.mustFramework(id);
    fw.active = true;
    for (const role of fw.roles) this.state.syncActivation(id, role);
    this.pending.everything();
  }

  /** Stops offers to the framework (it disconnected); its allocation stays. */
  deactivateFramework(id: string): void {
    const fw = this.mustFramework(id);
    fw.active = false;
    for (const role of fw.roles) this.state.syncActivation(id, role);
  }

  /** Changes the framework's roles; allocations in a dropped role stay until recovered. */
  updateFramework(id: string, info: { roles: string[] }): void {
    const fw = this.mustFramework(id);
    const next = new Set(info.roles);
    for (const role of [...fw.roles]) if (!next.has(role)) this.state.leaveRole(fw, role);
    for (const role of next) if (!fw.roles.has(role)) this.state.joinRole(fw, role);
    this.pending.everything();
  }

  /** Stops offers for the given roles (all of the framework's when omitted). */
  suppressOffers(frameworkId: string, roles?: string[]): void {
    const fw = this.mustFramework(frameworkId);
    for (const role of roles ?? [...fw.roles]) {
      fw.suppressed.add(role);
      if (fw.roles.has(role)) this.state.syncActivation(frameworkId, role);
    }
  }

  /**
   * Bounds the offers this framework gets in one pass (undefined or 0: only the
   * allocator-wide bound, if any; the smaller of the two applies). The owner's policy
   * decides it, e.g. from how many of its last offers the framework used. It applies from
   * the next pass on and starts none.
   */
  setOfferBound(frameworkId: string, bound: number | undefined): void {
    const fw = this.state.frameworks.get(frameworkId);
    if (!fw) return; // an answer that arrived after its framework was removed
    fw.offerBound = bound !== undefined && bound > 0 ? bound : undefined;
  }

  /** Resumes offers for the given roles and clears the framework's refuse filters. */
  reviveOffers(frameworkId: string, roles?: string[]): void {
    const fw = this.mustFramework(frameworkId);
    for (const role of roles ?? [...fw.roles]) {
      fw.suppressed.delete(role);
      if (fw.roles.has(role)) this.state.syncActivation(frameworkId, role);
    }
    this.state.filters.clearFramework(frameworkId);
    this.pending.everything();
  }

  // ---- agents ----

  /** Adds an agent with what frameworks already use on it. */
  addAgent(id: string, info: AgentInfo, total: Resources, used: Map<string, Resources>): void {
    registerAgent(this.state, id, info, total, used);
    this.pending.agent(id);
    if (this.expectedAgents !== undefined && this.state.agents.size >= this.expectedAgents) {
      this.resume();
    }
  }

  /** Removes an agent and every allocation on it. */
  removeAgent(id: string): void {
    const agent = this.state.agents.get(id);
    if (!agent) return;
    unregisterAgent(this.state, agent);
    this.pending.forget(id);
  }

  /**
   * Replaces an agent's total (resources changed, or oversubscription estimates).
   * @throws InvariantError when the new total does not cover what is allocated there:
   *   the owner must first recover (or rescind) what no longer exists
   */
  updateAgent(id: string, total: Resources): void {
    const agent = this.mustAgent(id);
    if (!total.contains(agent.allocated)) {
      throw new InvariantError(
        `agent ${id}: new total ${total.toString()} does not cover allocated ${agent.allocated.toString()}`,
      );
    }
    retotal(this.state, agent, total);
    this.pending.agent(id);
  }

  /** Offers the agent's resources again (it reconnected). */
  activateAgent(id: string): void {
    this.mustAgent(id).active = true;
    this.pending.agent(id);
  }

  /** Stops offering the agent's resources (it is unreachable). */
  deactivateAgent(id: string): void {
    this.mustAgent(id).active = false;
  }

  /** An agent in maintenance (draining) is not offered. */
  setMaintenance(id: string, inMaintenance: boolean): void {
    this.mustAgent(id).maintenance = inMaintenance;
    if (!inMaintenance) this.pending.agent(id);
  }

  // ---- allocations ----

  /**
   * Returns resources to the pool: a rescinded or timed-out offer, finished tasks, what
   * an accept left unused. With `refuseSeconds > 0` the framework is not offered these
   * resources (or fewer) on this agent again until the filter expires. A pass over the
   * agent follows at once. Resources the framework does not hold are ignored: a late
   * duplicate must not corrupt the books.
   */
  recoverResources(
    frameworkId: string,
    agentId: string,
    resources: Resources,
    filter?: { refuseSeconds: number },
  ): void {
    if (this.giveBack(frameworkId, agentId, resources, filter?.refuseSeconds ?? 0)) {
      this.pending.agent(agentId);
    }
  }

  /**
   * Returns resources a framework turned down (a DECLINE, or an ACCEPT that launched
   * nothing), with its refuse filter as {@link recoverResources} does, but starts no pass:
   * they are offered again by the next periodic pass, as Mesos' allocator does with every
   * recovery. Offered again at once, a framework declining with a 0 s filter was sent the
   * same agents back as fast as it could decline them (5,000 offers a second from 10
   * agents), and frameworks passing an agent on to each other kept the controller busy
   * offering resources nobody took.
   */
  declineResources(
    frameworkId: string,
    agentId: string,
    resources: Resources,
    refuseSeconds: number,
  ): void {
    this.giveBack(frameworkId, agentId, resources, refuseSeconds);
  }

  /** Puts resources back on their agent under an optional filter; false if there is none. */
  private giveBack(
    frameworkId: string,
    agentId: string,
    resources: Resources,
    refuseSeconds: number,
  ): boolean {
    const agent = this.state.agents.get(agentId);
    if (!agent || resources.isEmpty()) return false;
    returnResources(this.state, frameworkId, agent, resources);
    if (refuseSeconds > 0 && this.state.frameworks.has(frameworkId)) {
      const ms = Math.min(refuseSeconds * 1000, MAX_REFUSE_MS);
      this.state.filters.add(frameworkId, agentId, resources, this.clock.now() + ms);
    }
    return true;
  }

  /**
   * Converts part of a framework's allocation, as accepted operations do (RESERVE turns
   * unreserved resources into reserved ones): `from` must be held by the framework.
   */
  updateAllocation(frameworkId: string, agentId: string, from: Resources, to: Resources): void {
    convertAllocation(this.state, frameworkId, this.mustAgent(agentId), from, to);
    this.pending.agent(agentId);
  }

  // ---- roles ----

  /**
   * Sets a role's quota (absent parts are removed).
   * @throws ValidationError when the guarantee exceeds the limit
   */
  updateQuota(role: string, quota: QuotaSpec): void {
    const guarantee = quota.guarantee?.quantities() ?? new Map<string, number>();
    const limit = quota.limit?.quantities() ?? new Map<string, number>();
    for (const [name, g] of guarantee) {
      const l = limit.get(name);
      if (l !== undefined && g > l) {
        throw new ValidationError(
          `quota.${role}.${name}`,
          `guarantee ${g / 1000} exceeds limit ${l / 1000}`,
        );
      }
    }
    this.state.roles.setQuota(role, { guarantee, limit });
    this.state.roles.prune(role);
    this.pending.everything();
  }

  /**
   * Sets role weights (a weight-2 role gets twice the dominant share of a weight-1 role).
   * @throws ValidationError for a weight that is not positive
   */
  updateWeights(weights: { role: string; weight: number }[]): void {
    for (const { role, weight } of weights) {
      if (!(weight > 0) || !Number.isFinite(weight)) {
        throw new ValidationError(
          `weights.${role}`,
          `weight must be a positive number, got ${weight}`,
        );
      }
    }
    for (const { role, weight } of weights) this.state.roleSorter.updateWeight(role, weight);
    this.pending.everything();
  }

  // ---- passes ----

  /** Stops allocation passes (verbs are still recorded). */
  pause(): void {
    this.paused = true;
  }

  /** Resumes allocation passes. */
  resume(): void {
    this.paused = false;
    this.expectedAgents = undefined;
    this.pending.renotify();
  }

  /**
   * After a controller failover: sets the recovered quotas and pauses allocation until
   * `expectedAgents` agents have re-registered (or {@link resume} is called on a timeout),
   * so that the first pass does not hand out resources of agents not yet back.
   */
  recover(expectedAgents: number, quotas?: Map<string, QuotaSpec>): void {
    for (const [role, quota] of quotas ?? []) this.updateQuota(role, quota);
    if (expectedAgents > this.state.agents.size) {
      this.paused = true;
      this.expectedAgents = expectedAgents;
    }
  }

  /** A full pass over every agent, now. */
  allocate(): void {
    if (this.paused) return;
    this.state.filters.prune(this.clock.now());
    this.run('full', [...this.state.freeAgents]);
  }

  /** Whether something changed since the last pass (a lapsed refuse filter is no change). */
  hasPendingWork(): boolean {
    return this.pending.any();
  }

  /**
   * An incremental pass over only what changed; many changes, one run. An agent whose
   * refuse filter lapsed is not among them: it waits for the periodic pass, as in Mesos
   * (at 50,000 agents, passes that also took every lapsed agent made three offers in four,
   * nearly all declined again; docs/performance.md, "Session 16").
   */
  runPending(): void {
    if (this.paused) return;
    // A framework-side change (new framework, revive, quota) can use any free agent;
    // an agent-side change only that agent. Fully allocated agents are never visited.
    const ids = this.pending.take(this.state.freeAgents);
    if (ids) this.run('incremental', ids);
  }

  private run(kind: 'full' | 'incremental', ids: string[]): void {
    const started = this.hrtime();
    this.pending.clear();
    const { offers: out, visited } = passOver(this.state, ids, this.rng, {
      now: this.clock.now(),
      minAllocatable: this.minAllocatable,
      boundOf: (id) => {
        const own = this.state.frameworks.get(id)?.offerBound ?? 0;
        const all = this.maxOffersPerFramework;
        return own > 0 && (all <= 0 || own < all) ? own : all;
      },
    });
    this.metrics.afterPass(kind, (this.hrtime() - started) / 1000, out, this.state);
    let offerCount = 0;
    for (const m of out.values()) offerCount += m.size;
    this.lastPassStats = { kind, candidates: ids.length, offers: offerCount, visited };
    for (const [frameworkId, offers] of out) this.offerCallback(frameworkId, [...offers.values()]);
  }

  // ---- helpers ----

  private mustFramework(id: string): FrameworkState {
    const fw = this.state.frameworks.get(id);
    if (!fw) throw new InvariantError(`unknown framework ${id}`);
    return fw;
  }

  private mustAgent(id: string): AgentState {
    const a = this.state.agents.get(id);
    if (!a) throw new InvariantError(`unknown agent ${id}`);
    return a;
  }
}
