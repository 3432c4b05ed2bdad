/**
 * The controller's state machine, the Mesos master's job: frameworks, agents, tasks and
 * offers, wired to the allocator. gRPC services call the verbs here; the allocator's
 * offers come back through `onOffers`. Everything time-based (offer timeout, framework
 * failover timeout, agent ping timeout, heartbeats) runs on the injected clock.
 */
import { MAX_UNREAD_EVENT_BYTES } from './bounded-subscription.js';
import { randomUUID } from 'node:crypto';
import { Resources, type HierarchicalAllocator } from '../allocator/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskState__Output as TaskState } from '../gen/mezzo/v1/TaskState.js';
import type { StatusReason } from '../gen/mezzo/v1/StatusReason.js';
import type { OfferBook } from './offer-book.js';
import { OfferCycle } from './offer-cycle.js';
import { RecoveryWindow } from './recovery-window.js';
import { AgentsByNode } from './agents-by-node.js';
import { CompletedFrameworks } from './completed-frameworks.js';
import { CompletedTasks, DEFAULT_COMPLETED_BOUNDS } from './completed-tasks.js';
import { StoredFinals } from './stored-finals.js';
import type { DecisionLog } from './decisions.js';
import { deliver, written } from './status-flow.js';
import { sendOffers } from './offer-flow.js';
import { noteOfferOutcome } from './decline-streak.js';
import { FileReads } from './files.js';
import { CallPacer, DEFAULT_FRAMEWORK_CALL_LIMIT } from './call-pacing.js';
import { controllerMetrics, type ControllerMetrics } from './metrics.js';
import type { CoreCallbacks, CoreOptions } from './core-options.js';
import {
  isTerminal,
  type AgentRecord,
  type FrameworkRecord,
  type OfferRecord,
  type TaskRecord,
} from './records.js';

/** The controller core. */
export class ControllerCore {
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly offers: OfferBook;
  readonly files: FileReads;
  /** The pace of each principal's scheduler calls. */
  readonly calls: CallPacer;
  /** Finished tasks kept in memory, bounded per framework. */
  readonly completed: CompletedTasks;
  /** Removed frameworks, the newest `maxCompletedFrameworks`. */
  readonly completedFrameworks: CompletedFrameworks;
  /** The allocator's recent decisions per framework, for the dashboard. */
  readonly decisions: DecisionLog;
  readonly allocator: HierarchicalAllocator;
  /** The allocator, its outstanding offers and decisions, and when passes run. */
  private readonly cycle: OfferCycle;
  readonly m: ControllerMetrics;
  readonly clock: Clock;
  readonly log: Logger;
  readonly opts: Required<Omit<CoreOptions, CoreCallbacks | 'access'>> &
    Pick<CoreOptions, CoreCallbacks | 'access'>;
  /** Each agent's node, for an agent replaced there (agent-replacement.ts). */
  readonly agentNodes = new AgentsByNode();
  /**
   * Agents whose `reportedDone` holds tasks: reconciliation of a task named without its
   * agent looks there, and a scan of every agent per task made one call naming 10,000
   * tasks cost 10,000 times the cluster's size.
   */
  readonly agentsReportingDone = new Set<AgentRecord>();
  /** Agents expected back and tasks recovered from the store, after a restart. */
  readonly recovery: RecoveryWindow;
  /** Final states found on Task objects at start, for reconciliation (bounded). */
  readonly storedFinals: StoredFinals;
  private stopped = false;

