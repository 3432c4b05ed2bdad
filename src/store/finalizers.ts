/**
 * Adding and removing one finalizer on a stored object, with optimistic concurrency: a
 * write that lost a race reads the object again and retries a few times. Adding writes
 * the copy the caller holds first (a watched copy is usually current), and reads only
 * when that fails.
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
  // First the copy given, without reading it again (one round trip, not two): its
  // resourceVersion makes a stale copy fail — changed, being deleted, deleted, or made
  // again all fail the write — and then the object is read and checked as below.
  const fin = obj.metadata.finalizers ?? [];
  if (
    obj.metadata.resourceVersion !== undefined &&
    !obj.metadata.deletionTimestamp &&
    !fin.includes(finalizer)
  ) {
    try {
      await store.update({
        ...obj,
        metadata: { ...obj.metadata, finalizers: [...fin, finalizer] },
      });
      return true;
    } catch {
      // Stale or gone: the careful path decides.
    }
  }
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

/**
 * Removes `finalizer` from the object (letting a deleted object go). A no-op, without a
 * read, when the given copy does not carry it (callers pass a copy seen after the delete
 * began, and no finalizer can be added to an object being deleted); a no-op too when the
 * stored object no longer does.
 */
export async function removeFinalizer(
  store: Store,
  obj: StoredObject,
  finalizer: string,
): Promise<void> {
  if (!(obj.metadata.finalizers ?? []).includes(finalizer)) return;
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
