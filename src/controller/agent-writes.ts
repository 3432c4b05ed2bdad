/**
 * Live states an agent writes itself. A task launched for a Task object on an agent that
 * writes its tasks' status (agent.proto's `writes_task_status`, under the controller's
 * `--agent-status-writes`) is granted to that agent's node (task-grants.ts); once the
 * grant is written the agent is told (`status_writes_granted`) and writes RUNNING, and
 * that write, seen through the watch, counts as the mirror's. Meanwhile the mirror leaves
 * the task's live states (STAGING, STARTING, RUNNING) alone. Under a client rate limit
 * that is the one status write a Task cost the controller gone, as a kubelet's write of
 * its pod's status costs kube-scheduler nothing.
 *
 * The mirror writes a live state itself when the agent's write is not seen within
 * {@link AGENT_WRITE_GRACE_MS} of the grant being written, or when the grant is not
 * written within {@link GRANT_WAIT_MS} of the launch (no rights, a slow apiserver, an
 * agent that cannot write): then the Task shows its state as it would without grants,
 * later. A final state is always the mirror's (the admission policy refuses it from an
 * agent).
 */
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { StoredObject } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { GrantFlusher } from './grant-flusher.js';
import type { TaskRecord } from './records.js';
import { grantKey, grantValue, type GrantWriter, type TaskGrants } from './task-grants.js';
import { TASK_OBJECT_UID_LABEL, type ObjectRef } from './task-object.js';

/** How long after its grant is written an agent's write is waited for. */
export const AGENT_WRITE_GRACE_MS = 5_000;
/** How long after a launch its grant's write is waited for. */
export const GRANT_WAIT_MS = 10_000;

const LIVE: ReadonlySet<string> = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/** Which tasks' live states their agents write, and the timers of their graces. */
export class AgentWrites {
  private readonly timers = new Map<string, Timer>();
  /** Grants not yet written, by grant key: whose they are. */
  private readonly unwritten = new Map<string, { taskId: string; agentId: string }>();
  /** When each task's grant was written, by task ID. */
  private readonly grantedAt = new Map<string, number>();
  private readonly flusher: GrantFlusher;
  private readonly grants: TaskGrants;

  constructor(
    private readonly core: ControllerCore,
    writer: GrantWriter,
    private readonly clock: Clock,
    log: Logger,
    private readonly graceMs: number,
    /** Queues the task's sync again (its grace ended). */
    private readonly requeue: (id: string) => void,
  ) {
    this.flusher = new GrantFlusher(writer, clock, log, (keys) => {
      this.written(keys);
    });
    this.grants = this.flusher.grants;
  }

  /** Writes the grant map whole, before the controller's first status write. */
  start(): Promise<void> {
    return this.flusher.start();
  }

  /**
   * At the mirror's first sight of task `t`, just launched: grants it to its agent's node
   * when that agent writes status and the task was launched for an object. Returns
   * whether the agent is to write its live states.
   */
  grant(t: TaskRecord, ref: ObjectRef): boolean {
    if (!ref.launchedFor || t.fromStore || t.adopted || t.status !== undefined) return false;
    const info = this.core.agents.get(t.agentId)?.info;
    const uid = t.info.labels?.[TASK_OBJECT_UID_LABEL];
    if (!info?.writes_task_status || !info.node_name || !uid) return false;
    const value = grantValue(info.node_name, uid, t.id);
    if (!this.grants.grant(ref.namespace, ref.name, value)) return false;
    this.unwritten.set(grantKey(ref.namespace, ref.name), { taskId: t.id, agentId: t.agentId });
    return true;
  }

  /** Grants `keys` were written: tell each agent which of its tasks it may write now. */
  private written(keys: readonly string[]): void {
    const now = this.clock.now();
    const byAgent = new Map<string, string[]>();
    for (const key of keys) {
      const g = this.unwritten.get(key);
      if (!g) continue;
      this.unwritten.delete(key);
      this.grantedAt.set(g.taskId, now);
      let ids = byAgent.get(g.agentId);
      if (!ids) byAgent.set(g.agentId, (ids = []));
      ids.push(g.taskId);
      // The grace now runs from here: the sync is looked at again when it ends.
      this.wake(g.taskId, this.graceMs);
    }
    for (const [agentId, taskIds] of byAgent)
      this.core.agents
        .get(agentId)
        ?.stream?.write({ status_writes_granted: { task_ids: taskIds } });
  }

  /**
   * Whether the mirror's write of task `t` waits for its agent's: a live state, its grant
   * not yet written and launched (`since`) less than {@link GRANT_WAIT_MS} ago, or written
   * less than the grace ago. The sync is queued again when the wait ends.
   */
  holds(t: TaskRecord, since: number): boolean {
    if (!LIVE.has(t.state)) return false;
    const at = this.grantedAt.get(t.id);
    const until = at === undefined ? since + GRANT_WAIT_MS : at + this.graceMs;
    const left = until - this.clock.now();
    if (left <= 0) return false;
    if (!this.timers.has(t.id)) this.wake(t.id, left);
    return true;
  }

  /**
   * Whether `obj` shows task `t`'s state as its agent writes it: the state, the task and
   * the node. (The agent's timestamps and condition are its own; they are not compared.)
   */
  shows(obj: StoredObject, t: TaskRecord): boolean {
    const s = obj.status as { state?: unknown; taskId?: unknown; nodeName?: unknown } | undefined;
    const node = this.core.agents.get(t.agentId)?.info.node_name;
    return s?.state === t.state && s.taskId === t.id && node !== undefined && s.nodeName === node;
  }

  /** The object no longer needs its grant (it shows the node, or the task ended). */
  done(id: string, ref: ObjectRef): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
    this.grantedAt.delete(id);
    this.unwritten.delete(grantKey(ref.namespace, ref.name));
    this.grants.revoke(ref.namespace, ref.name);
  }

  /** Cancels every timer and stops writing grants (the controller is stopping). */
  async stop(): Promise<void> {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    await this.flusher.stop();
  }

  /** Queues task `id`'s sync again in `ms` (instead of any earlier plan). */
  private wake(id: string, ms: number): void {
    this.timers.get(id)?.cancel();
    this.timers.set(
      id,
      this.clock.setTimer(ms, () => {
        this.timers.delete(id);
        this.requeue(id);
      }),
    );
  }
}
