/**
 * The finalizer that made a Task object's delete wait until its task was killed. It is no
 * longer added: a launch writes nothing to the store (docs/performance.md, "Requests per
 * task"), and a deleted object's task is killed from the watch or, after a restart, by
 * the framework's reconciliation and the controller's Task mirror finding no object of
 * the task's uid. Objects placed by an earlier Mezzo still carry it, and it is removed
 * from them once their task has ended.
 */
import * as finalizers from '../../store/finalizers.js';
import type { Store, StoredObject } from '../../store/types.js';

/** Finalizer an earlier Mezzo put on Task objects before launching their tasks. */
export const TASK_FINALIZER = 'mezzo.dev/kill-task';

/** Removes the finalizer, letting a deleted object go (a no-op when it is not there). */
export function removeFinalizer(store: Store, obj: StoredObject): Promise<void> {
  return finalizers.removeFinalizer(store, obj, TASK_FINALIZER);
}
