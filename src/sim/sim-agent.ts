/**
 * One simulated agent: the real agent's protocol (its controller connection, message
 * dispatch and status update manager, imported from src/agent-sidecar/) around tasks that
 * run no process. A launched task is RUNNING at once and ends after the run time its
 * labels give (sim-task.ts); a kill ends it KILLED at once. Updates are sent, resent and
 * acknowledged by the real status update manager, so a controller sees exactly the
 * message flow of a real agent, including re-registration with every live task and its
 * latest state after the controller restarts.
 *
 * What differs from a real agent: no files (the update log is kept in memory, so a
 * simulated agent does not survive its own process), no usage reports, no sandbox reads
 * (answered with an error), and a task is forgotten as soon as its terminal update is
 * acknowledged (a real agent keeps it until garbage collection).
 */
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { AgentClient } from '../gen/mezzo/v1/Agent.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import type { Attribute } from '../gen/mezzo/v1/Attribute.js';
import type { ControllerMessage__Output } from '../gen/mezzo/v1/ControllerMessage.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { ReadFile__Output } from '../gen/mezzo/v1/ReadFile.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import {
  ControllerConnection,
  type ConnectionConfig,
} from '../agent-sidecar/controller-connection.js';
import {
  dispatchControllerMessage,
  unknownTaskDropped,
} from '../agent-sidecar/controller-messages.js';
import {
  StatusUpdateManager,
  toProto,
  type NewUpdate,
  type StoredUpdate,
  type UpdateLog,
} from '../agent-sidecar/status-updates.js';
import { TaskStatusWriter } from '../agent-sidecar/task-status-writer.js';
import type { TaskStatusPatch } from '../kube/task-status-patch.js';
import { simBehaviour, type SimDuration } from './sim-task.js';
import type { SimCounters } from './sim-counters.js';

const AGENT_VERSION = '0.1.0-sim';

