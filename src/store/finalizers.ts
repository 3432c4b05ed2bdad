/**
 * Removing one finalizer from a stored object, with optimistic concurrency: a write that
 * lost a race reads the object again and retries a few times. (Nothing adds one this way
 * any more: the Task mirror makes its objects with its finalizer, and the default
 * framework no longer writes one before a launch.)
 */
import { ConflictError } from '../shared/errors.js';
import type { Store, StoredObject } from './types.js';

const ATTEMPTS = 5;

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
