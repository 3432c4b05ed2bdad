/**
 * Final states a restarted controller found on Task objects. The controller keeps only
 * live tasks (and a bounded history of completed ones) in memory, so after a restart it
 * does not hold the tasks that ended before it. A final state made by the controller
 * itself (TASK_GONE, TASK_KILLED of an orphan) is written to its Task object but lives
 * nowhere else: when the controller died before the task's framework was sent it, the
 * framework's reconciliation is the only way left for it to learn — and without this it
 * was answered TASK_UNKNOWN (seen in the soak: "TASK_GONE never reached the framework").
 */
import type { TaskState__Output } from '../gen/mezzo/v1/TaskState.js';

/** What a Task object recorded of an ended task. */
export interface StoredFinal {
  frameworkId: string;
  agentId: string;
  state: TaskState__Output;
  message: string;
}

/** A bounded map from task ID to its final state as found in the store; oldest out first. */
export class StoredFinals {
  private readonly finals = new Map<string, StoredFinal>();

  /** @param limit - most final states kept (a Map keeps insertion order: the oldest go). */
  constructor(private readonly limit: number) {}

  /** Notes a task's final state read from its Task object. */
  note(taskId: string, final: StoredFinal): void {
    this.finals.delete(taskId);
    this.finals.set(taskId, final);
    while (this.finals.size > this.limit) {
      const oldest = this.finals.keys().next();
      if (oldest.done === true) break;
      this.finals.delete(oldest.value);
    }
  }

  /** The final state recorded for the task, if the store had one. */
  get(taskId: string): StoredFinal | undefined {
    return this.finals.get(taskId);
  }

  /** How many are kept. */
  get size(): number {
    return this.finals.size;
  }
}