/** The update log of a simulated task: nothing to make durable. */
const NO_LOG: UpdateLog = {
  append: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** What every simulated agent of one simulation shares. */
export interface SimShared {
  readonly connection: ConnectionConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The shared gRPC client for a controller address. */
  readonly client: (address: string) => AgentClient;
  /** The run time of a task without a duration label. */
  readonly defaultDuration: SimDuration;
  /** Status update resend bounds (ms), as the real agent's. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly counters: SimCounters;
  /** Called at each (re-)registration of an agent. */
  readonly onRegistered: (agent: SimAgent) => void;
  /**
   * The apiserver client an agent writes its tasks' RUNNING status with, as a real agent
   * under `--write-task-status`, by node name; undefined: it writes none.
   */
  readonly statusPatch?: (nodeName: string) => TaskStatusPatch | undefined;
}

/** What one simulated agent declares. */
export interface SimAgentSpec {
  readonly hostname: string;
  readonly resources: Resource[];
  readonly attributes: Attribute[];
}

/** A task on a simulated agent. */
interface SimTask {
  readonly task: TaskInfo__Output;
  readonly framework: FrameworkInfoLite__Output;
  phase: 'running' | 'done';
  timer: Timer | undefined;
}

/** One simulated agent; {@link SimAgent.start} connects it. */
export class SimAgent {
  private agentId = '';
  private readonly tasks = new Map<string, SimTask>();
  private readonly updates: StatusUpdateManager;
  private readonly conn: ControllerConnection;
  private readonly inflight = new Set<Promise<unknown>>();
  private registrations = 0;
  private stopped = false;
  private readonly writer: TaskStatusWriter | undefined;

  /** Creates the agent, not yet connected. */
  constructor(
    readonly spec: SimAgentSpec,
    private readonly shared: SimShared,
  ) {
    const { clock, logger } = shared;
    this.updates = new StatusUpdateManager(
      clock,
      {
        send: (u) => this.sendUpdate(u),
        onTerminalAcked: (id) => this.forget(id),
        onRetry: () => {
          shared.counters.retries++;
        },
      },
      logger,
      shared.retryMinMs,
      shared.retryMaxMs,
      () => NO_LOG,
    );
    const patch = shared.statusPatch?.(spec.hostname);
    this.writer = patch
      ? new TaskStatusWriter(
          patch,
          { nodeName: spec.hostname, hostname: spec.hostname, agentId: () => this.agentId },
          clock,
          logger,
        )
      : undefined;
    this.conn = new ControllerConnection(shared.connection, clock, logger, {
      hello: () => this.hello(),
      onMessage: (msg) => this.onMessage(msg),
      onDown: () => undefined,
      client: shared.client,
    });
  }

  /** The ID the controller gave this agent (empty before the first registration). */
  get id(): string {
    return this.agentId;
  }

  /** Whether the agent's current stream is registered. */
  get isRegistered(): boolean {
    return this.conn.isRegistered;
  }

  /** How many times the controller answered a (re-)registration. */
  get registrationCount(): number {
    return this.registrations;
  }

  /** Tasks not yet ended, by ID. */
  runningTaskIds(): string[] {
    return [...this.tasks.values()].filter((t) => t.phase === 'running').map((t) => t.task.task_id);
  }

  /** Dials the controller. */
  start(): void {
    this.conn.connect();
  }

  /** Disconnects and drops every task (a simulated agent keeps nothing). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.tasks.values()) t.timer?.cancel();
    this.conn.stop();
    await this.writer?.stop();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    await this.updates.stop();
  }

  private track(p: Promise<unknown>, what: string): void {
    const q = p.catch((err: unknown) => {
      this.shared.logger.error(`simulated agent: ${what} failed`, {
        agent: this.spec.hostname,
        err: err instanceof Error ? err.message : String(err),
      });
    });
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }

  private agentInfo(): AgentMessage['register'] {
    return {
      agent_info: {
        id: this.agentId,
        hostname: this.spec.hostname,
        node_name: this.spec.hostname,
        resources: this.spec.resources,
        attributes: this.spec.attributes,
        address: '',
        version: AGENT_VERSION,
        default_user: 'nobody',
        writes_task_status: this.writer !== undefined,
      },
    };
  }

  /** register, or (once it has an ID) reregister with its live tasks, as agent.ts does. */
  private hello(): AgentMessage {
    if (!this.agentId) return { register: this.agentInfo() };
    const live = [...this.tasks.values()].filter(
      (t) => t.phase !== 'done' || this.updates.pending(t.task.task_id).length > 0,
    );
    return {
      reregister: {
        ...this.agentInfo(),
        tasks: live.map((t) => t.task),
        latest_statuses: live.map((t) => {
          const u = this.updates.latest(t.task.task_id);
          return u ? toProto(u, this.agentId) : {};
        }),
        framework_ids: [...new Set(live.map((t) => t.framework.id))],
      },
    };
  }

  private onMessage(msg: ControllerMessage__Output): void {
    dispatchControllerMessage(msg, {
      tasks: this.tasks,
      updates: this.updates,
      m: { pending: { set: () => undefined } },
      metrics: this.shared.counters.registry,
      logger: this.shared.logger,
      track: (p, what) => this.track(p, what),
      write: (m) => this.conn.write(m),
      launch: (task, fw) => this.launch(task, fw),
      kill: (id, fw, _grace, reason, message) => this.kill(id, fw, reason, message),
      readFile: (req) => this.readFile(req),
      onRegistered: (id, hb) => this.onRegistered(id, hb),
      granted: (ids) => this.writer?.granted(ids),
    });
  }

  private onRegistered(id: string, heartbeatSeconds: number): Promise<void> {
    if (id) this.agentId = id;
    this.conn.markRegistered(heartbeatSeconds);
    this.registrations++;
    this.shared.onRegistered(this);
    this.updates.flush();
    return Promise.resolve();
  }

  private sendUpdate(u: StoredUpdate): boolean {
    if (!this.conn.isRegistered) return false;
    this.shared.counters.updatesSent++;
    return this.conn.write({ status_update: { status: toProto(u, this.agentId) } });
  }

  private async launch(
    task: TaskInfo__Output,
    framework: FrameworkInfoLite__Output,
  ): Promise<void> {
    const id = task.task_id;
    if (this.tasks.has(id)) {
      this.shared.logger.warn('duplicate launch ignored', {
        agent: this.spec.hostname,
        taskId: id,
      });
      return;
    }
    const t: SimTask = { task, framework, phase: 'running', timer: undefined };
    this.tasks.set(id, t);
    this.shared.counters.launched++;
    this.updates.open(id, framework.id, '');
    const behaviour = simBehaviour(task.labels, this.shared.defaultDuration);
    if ('error' in behaviour) {
      await this.finish(t, {
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_INVALID',
        message: `refused: ${behaviour.error}`,
      });
      return;
    }
    await this.update({ state: 'TASK_RUNNING' }, id);
    this.writer?.running(task, framework.id);
    if (behaviour.duration === 'forever' || t.phase === 'done') return;
    const { exitCode } = behaviour;
    t.timer = this.shared.clock.setTimer(behaviour.duration, () => {
      t.timer = undefined;
      const u: NewUpdate =
        exitCode === 0
          ? { state: 'TASK_FINISHED', message: 'command exited 0', exitCode }
          : {
              state: 'TASK_FAILED',
              reason: 'REASON_COMMAND_EXITED_NONZERO',
              message: `command exited with status ${String(exitCode)}`,
              exitCode,
            };
      this.track(this.finish(t, u), 'finish');
    });
  }

  private async kill(
    taskId: string,
    frameworkId: string,
    reason: StatusReason__Output,
    message: string,
  ): Promise<void> {
    const t = this.tasks.get(taskId);
    if (!t) {
      // As the real agent answers a kill for a task it does not know.
      this.conn.write(
        unknownTaskDropped(taskId, frameworkId, this.agentId, this.shared.clock.now()),
      );
      return;
    }
    await this.finish(t, { state: 'TASK_KILLED', reason, message });
  }

  private async finish(t: SimTask, u: NewUpdate): Promise<void> {
    if (t.phase === 'done' || this.stopped) return;
    t.phase = 'done';
    t.timer?.cancel();
    t.timer = undefined;
    await this.update(u, t.task.task_id);
  }

  private async update(u: NewUpdate, taskId: string): Promise<void> {
    this.shared.counters.updates++;
    await this.updates.update(taskId, u);
  }

  private forget(taskId: string): void {
    this.tasks.delete(taskId);
    this.track(this.updates.close(taskId), 'close');
  }

  private readFile(req: ReadFile__Output): Promise<void> {
    this.conn.write({
      file_data: {
        request_id: req.request_id,
        data: Buffer.alloc(0),
        offset: req.offset,
        eof: true,
        error: 'a simulated agent has no sandbox files',
      },
    });
    return Promise.resolve();
  }
}
