/**
 * The controller's state machine, the Mesos master's job: frameworks, agents, tasks and
 * offers, wired to the allocator. gRPC services call the verbs here; the allocator's
 * offers come back through `onOffers`. Everything time-based (offer timeout, framework
 * failover timeout, agent ping timeout, heartbeats) runs on the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { HierarchicalAllocator, Resources, type OfferedResources } from '../allocator/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskState__Output as TaskState } from '../gen/mezzo/v1/TaskState.js';
import type { StatusReason } from '../gen/mezzo/v1/StatusReason.js';
import { OfferBook } from './offer-book.js';
import { FileReads } from './files.js';
import { controllerMetrics, type ControllerMetrics } from './metrics.js';
import { toWire } from './wire.js';
import {
  isTerminal,
  type AgentRecord,
  type FrameworkRecord,
  type OfferRecord,
  type TaskRecord,
} from './records.js';

/** Timing settings, in milliseconds. */
export interface CoreOptions {
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  offerTimeoutMs?: number;
  agentPingIntervalMs?: number;
  agentPingTimeoutMs?: number;
  frameworkHeartbeatMs?: number;
  allocationIntervalMs?: number;
  /** Called after any task status change, for the store mirror. */
  onTaskChanged?: (task: TaskRecord) => void;
  /** Called after agent registration or loss. */
  onAgentChanged?: (agent: AgentRecord) => void;
  /** Called after a framework (dis)connects or is removed. */
  onFrameworkChanged?: (fw: FrameworkRecord, removed: boolean) => void;
  /** After how long of declining every offer a framework gets an OffersDeclined event. */
  declineWarnAfterMs?: number;
  /** Called with a user-visible event about a framework. */
  onFrameworkEvent?: (
    fw: FrameworkRecord,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) => void;
}

type CoreCallbacks = 'onTaskChanged' | 'onAgentChanged' | 'onFrameworkChanged' | 'onFrameworkEvent';

/** The controller core. */
export class ControllerCore {
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly offers: OfferBook;
  readonly files: FileReads;
  readonly allocator: HierarchicalAllocator;
  readonly m: ControllerMetrics;
  readonly clock: Clock;
  readonly log: Logger;
  readonly opts: Required<Omit<CoreOptions, CoreCallbacks>> & Pick<CoreOptions, CoreCallbacks>;
  /** When this controller started: agents get a ping timeout to re-register after it. */
  readonly startedAt: number;
  private readonly expected = new Set<string>();
  private allocationScheduled = false;
  private periodic: { cancel(): void } | undefined;
  private stopped = false;

