/**
 * The embedded store behind `mezzo dev`: every object in memory, persisted as a snapshot
 * and an append-only log of the changes after it (store-files.ts), so a crash leaves the
 * last durable change. Writes are serialized, and the changes made during one write share
 * the next (group commit); watchers are called synchronously after each committed change.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { InvalidObjectError } from '../api/invalid-object.js';
import { validateObject } from '../api/validate.js';
import type { Clock } from '../shared/clock.js';
import { objectKey, type Kind, type Store, type StoredObject, type WatchEvent } from './types.js';
import { StoreFiles, type LogRecord } from './store-files.js';

function storeKey(kind: Kind, name: string, namespace?: string): string {
  return `${kind}:${namespace ?? ''}/${name}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/**
 * Refuses an object the apiserver would refuse, whoever writes it (apply, the
 * controller, a framework): the CRDs' schema and rules, with `old` for an update. Unknown
 * fields pass, as they do for programs on the apiserver (only kubectl is strict).
 */
function assertValid(obj: StoredObject, old?: StoredObject): void {
  const v = validateObject(obj, old, { strict: false });
  if (!v.ok) throw new InvalidObjectError(obj.kind, obj.metadata.name, v.errors);
}

/** A file-backed store. */
export class EmbeddedStore implements Store {
  private readonly objects = new Map<string, StoredObject>();
  private rv = 0;
  private readonly watchers = new Map<Kind, Set<(e: WatchEvent) => void>>();
  private writing: Promise<void> = Promise.resolve();
  /** The write not yet started, that changes made now join. */
  private nextFlush: Promise<void> | undefined;
  private writes = 0;
  private readonly files: StoreFiles;
  /** Changes not yet handed to a write, newest per key. */
  private pending = new Map<string, LogRecord>();