  constructor(options: CoreOptions) {
    this.opts = {
      offerTimeoutMs: 30_000,
      agentPingIntervalMs: 5_000,
      agentPingTimeoutMs: 15_000,
      frameworkHeartbeatMs: 15_000,
      allocationIntervalMs: 1_000,
      maxOffersPerFrameworkPerPass: 0,
      adaptiveOffers: true,
      declineWarnAfterMs: 300_000,
      maxUnreadEventBytes: MAX_UNREAD_EVENT_BYTES,
      frameworkCallLimit: DEFAULT_FRAMEWORK_CALL_LIMIT,
      maxCompletedTasksPerFramework: DEFAULT_COMPLETED_BOUNDS.tasksPerFramework,
      maxCompletedFrameworks: DEFAULT_COMPLETED_BOUNDS.frameworks,
      ...options,
    };
    this.clock = options.clock;
    this.recovery = new RecoveryWindow(
      this.clock,
      this.opts.agentPingTimeoutMs,
      (id) => this.agents.get(id)?.state === 'active',
    );
    // As many as the completed-task history can hold in all.
    this.storedFinals = new StoredFinals(
      this.opts.maxCompletedTasksPerFramework * this.opts.maxCompletedFrameworks,
    );
    this.log = options.logger;
    this.m = controllerMetrics(options.metrics, {
      tasks: () => this.tasks.values(),
      frameworks: () => this.frameworks.values(),
      agents: () => this.agents.values(),
    });
    this.files = new FileReads(this.clock);
    this.calls = new CallPacer(this.opts.frameworkCallLimit, this.clock, this.m, this.log);
    this.completed = new CompletedTasks(
      {
        tasksPerFramework: this.opts.maxCompletedTasksPerFramework,
        frameworks: this.opts.maxCompletedFrameworks,
      },
      {
        // Without a store mirror there is nothing to wait for.
        written: (id) => {
          const t = this.tasks.get(id);
          return !t || !this.opts.onTaskChanged || t.mirrored === t.version;
        },
        held: (id) => {
          const t = this.tasks.get(id);
          return t?.unacked !== undefined || t?.unsent !== undefined;
        },
        forget: (id) => {
          this.forget(id);
        },
      },
    );
    this.completedFrameworks = new CompletedFrameworks(this.opts.maxCompletedFrameworks);
    this.cycle = new OfferCycle({
      clock: this.clock,
      metrics: options.metrics,
      m: this.m,
      allocationIntervalMs: this.opts.allocationIntervalMs,
      offerTimeoutMs: this.opts.offerTimeoutMs,
      maxOffersPerFrameworkPerPass: this.opts.maxOffersPerFrameworkPerPass,
      adaptiveOffers: this.opts.adaptiveOffers,
      frameworkIds: () => this.frameworks.keys(),
      sendOffers: (frameworkId, offers) => {
        sendOffers(this, frameworkId, offers);
      },
      sendTo: (frameworkId, event) => {
        this.sendTo(frameworkId, event);
      },
    });
    ({ allocator: this.allocator, offers: this.offers, decisions: this.decisions } = this.cycle);
  }

  /** Whether an expected agent (`agentId`, or any) may still re-register after a restart. */
  recoveringAgents(agentId = ''): boolean {
    return this.recovery.waitingFor(agentId);
  }

  /** Starts the periodic allocation pass. */
  start(): void {
    this.cycle.start();
  }

  /** Whether {@link ControllerCore.stop} was called: nothing new is taken from then on. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops timers and closes every stream. */
  stop(): void {
    this.stopped = true;
    this.cycle.stop();
    for (const fw of this.frameworks.values()) {
      fw.failoverTimer?.cancel();
      fw.heartbeatTimer?.cancel();
      fw.stream?.end();
    }
    for (const a of this.agents.values()) {
      a.pingTimer?.cancel();
      a.stream?.end();
    }
  }

  // ---- offers (the cycle's verbs, for the services) -------------------------------

  /** See {@link OfferCycle.recoverOffer}. */
  recoverOffer(offer: OfferRecord, refuseSeconds?: number): void {
    this.cycle.recoverOffer(offer, refuseSeconds);
  }

  /** See {@link OfferCycle.declineResources}. */
  declineResources(...args: Parameters<OfferCycle['declineResources']>): void {
    this.cycle.declineResources(...args);
  }

  /**
   * A framework answered `offers` offers: used (something launched) or turned down. Feeds
   * its decline streak and its offer allowance.
   */
  answered(fw: FrameworkRecord, used: boolean, offers: number): void {
    noteOfferOutcome(this, fw, used);
    this.cycle.answered(fw.id, used, offers);
  }