  constructor(options: CoreOptions) {
    this.opts = {
      offerTimeoutMs: 30_000,
      agentPingIntervalMs: 5_000,
      agentPingTimeoutMs: 15_000,
      frameworkHeartbeatMs: 15_000,
      allocationIntervalMs: 1_000,
      declineWarnAfterMs: 300_000,
      ...options,
    };
    this.clock = options.clock;
    this.startedAt = options.clock.now();
    this.log = options.logger;
    this.m = controllerMetrics(options.metrics);
    this.files = new FileReads(this.clock);
    this.offers = new OfferBook(this.clock, this.opts.offerTimeoutMs, (offer, reason) => {
      this.m.offers.inc({ result: reason === 'timeout' ? 'timed_out' : 'rescinded' });
      this.sendTo(offer.frameworkId, { type: 'RESCIND', rescind: { offer_id: offer.id } });
      this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources);
    });
    this.allocator = new HierarchicalAllocator({
      clock: this.clock,
      metrics: options.metrics,
      offerCallback: (frameworkId, offers) => {
        this.onOffers(frameworkId, offers);
      },
    });
    this.allocator.onWorkPending = () => {
      this.scheduleAllocation();
    };
  }

  /** Agents that were active before this controller started (from their Agent objects). */
  expectAgents(ids: Iterable<string>): void {
    for (const id of ids) this.expected.add(id);
  }

  /**
   * Whether an expected agent (`agentId`, or any when empty) may still re-register: until
   * it does or the ping timeout after this controller's start passes, a task the controller
   * does not know may yet be reported, so reconciliation holds its answer (as Mesos'
   * master does for the agents it is recovering).
   */
  recoveringAgents(agentId = ''): boolean {
    if (this.clock.now() - this.startedAt >= this.opts.agentPingTimeoutMs) return false;
    const back = (id: string) => this.agents.get(id)?.state === 'active';
    if (agentId) return this.expected.has(agentId) && !back(agentId);
    return [...this.expected].some((id) => !back(id));
  }

  /** Starts the periodic allocation pass. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.runAllocation(true);
      this.periodic = this.clock.setTimer(this.opts.allocationIntervalMs, tick);
    };
    this.periodic = this.clock.setTimer(this.opts.allocationIntervalMs, tick);
  }

  /** Stops timers and closes every stream. */
  stop(): void {
    this.stopped = true;
    this.periodic?.cancel();
    for (const fw of this.frameworks.values()) {
      fw.failoverTimer?.cancel();
      fw.heartbeatTimer?.cancel();
      fw.stream?.end();
    }
    for (const a of this.agents.values()) {
      a.pingTimer?.cancel();
      a.stream?.end();
    }
    for (const o of this.offers.all()) this.offers.take(o.id);
  }

  // ---- allocation -------------------------------------------------------------------

  private scheduleAllocation(): void {
    if (this.allocationScheduled || this.stopped) return;
    this.allocationScheduled = true;
    this.clock.setTimer(0, () => {
      this.allocationScheduled = false;
      this.runAllocation(false);
    });
  }

  private runAllocation(full: boolean): void {
    const start = performance.now();
    if (full) this.allocator.allocate();
    else this.allocator.runPending();
    this.m.allocationSeconds.observe((performance.now() - start) / 1000);
  }

  private onOffers(frameworkId: string, offered: OfferedResources[]): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw?.connected) {
      for (const o of offered) this.allocator.recoverResources(frameworkId, o.agentId, o.resources);
      return;
    }
    const out: NonNullable<Event['offers']>['offers'] = [];
    for (const o of offered) {
      const agent = this.agents.get(o.agentId);
      if (!agent || agent.state !== 'active') {
        this.allocator.recoverResources(frameworkId, o.agentId, o.resources);
        continue;
      }
      const rec = this.offers.add(frameworkId, o.agentId, o.role, o.resources);
      this.m.offers.inc({ result: 'made' });
      out.push({
        id: rec.id,
        framework_id: frameworkId,
        agent_id: o.agentId,
        hostname: agent.info.hostname,
        resources: toWire(o.resources),
        attributes: agent.info.attributes,
        allocation_role: o.role,
      });
    }
    if (out.length > 0) this.sendTo(frameworkId, { type: 'OFFERS', offers: { offers: out } });
  }

  /** Returns an offer's resources to the allocator, with an optional refuse filter. */
  recoverOffer(offer: OfferRecord, refuseSeconds?: number): void {
    this.allocator.recoverResources(
      offer.frameworkId,
      offer.agentId,
      offer.resources,
      refuseSeconds !== undefined ? { refuseSeconds } : undefined,
    );
  }

  /** Rescinds every offer matching `pred` (agent lost, framework gone). */
  rescindWhere(pred: (o: OfferRecord) => boolean): void {
    for (const o of this.offers.filter(pred)) {
      this.offers.take(o.id);
      this.m.offers.inc({ result: 'rescinded' });
      this.sendTo(o.frameworkId, { type: 'RESCIND', rescind: { offer_id: o.id } });
      this.recoverOffer(o);
    }
  }

  // ---- events to frameworks ---------------------------------------------------------

  /** Writes an event to a framework's stream if it is connected. */
  sendTo(frameworkId: string, event: Event): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw?.stream && fw.connected) fw.stream.write(event);
  }

  /** A status update generated by the controller itself (LOST, UNREACHABLE, UNKNOWN...). */
  masterStatus(
    task: TaskRecord,
    state: TaskState,
    reason: StatusReason,
    message: string,
  ): TaskStatus {
    return {
      task_id: task.id,
      state,
      reason,
      message,
      source: 'SOURCE_MASTER',
      agent_id: task.agentId,
      framework_id: task.frameworkId,
      timestamp: this.clock.now() / 1000,
      uuid: Buffer.alloc(0),
    };
  }

  // ---- tasks ------------------------------------------------------------------------

  /** Applies a status to a task record; returns false when it is stale or unknown. */
  applyStatus(status: TaskStatus): TaskRecord | undefined {
    const id = status.task_id ?? '';
    const task = this.tasks.get(id);
    if (!task) return undefined;
    // Statuses built here and by agents always carry the string form.
    const state = typeof status.state === 'string' ? status.state : 'TASK_UNKNOWN';
    if (isTerminal(task.state) && state !== task.state) return task; // terminal is final
    task.state = state;
    task.status = status;
    if (isTerminal(state) && !task.recovered) {
      task.recovered = true;
      this.allocator.recoverResources(task.frameworkId, task.agentId, task.resources);
      this.agents.get(task.agentId)?.tasks.delete(id);
    }
    this.m.taskUpdates.inc({ state });
    this.opts.onTaskChanged?.(task);
    return task;
  }

  /** Counts for the tasks gauge. */
  refreshGauges(): void {
    const byState = new Map<string, number>();
    for (const t of this.tasks.values()) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    this.m.tasks.reset();
    for (const [state, n] of byState) this.m.tasks.set({ state }, n);
    this.m.frameworks.reset();
    let on = 0;
    for (const f of this.frameworks.values()) if (f.connected) on++;
    this.m.frameworks.set({ connected: 'true' }, on);
    this.m.frameworks.set({ connected: 'false' }, this.frameworks.size - on);
    this.m.agents.reset();
    let active = 0;
    for (const a of this.agents.values()) if (a.state === 'active') active++;
    this.m.agents.set({ state: 'active' }, active);
    this.m.agents.set({ state: 'unreachable' }, this.agents.size - active);
  }

  /** Sends a kill to the task's agent, or answers for an agent that is gone. */
  killTask(task: TaskRecord, graceSeconds?: number): void {
    const agent = this.agents.get(task.agentId);
    if (agent?.stream && agent.state === 'active') {
      agent.stream.write({
        kill_task: {
          task_id: task.id,
          framework_id: task.frameworkId,
          ...(graceSeconds !== undefined ? { grace_period_seconds: graceSeconds } : {}),
        },
      });
      return;
    }
    const status = this.masterStatus(
      task,
      'TASK_KILLED',
      'REASON_AGENT_DISCONNECTED',
      'killed while its agent was unreachable',
    );
    this.applyStatus(status);
    this.sendTo(task.frameworkId, { type: 'UPDATE', update: { status } });
  }

  /** Removes a framework for good: its tasks are killed and its offers rescinded. */
  removeFramework(fw: FrameworkRecord, why: string): void {
    this.log.info('removing framework', { framework: fw.id, why });
    fw.failoverTimer?.cancel();
    fw.heartbeatTimer?.cancel();
    this.rescindWhere((o) => o.frameworkId === fw.id);
    for (const id of fw.tasks) {
      const t = this.tasks.get(id);
      if (!t) continue;
      // removeFramework below releases everything the framework holds in the allocator.
      t.recovered = true;
      if (isTerminal(t.state)) continue;
      this.killTask(t);
      // Like the Mesos master, the task is gone with its framework: do not wait for the
      // agent (which is also told to shut the framework down) to confirm.
      this.applyStatus(
        this.masterStatus(
          t,
          'TASK_KILLED',
          'REASON_FRAMEWORK_REMOVED',
          `framework removed: ${why}`,
        ),
      );
    }
    for (const a of this.agents.values())
      a.stream?.write({ shutdown_framework: { framework_id: fw.id } });
    this.allocator.removeFramework(fw.id);
    const stream = fw.stream;
    fw.stream = undefined;
    fw.connected = false;
    if (stream) {
      stream.write({ type: 'ERROR', error: { message: `framework removed: ${why}` } });
      stream.end();
    }
    this.frameworks.delete(fw.id);
    this.opts.onFrameworkChanged?.(fw, true);
    this.refreshGauges();
  }

  /**
   * Tracks declines: a framework that has declined every offer for `declineWarnAfterMs`
   * gets one Warning event (it may be waiting for resources it will never be offered).
   */
  noteOfferOutcome(fw: FrameworkRecord, accepted: boolean): void {
    if (accepted) {
      fw.declineStreakSince = undefined;
      fw.declineWarned = false;
      return;
    }
    const now = this.clock.now();
    fw.declineStreakSince ??= now;
    if (!fw.declineWarned && now - fw.declineStreakSince >= this.opts.declineWarnAfterMs) {
      fw.declineWarned = true;
      this.opts.onFrameworkEvent?.(
        fw,
        'Warning',
        'OffersDeclined',
        `framework ${fw.info.name} has declined every offer for ${Math.round((now - fw.declineStreakSince) / 1000)} s`,
      );
    }
  }

  /** A new random ID with a prefix. */
  newId(prefix: string): string {
    return `${prefix}-${randomUUID()}`;
  }

  /** Resources used per framework on an agent, from the tasks known there. */
  usedOn(agent: AgentRecord): Map<string, Resources> {
    const used = new Map<string, Resources>();
    for (const id of agent.tasks) {
      const t = this.tasks.get(id);
      if (!t || isTerminal(t.state)) continue;
      used.set(t.frameworkId, (used.get(t.frameworkId) ?? Resources.EMPTY).add(t.resources));
    }
    return used;
  }
}