  /**
   * @param file - the snapshot file (its log is `<file>.log`); created with its directory
   *   when missing
   * @param options - `validate: false` admits objects the CRDs' rules refuse, as a cluster
   *   holds objects admitted under an earlier Mezzo's looser rules; only tests of the
   *   frameworks' own defenses against such objects turn it off; `logCompactMinBytes`
   *   is the log's size below which no snapshot is written (tests make it small)
   */
  constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly options: { validate?: boolean; logCompactMinBytes?: number } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.files = new StoreFiles(file, options.logCompactMinBytes);
    const loaded = this.files.load((o) => storeKey(o.kind, o.metadata.name, o.metadata.namespace));
    this.rv = loaded.rv;
    for (const [k, o] of loaded.objects) this.objects.set(k, o);
  }

  list(kind: Kind): Promise<StoredObject[]> {
    return Promise.resolve([...this.objects.values()].filter((o) => o.kind === kind).map(clone));
  }

  get(kind: Kind, name: string, namespace?: string): Promise<StoredObject | undefined> {
    const o = this.objects.get(storeKey(kind, name, namespace));
    return Promise.resolve(o ? clone(o) : undefined);
  }

  async create(obj: StoredObject): Promise<StoredObject> {
    const key = storeKey(obj.kind, obj.metadata.name, obj.metadata.namespace);
    if (this.objects.has(key)) throw new ConflictError(obj.kind, objectKey(obj), 'already exists');
    if (this.options.validate !== false) assertValid(obj);
    const stored: StoredObject = clone(obj);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      resourceVersion: String(++this.rv),
      generation: 1,
      creationTimestamp: new Date(this.clock.now()).toISOString(),
    };
    this.objects.set(key, stored);
    this.record(key, stored);
    await this.commit({ type: 'ADDED', object: stored });
    return clone(stored);
  }

  async update(obj: StoredObject): Promise<StoredObject> {
    const key = storeKey(obj.kind, obj.metadata.name, obj.metadata.namespace);
    const cur = this.objects.get(key);
    if (!cur) throw new NotFoundError(obj.kind, objectKey(obj));
    if (
      obj.metadata.resourceVersion !== undefined &&
      obj.metadata.resourceVersion !== cur.metadata.resourceVersion
    ) {
      throw new ConflictError(obj.kind, objectKey(obj));
    }
    if (this.options.validate !== false) assertValid(obj, cur);
    const specChanged = JSON.stringify(cur.spec) !== JSON.stringify(obj.spec);
    const next: StoredObject = {
      ...clone(obj),
      status: cur.status,
      metadata: {
        ...clone(obj.metadata),
        uid: cur.metadata.uid,
        creationTimestamp: cur.metadata.creationTimestamp,
        deletionTimestamp: cur.metadata.deletionTimestamp,
        generation: (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0),
        resourceVersion: String(++this.rv),
      },
    };
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(key);
      this.record(key, undefined);
      await this.commit({ type: 'DELETED', object: next });
      return clone(next);
    }
    this.objects.set(key, next);
    this.record(key, next);
    await this.commit({ type: 'MODIFIED', object: next });
    return clone(next);
  }

  async updateStatus(
    kind: Kind,
    name: string,
    namespace: string | undefined,
    status: unknown,
  ): Promise<StoredObject> {
    const key = storeKey(kind, name, namespace);
    const cur = this.objects.get(key);
    if (!cur) throw new NotFoundError(kind, namespace ? `${namespace}/${name}` : name);
    if (JSON.stringify(cur.status) === JSON.stringify(status)) return clone(cur);
    const next: StoredObject = {
      ...cur,
      status: clone(status) as Record<string, unknown>,
      metadata: { ...cur.metadata, resourceVersion: String(++this.rv) },
    };
    this.objects.set(key, next);
    this.record(key, next);
    await this.commit({ type: 'MODIFIED', object: next });
    return clone(next);
  }

  async delete(kind: Kind, name: string, namespace?: string): Promise<void> {
    const key = storeKey(kind, name, namespace);
    const cur = this.objects.get(key);
    if (!cur) return;
    // As in Kubernetes: finalizers turn a delete into a mark; the last one removed deletes.
    if ((cur.metadata.finalizers ?? []).length > 0) {
      if (cur.metadata.deletionTimestamp) return;
      const marked: StoredObject = {
        ...cur,
        metadata: {
          ...cur.metadata,
          deletionTimestamp: new Date(this.clock.now()).toISOString(),
          resourceVersion: String(++this.rv),
        },
      };
      this.objects.set(key, marked);
      this.record(key, marked);
      await this.commit({ type: 'MODIFIED', object: marked });
      return;
    }
    this.objects.delete(key);
    this.rv++;
    this.record(key, undefined);
    await this.commit({ type: 'DELETED', object: cur });
  }

  watch(kind: Kind, handler: (e: WatchEvent) => void): () => void {
    const set = this.watchers.get(kind) ?? new Set();
    this.watchers.set(kind, set);
    for (const o of this.objects.values())
      if (o.kind === kind) handler({ type: 'ADDED', object: clone(o) });
    set.add(handler);
    return () => set.delete(handler);
  }

  /** How many writes (appends or snapshots) were made; each holds every change before it. */
  get fileWrites(): number {
    return this.writes;
  }

  async close(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.files.close();
  }

  /** Notes a change (the object as stored, or undefined once removed) for the next write. */
  private record(key: string, object: StoredObject | undefined): void {
    this.pending.set(key, object ? { rv: this.rv, key, object } : { rv: this.rv, key });
  }

  private async commit(event: WatchEvent): Promise<void> {
    await this.flush();
    for (const h of this.watchers.get(event.object.kind) ?? [])
      h({ type: event.type, object: clone(event.object) });
  }

  /**
   * Resolves once a write that holds every change made so far is durable. Group commit:
   * the changes made while one write is in flight share the next, which takes them when
   * it starts: an append of those changes, or a snapshot of the whole store once the log
   * has outgrown the last one. (One whole-store write per change made a burst quadratic.)
   */
  private flush(): Promise<void> {
    if (this.nextFlush) return this.nextFlush;
    const next = this.writing
      .catch(() => undefined)
      .then(() => {
        this.nextFlush = undefined;
        this.writes++;
        const batch = [...this.pending.values()];
        this.pending = new Map();
        if (!this.files.snapshotDue) return this.files.append(batch);
        return this.files.snapshot({
          resourceVersion: this.rv,
          objects: [...this.objects.values()],
        });
      });
    this.nextFlush = next;
    this.writing = next;
    return next;
  }
}
