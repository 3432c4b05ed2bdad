/**
 * The store the controller reads and writes its objects through. Objects have Kubernetes
 * shapes (apiVersion, kind, metadata with resourceVersion, spec, status) and the store
 * has Kubernetes semantics — optimistic concurrency on resourceVersion, status written
 * separately from spec, watches that replay the current state first — so that code above
 * this interface runs unchanged on the embedded store (`mezzo dev`) and on the
 * Kubernetes one (CRDs).
 */

/** The kinds Mezzo stores. */
export type Kind = 'Framework' | 'Task' | 'Role' | 'Agent' | 'App' | 'Schedule';

/** Metadata, the subset of ObjectMeta Mezzo uses. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }[];
}

/** A stored object. */
export interface StoredObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> {
  apiVersion: string;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** A change seen by a watch. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
}

/**
 * The store. Every method may reject with ConflictError or NotFoundError; create and
 * update reject an object the CRDs' schema and rules refuse with InvalidObjectError
 * (src/api/invalid-object.ts), as the apiserver answers 422.
 */
export interface Store {
  list(kind: Kind): Promise<StoredObject[]>;
  get(kind: Kind, name: string, namespace?: string): Promise<StoredObject | undefined>;
  /** Creates; rejects with ConflictError when the name is taken. */
  create(obj: StoredObject): Promise<StoredObject>;
  /** Replaces spec and metadata; rejects with ConflictError on a stale resourceVersion. */
  update(obj: StoredObject): Promise<StoredObject>;
  /** Replaces status only; spec and metadata are kept. No write when nothing changed. */
  updateStatus(
    kind: Kind,
    name: string,
    namespace: string | undefined,
    status: unknown,
  ): Promise<StoredObject>;
  /** Deletes; absent objects are not an error. */
  delete(kind: Kind, name: string, namespace?: string): Promise<void>;
  /**
   * The newest copy of an object this store holds without a round trip (its watch cache
   * or its own last write), or undefined. It may be stale: a caller acts on it only to
   * skip a read, and confirms with {@link Store.get} anything it would act on otherwise.
   */
  peek?(kind: Kind, name: string, namespace?: string): StoredObject | undefined;
  /**
   * Runs `write` once the store may send its next request (its client's rate limit; at
   * once without one), its first request paid for: what `write` builds then is the
   * newest, where a write built first and then queued for its turn may be stale by then.
   */
  paced?<T>(write: () => Promise<T>): Promise<T>;
  /** Calls `handler` with ADDED for every current object, then with every change. */
  watch(kind: Kind, handler: (e: WatchEvent) => void): () => void;
  close(): Promise<void>;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the work-queue key. */
export function objectKey(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name}`
    : obj.metadata.name;
}

/** The API version every Mezzo kind is served at. */
export const API_VERSION = 'mezzo.dev/v1alpha1';
