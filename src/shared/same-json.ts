/**
 * "Write only on a difference" for documents that are stored as JSON (object statuses): a
 * copy read back from a store has lost its undefined fields, and one from kube-apiserver
 * has its keys sorted, so neither text nor a plain deep comparison tells an unchanged
 * status from a changed one.
 */
import { isDeepStrictEqual } from 'node:util';

/** Whether `a` and `b` are the same JSON document: key order and undefined fields aside. */
export function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(asStored(a), asStored(b));
}

// What storing `v` as JSON keeps of it.
function asStored(v: unknown): unknown {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}
