/**
 * What the default framework knows of its tasks, in memory: each live task and the Task
 * object it serves (`namespace/name`), the tasks it must kill until they are seen to end
 * (their object was deleted, or never existed), and how many times in a row the
 * controller answered that it does not know a task. Synchronous bookkeeping; the
 * framework feeds it launches and status updates and acts on what it says.
 */
import { randomUUID } from 'node:crypto';
import type { TaskRef } from '../../sdk/reconciliation.js';

/** A task of the default framework that has not ended. */
export interface LiveTask {
  taskId: string;
  /** The Task object it runs for, `namespace/name`. */
  key: string;
  agentId: string;
}

/**
 * A new task ID for a Task object: `namespace.name.uid8-random`, where uid8 is the first
 * group of the object's uid. Namespaces hold no dots, so the object is what lies before
 * the first and the last dot; see {@link objectOfTask}. The uid tells an object deleted
 * and made again under the same name from the one the task was launched for: with no
 * finalizer holding the name, a new object may take it while the old task still runs.
 */
export function newTaskId(namespace: string, name: string, uid?: string): string {
  const tail = randomUUID().slice(0, 8);
  const first = uid?.split('-')[0] ?? '';
  return `${namespace}.${name}.${/^[0-9a-f]{8}$/.test(first) ? `${first}-` : ''}${tail}`;
}

/**
 * The Task object a task ID of this framework names, and the first group of its uid
 * when the ID carries one (IDs made before it did do not), or undefined for another shape.
 */
export function objectOfTask(
  taskId: string,
): { namespace: string; name: string; uid8?: string } | undefined {
  const first = taskId.indexOf('.');
  const last = taskId.lastIndexOf('.');
  if (first <= 0 || last <= first + 1 || last === taskId.length - 1) return undefined;
  const o = { namespace: taskId.slice(0, first), name: taskId.slice(first + 1, last) };
  const uid8 = /^([0-9a-f]{8})-[0-9a-f]{8}$/.exec(taskId.slice(last + 1))?.[1];
  return uid8 ? { ...o, uid8 } : o;
}

/**
 * Whether the object is the one task `taskId` was launched for: its name (the caller
 * found it by that) and, when the ID carries it, its uid.
 */
export function isObjectOfTask(taskId: string, obj: { metadata: { uid?: string } }): boolean {
  const uid8 = objectOfTask(taskId)?.uid8;
  const uid = obj.metadata.uid;
  return uid8 === undefined || uid === undefined || uid.startsWith(`${uid8}-`);
}

/** The default framework's tasks. */
export class TaskBook {
  private readonly live = new Map<string, LiveTask>();
  private readonly byKey = new Map<string, string>();
  private readonly doomed = new Map<string, string>();
  private readonly unknown = new Map<string, number>();
  /** Live tasks per agent, kept with `live` so that spreading never scans every task. */
  private readonly perAgent = new Map<string, number>();

  /** Records a live task (a launch, or one learned from an update or its object). */
  track(t: LiveTask): void {
    const before = this.byKey.get(t.key);
    if (before !== undefined && before !== t.taskId) this.drop(before);
    this.drop(t.taskId);
    this.live.set(t.taskId, t);
    this.perAgent.set(t.agentId, (this.perAgent.get(t.agentId) ?? 0) + 1);
    this.byKey.set(t.key, t.taskId);
  }

  // Removes a task from `live` and its agent's count.
  private drop(taskId: string): void {
    const t = this.live.get(taskId);
    if (!t) return;
    this.live.delete(taskId);
    const n = (this.perAgent.get(t.agentId) ?? 0) - 1;
    if (n > 0) this.perAgent.set(t.agentId, n);
    else this.perAgent.delete(t.agentId);
  }

  /** Forgets a task (it ended, or its launch never happened); returns what it was. */
  forget(taskId: string): LiveTask | undefined {
    const t = this.live.get(taskId);
    this.drop(taskId);
    if (t && this.byKey.get(t.key) === taskId) this.byKey.delete(t.key);
    this.doomed.delete(taskId);
    this.unknown.delete(taskId);
    return t;
  }

  /** The live task with this ID. */
  get(taskId: string): LiveTask | undefined {
    return this.live.get(taskId);
  }

  /** The live task serving the object `key`. */
  taskOf(key: string): LiveTask | undefined {
    const id = this.byKey.get(key);
    return id === undefined ? undefined : this.live.get(id);
  }

  /** Marks a task to be killed until it is seen to end; returns whether it is new. */
  doom(taskId: string, agentId: string): boolean {
    const fresh = !this.doomed.has(taskId);
    this.doomed.set(taskId, agentId);
    return fresh;
  }

  /** Whether the task is to be killed. */
  isDoomed(taskId: string): boolean {
    return this.doomed.has(taskId);
  }

  /** Counts an answer "the controller does not know this task"; returns how many in a row. */
  unknownAnswer(taskId: string): number {
    const n = (this.unknown.get(taskId) ?? 0) + 1;
    this.unknown.set(taskId, n);
    return n;
  }

  /** Any other answer about the task: the unknown streak ends. */
  known(taskId: string): void {
    this.unknown.delete(taskId);
  }

  /** Live tasks on an agent (for spreading). */
  load(agentId: string): number {
    return this.perAgent.get(agentId) ?? 0;
  }

  /** Every task to ask the controller about: live ones and those still to be killed. */
  refs(): TaskRef[] {
    const out = new Map<string, TaskRef>();
    for (const t of this.live.values())
      out.set(t.taskId, { task_id: t.taskId, agent_id: t.agentId });
    for (const [id, agent] of this.doomed) out.set(id, { task_id: id, agent_id: agent });
    return [...out.values()];
  }

  /** How many tasks are live (for tests). */
  get size(): number {
    return this.live.size;
  }
}
