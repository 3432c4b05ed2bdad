/**
 * The finalizer that makes a Task object's delete wait until its task is killed: added
 * before the task is launched, removed once the task has ended (or was never launched).
 * Optimistic concurrency: a write that lost a race reads again and retries a few times.
 * Adding writes the copy the framework last watched first, and reads only when that fails.
 */
import { ConflictError } from '../../shared/errors.js';
import type { Store, StoredObject } from '../../store/types.js';

/** Finalizer that holds a Task object's deletion until its task is killed. */
export const TASK_FINALIZER = 'mezzo.dev/kill-task';

const ATTEMPTS = 5;

/**
 * Adds the finalizer. Resolves false when the object is gone or being deleted: its task
 * must not be launched then.
 */
export async function addFinalizer(store: Store, obj: StoredObject): Promise<boolean> {
  // First the copy last watched, without reading it again (one round trip, not two): its
  // resourceVersion makes a stale copy fail — changed, being deleted, deleted, or made
  // again all fail the write — and then the object is read and checked as below.
  const fin = obj.metadata.finalizers ?? [];
  if (
    obj.metadata.resourceVersion !== undefined &&
    !obj.metadata.deletionTimestamp &&
    !fin.includes(TASK_FINALIZER)
  ) {
    try {
      await store.update({
        ...obj,
        metadata: { ...obj.metadata, finalizers: [...fin, TASK_FINALIZER] },
      });
      return true;
    } catch {
      // Stale or gone: the careful path decides.
    }
  }
  for (let i = 0; ; i++) {
    const cur = await store.get('Task', obj.metadata.name, obj.metadata.namespace);
    if (!cur || cur.metadata.deletionTimestamp) return false;
    if (
      cur.metadata.uid !== undefined &&
      obj.metadata.uid !== undefined &&
      cur.metadata.uid !== obj.metadata.uid
    )
      return false; // deleted and made again: the new object is served on its own
    if ((cur.metadata.finalizers ?? []).includes(TASK_FINALIZER)) return true;
    cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), TASK_FINALIZER];
    try {
      await store.update(cur);
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= ATTEMPTS - 1) throw err;
    }
  }
}

/** Removes the finalizer, letting a deleted object go. */
export async function removeFinalizer(store: Store, obj: StoredObject): Promise<void> {
  if (!(obj.metadata.finalizers ?? []).includes(TASK_FINALIZER)) return;
  for (let i = 0; ; i++) {
    const cur = await store.get('Task', obj.metadata.name, obj.metadata.namespace);
    if (!cur || !(cur.metadata.finalizers ?? []).includes(TASK_FINALIZER)) return;
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== TASK_FINALIZER);
    try {
      await store.update(cur);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= ATTEMPTS - 1) throw err;
    }
  }
}
