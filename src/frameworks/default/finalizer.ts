/**
 * The finalizer that makes a Task object's delete wait until its task is killed: added
 * before the task is launched, removed once the task has ended (or was never launched).
 */
import * as finalizers from '../../store/finalizers.js';
import type { Store, StoredObject } from '../../store/types.js';

/** Finalizer that holds a Task object's deletion until its task is killed. */
export const TASK_FINALIZER = 'mezzo.dev/kill-task';

/**
 * Adds the finalizer. Resolves false when the object is gone or being deleted: its task
 * must not be launched then.
 */
export function addFinalizer(store: Store, obj: StoredObject): Promise<boolean> {
  return finalizers.addFinalizer(store, obj, TASK_FINALIZER);
}

/** Removes the finalizer, letting a deleted object go. */
export function removeFinalizer(store: Store, obj: StoredObject): Promise<void> {
  return finalizers.removeFinalizer(store, obj, TASK_FINALIZER);
}
