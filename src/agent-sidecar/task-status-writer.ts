/**
 * An agent's own write of its task's RUNNING state onto the task's Task object (agent
 * `--write-task-status`), as a kubelet writes its pods' status: the controller then need
 * not spend a request of its limited client on it (src/controller/agent-writes.ts). Only
 * tasks launched for a Task object are written (their TaskInfo names it and its uid).
 *
 * The admission policy admits the write only once the controller has granted the task
 * to the agent's node (src/controller/task-grants.ts), which it tells the agent
 * (`status_writes_granted`): a RUNNING write waits for that message, so it is refused
 * by no policy and made once. A grant that does not come within {@link GIVE_UP_MS}, or
 * a write that keeps failing that long, is left to the controller, which writes the
 * state itself when its grace ends. Nothing here is durable or acknowledged: the status
 * update to the controller stays the record, and a write that never lands costs the
 * controller the write it would have made anyway.
 */
import type { Clock, Timer } from '../shared/clock.js';
import { describeError, ThrottledError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import { labelledTaskObject, TASK_OBJECT_UID_LABEL } from '../shared/task-labels.js';
import type { TaskStatusPatch } from '../kube/task-status-patch.js';

/** How long after a launch the agent keeps trying; the controller's grace is as long. */
export const GIVE_UP_MS = 5_000;
const FIRST_RETRY_MS = 100;

/** Who is writing: the agent as the controller knows it. */
export interface WriterIdentity {
  readonly nodeName: string;
  readonly hostname: string;
  /** The agent's ID now (assigned at its first registration). */
  agentId(): string;
}

/** The Task object a task was launched for, from its TaskInfo's labels. */
export function taskObjectOf(
  task: Pick<TaskInfo__Output, 'labels'>,
): { namespace: string; name: string; uid: string } | undefined {
  const named = labelledTaskObject(task.labels);
  const uid = task.labels[TASK_OBJECT_UID_LABEL];
  return named && uid !== undefined ? { ...named, uid } : undefined;
}

/** What the agent writes for a task that is RUNNING (the fields the controller writes). */
export function runningStatus(
  task: Pick<TaskInfo__Output, 'task_id'>,
  frameworkId: string,
  who: WriterIdentity,
  now: number,
): Record<string, unknown> {
  const at = new Date(now).toISOString();
  return {
    state: 'TASK_RUNNING',
    frameworkId,
    taskId: task.task_id,
    agentId: who.agentId(),
    hostname: who.hostname,
    nodeName: who.nodeName,
    startTime: at,
    conditions: [
      { type: 'Running', status: 'True', reason: 'Running', message: '', lastTransitionTime: at },
    ],
  };
}

/** A RUNNING write waiting for its grant. */
interface Waiting {
  readonly target: { namespace: string; name: string };
  readonly status: Record<string, unknown>;
  readonly timer: Timer;
}

/** Writes RUNNING for the agent's tasks that were launched for Task objects. */
export class TaskStatusWriter {
  private readonly inflight = new Set<Promise<void>>();
  /** RUNNING writes whose grant has not come yet, by task ID. */
  private readonly waiting = new Map<string, Waiting>();
  /** Grants that came before their task was RUNNING, by task ID (dropped after the give-up time). */
  private readonly early = new Map<string, Timer>();
  private stopped = false;

  constructor(
    private readonly patch: TaskStatusPatch,
    private readonly who: WriterIdentity,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly giveUpMs = GIVE_UP_MS,
  ) {}

  /**
   * Task `task` of framework `frameworkId` is RUNNING: write it once its grant has come
   * (at once if it has), in the background. Without a grant within the give-up time the
   * write is dropped: the controller writes it.
   */
  running(task: TaskInfo__Output, frameworkId: string): void {
    const target = taskObjectOf(task);
    const id = task.task_id;
    if (!target || this.stopped || this.waiting.has(id)) return;
    const status = runningStatus(task, frameworkId, this.who, this.clock.now());
    const early = this.early.get(id);
    if (early) {
      early.cancel();
      this.early.delete(id);
      this.start(target, status, id);
      return;
    }
    const timer = this.clock.setTimer(this.giveUpMs, () => {
      this.waiting.delete(id);
      this.log.debug('no grant came; task status left to the controller', { taskId: id });
    });
    this.waiting.set(id, { target, status, timer });
  }

  /** The controller granted these tasks to this agent's node: write those RUNNING. */
  granted(taskIds: readonly string[]): void {
    if (this.stopped) return;
    for (const id of taskIds) {
      const w = this.waiting.get(id);
      if (w) {
        w.timer.cancel();
        this.waiting.delete(id);
        this.start(w.target, w.status, id);
      } else if (!this.early.has(id)) {
        this.early.set(
          id,
          this.clock.setTimer(this.giveUpMs, () => this.early.delete(id)),
        );
      }
    }
  }

  /** Stops writing; resolves when no write is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.values()) w.timer.cancel();
    for (const t of this.early.values()) t.cancel();
    this.waiting.clear();
    this.early.clear();
    await Promise.all([...this.inflight]);
  }

  private start(
    target: { namespace: string; name: string },
    status: Record<string, unknown>,
    id: string,
  ): void {
    const p = this.write(target, status, id);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /**
   * One write, tried again with backoff after a failure (a slow or restarting apiserver);
   * a refusal for load waits at least as long as the server asked.
   */
  private async write(
    target: { namespace: string; name: string },
    status: Record<string, unknown>,
    taskId: string,
  ): Promise<void> {
    const start = this.clock.now();
    const deadline = start + this.giveUpMs;
    for (let wait = FIRST_RETRY_MS, tries = 1; ; wait *= 2, tries++) {
      try {
        await this.patch(target.namespace, target.name, status);
        this.log.debug('task status written', { taskId, tries, ms: this.clock.now() - start });
        return;
      } catch (err) {
        this.log.debug('task status not written; trying again', {
          taskId,
          tries,
          error: describeError(err),
        });
        const left = deadline - this.clock.now();
        if (this.stopped || left <= 0) {
          this.log.debug('task status left to the controller', {
            taskId,
            object: `${target.namespace}/${target.name}`,
            error: describeError(err),
          });
          return;
        }
        const asked = err instanceof ThrottledError ? err.retryAfterMs : 0;
        await new Promise<void>((r) =>
          this.clock.setTimer(Math.min(Math.max(wait, asked), left), r),
        );
      }
    }
  }
}
