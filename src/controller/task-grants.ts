/**
 * The grants that let agents write their own tasks' live status (agent.proto's
 * `writes_task_status`): one TaskGrants object, {@link GRANTS_OBJECT} in the controller's
 * namespace, mapping each granted Task (`<namespace>.<name>`) to `<node> <uid> <taskId>`.
 * The chart's ValidatingAdmissionPolicy (charts/mezzo/templates/agent-task-status-policy.yaml)
 * admits an agent's first status write to a Task only where its grant names the agent's
 * node. A grant map and not a field on each Task: a field would be one more limited write
 * per Task, the very write this takes off the controller's client (docs/performance.md).
 * One map in the controller's namespace, not one per Task namespace: only those who may
 * change the controller's own objects can forge a grant, and the policy's parameter always
 * exists (the apiserver looks it up before it checks who is writing, so a missing one
 * refuses every Task status write, the controller's too: the controller makes it before
 * its first write, and again should it go).
 */

import { MezzoError } from '../shared/errors.js';

/** The name of the TaskGrants object in the controller's namespace. */
export const GRANTS_OBJECT = 'mezzo-task-grants';

/**
 * Grants held at most: an object holds about 1.5 MiB (etcd's request limit), and an entry (a namespace and Task name, a
 * node name, a uid and a task ID) is up to about 100 bytes. Grants live only from a
 * launch until its agent's write is seen; a task past the bound has its status written
 * by the controller, as without grants.
 */
export const MAX_GRANTS = 10_000;

/** Writes the grant map (creating it when missing). */
export interface GrantWriter {
  /**
   * Sets each entry (a string) or removes it (null). With `replace`, the map becomes
   * exactly the entries given: a new leader's first write drops grants its predecessor
   * left behind.
   */
  write(entries: Readonly<Record<string, string | null>>, replace: boolean): Promise<void>;
}

/** The grant map was not there for a write of changes only: the next write must be whole. */
export class GrantMapMissingError extends MezzoError {
  constructor(namespace: string) {
    super('NOT_FOUND', `the task grant map ${namespace}/${GRANTS_OBJECT} is missing`, {
      namespace,
    });
  }
}

/** The key of Task `name` in `namespace`: a namespace has no dot, so the first one splits. */
export function grantKey(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

/** The grant of a Task to `node`: the value the admission policy compares. */
export function grantValue(node: string, uid: string, taskId: string): string {
  return `${node} ${uid} ${taskId}`;
}

/** The grants the controller wants in place, and what its map lacks of them. */
export class TaskGrants {
  /** What the map should hold. */
  private readonly wanted = new Map<string, string>();
  /** Keys changed since the last write. */
  private dirty = new Set<string>();
  /** The next write replaces the whole map (the first, and after {@link TaskGrants.resync}). */
  private replace = true;

  constructor(
    private readonly writer: GrantWriter,
    /** Asks for a {@link TaskGrants.flush} soon (the controller's grant writer loop). */
    private readonly kick: () => void,
    private readonly max = MAX_GRANTS,
  ) {}

  /** Grants Task `name` of `namespace` as `value`; false at the bound. */
  grant(namespace: string, name: string, value: string): boolean {
    const key = grantKey(namespace, name);
    if (this.wanted.get(key) === value) return true;
    if (!this.wanted.has(key) && this.wanted.size >= this.max) return false;
    this.wanted.set(key, value);
    this.mark(key);
    return true;
  }

  /** Takes back Task `name`'s grant (a no-op when it has none). */
  revoke(namespace: string, name: string): void {
    const key = grantKey(namespace, name);
    if (this.wanted.delete(key)) this.mark(key);
  }

  /** Grants held. */
  get size(): number {
    return this.wanted.size;
  }

  /** Whether a write is due. */
  get pending(): boolean {
    return this.replace || this.dirty.size > 0;
  }

  /** The next write rewrites the whole map (and makes it again, should it be gone). */
  resync(): void {
    this.replace = true;
    this.kick();
  }

  /**
   * Writes what changed since the last write, in one request; resolves with the keys it
   * granted (set, not removed). A failed write keeps its changes for the next.
   */
  async flush(): Promise<string[]> {
    if (!this.pending) return [];
    const keys = this.dirty;
    const replace = this.replace;
    this.dirty = new Set();
    this.replace = false;
    const entries = replace
      ? Object.fromEntries(this.wanted)
      : Object.fromEntries([...keys].map((k) => [k, this.wanted.get(k) ?? null]));
    try {
      await this.writer.write(entries, replace);
    } catch (err) {
      for (const k of keys) this.dirty.add(k);
      // Made again, the map must hold every grant, not only these changes.
      this.replace ||= replace || err instanceof GrantMapMissingError;
      throw err;
    }
    return Object.keys(entries).filter((k) => entries[k] !== null && entries[k] !== undefined);
  }

  private mark(key: string): void {
    this.dirty.add(key);
    this.kick();
  }
}