  /** Agents the framework may be offered in a pass (undefined: no allowance kept). */
  offerAllowance(frameworkId: string): number | undefined {
    return this.cycle.allowance?.of(frameworkId);
  }

  /** See {@link OfferCycle.revive}. */
  reviveOffers(...args: Parameters<OfferCycle['revive']>): void {
    this.cycle.revive(...args);
  }

  /** See {@link OfferCycle.addFramework}. */
  addFramework(...args: Parameters<OfferCycle['addFramework']>): void {
    this.cycle.addFramework(...args);
  }

  /** See {@link OfferCycle.rescind}. */
  rescind(offers: readonly OfferRecord[]): void {
    this.cycle.rescind(offers);
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
    this.taskChanged(task);
    return task;
  }

  /** Tells the store mirror that a task changed. */
  taskChanged(task: TaskRecord): void {
    task.version = (task.version ?? 0) + 1;
    this.opts.onTaskChanged?.(task);
  }

  /** The store mirror wrote `version` of the task (read before the write began). */
  taskWritten(task: TaskRecord, version: number | undefined): void {
    task.mirrored = version;
    written(this, task);
    if (isTerminal(task.state)) this.completed.written(task.frameworkId);
  }

  /**
   * A terminal task whose framework has every update it will get is completed: it joins
   * the bounded history, and the oldest completed task past the bound leaves memory.
   */
  complete(task: TaskRecord): void {
    if (isTerminal(task.state) && !task.unacked && !task.unsent && !task.fromStore)
      this.completed.add(task.frameworkId, task.id);
  }

  private forget(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (!t) return;
    this.tasks.delete(taskId);
    this.frameworks.get(t.frameworkId)?.tasks.delete(taskId);
    this.agents.get(t.agentId)?.tasks.delete(taskId);
  }

  /** Applies a status of the controller's own to `task` and tells its framework. */
  declare(task: TaskRecord, state: TaskState, reason: StatusReason, message: string): void {
    const status = this.masterStatus(task, state, reason, message);
    this.applyStatus(status);
    deliver(this, task, status);
  }

  /** Marks a running task unreachable (its agent is gone for now) and tells its framework. */
  markUnreachable(task: TaskRecord, message: string): void {
    this.declare(task, 'TASK_UNREACHABLE', 'REASON_AGENT_DISCONNECTED', message);
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
    this.declare(
      task,
      'TASK_KILLED',
      'REASON_AGENT_DISCONNECTED',
      'killed while its agent was unreachable',
    );
  }

  /** Removes a framework for good: its tasks are killed and its offers rescinded. */
  removeFramework(fw: FrameworkRecord, why: string): void {
    this.log.info('removing framework', { framework: fw.id, why });
    fw.failoverTimer?.cancel();
    fw.heartbeatTimer?.cancel();
    this.rescind(this.offers.ofFramework(fw.id));
    for (const id of fw.tasks) {
      const t = this.tasks.get(id);
      if (!t) continue;
      // removeFramework below releases everything the framework holds in the allocator.
      t.recovered = true;
      if (!isTerminal(t.state)) {
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
      // Nobody is left to acknowledge or receive anything.
      t.unacked = undefined;
      t.unsent = undefined;
    }
    for (const a of this.agents.values())
      a.stream?.write({ shutdown_framework: { framework_id: fw.id } });
    this.cycle.removeFramework(fw.id);
    const stream = fw.stream;
    fw.stream = undefined;
    fw.connected = false;
    if (stream) {
      stream.write({ type: 'ERROR', error: { message: `framework removed: ${why}` } });
      stream.end();
    }
    this.frameworks.delete(fw.id);
    this.completed.frameworkRemoved(fw.id);
    this.completedFrameworks.add(fw, why, this.clock.now());
    this.decisions.forget(fw.id);
    for (const id of [...fw.tasks]) {
      const t = this.tasks.get(id);
      if (t) this.complete(t);
    }
    this.opts.onFrameworkChanged?.(fw, true);
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
