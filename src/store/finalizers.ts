/**
 * Adding and removing one finalizer on a stored object, with optimistic concurrency: a
 * write that lost a race reads the object again and retries a few times.
 */
import { ConflictError } from '../shared/errors.js';
import type { Store, StoredObject } from './types.js';

const ATTEMPTS = 5;

/**
 * Adds `finalizer` to the object. Resolves false when the object is gone, being deleted,
 * or was deleted and made again (another uid): whatever the finalizer guards must not
 * start then.
 */
export async function addFinalizer(
  store: Store,
  obj: StoredObject,
  finalizer: string,
): Promise<boolean> {
  for (let i = 0; ; i++) {
    const cur = await store.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
    if (!cur || cur.metadata.deletionTimestamp) return false;
    if (
      cur.metadata.uid !== undefined &&
      obj.metadata.uid !== undefined &&
      cur.metadata.uid !== obj.metadata.uid
    )
      return false;
    if ((cur.metadata.finalizers ?? []).includes(finalizer)) return true;
    cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), finalizer];
    try {
      await store.update(cur);
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= ATTEMPTS - 1) throw err;
    }
  }
}

/** Removes `finalizer` from the object (letting a deleted object go); a no-op when absent. */
export async function removeFinalizer(
  store: Store,
  obj: StoredObject,
  finalizer: string,
): Promise<void> {
  for (let i = 0; ; i++) {
    const cur = await store.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
    if (!cur || !(cur.metadata.finalizers ?? []).includes(finalizer)) return;
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await store.update(cur);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= ATTEMPTS - 1) throw err;
    }
  }
}
