/**
 * The Task mirror: each task's status written onto its Task object, and the rule that a
 * delete always wins. A task has an object in one of two ways:
 *  - it was launched for one (a Task applied with kubectl and placed by the default
 *    framework): its TaskInfo names the object in the {@link TASK_OBJECT_LABEL} label;
 *  - it was launched through an offer by any other framework: the mirror creates an
 *    object for it, named by the task ID, with the {@link TASK_MIRROR_FINALIZER}.
 * The finalizer is what lets a restarted controller tell "deleted" from "never written":
 * a delete only marks such an object until the mirror has killed its task and written
 * its final state, so an object that is missing was never made — its controller died
 * between the launch and the first write — and the mirror makes it for a task its agent
 * reports. A missing object of a task launched for one (or one of its name with another
 * uid than its {@link TASK_OBJECT_UID_LABEL} names), or of one recovered from the
 * store, was deleted: that task has no owner to show it any more, and the mirror kills
 * it. Deleting (or starting to delete) an object kills its task at once.
 */
import type { Logger } from '../shared/logger.js';
import { NotFoundError } from '../shared/errors.js';
import type { Clock, Timer } from '../shared/clock.js';
import { setCondition, type Condition } from '../kube/conditions.js';
import { isValidLabel, validLabels } from '../kube/labels.js';
import { removeFinalizer } from '../store/finalizers.js';
import { API_VERSION, objectKey, type Store, type StoredObject } from '../store/types.js';
import type { ControllerCore } from './core.js';
import {
  isTerminal,
  LAUNCHED_ON_ANNOTATION,
  TASK_OBJECT_LABEL,
  type TaskRecord,
} from './records.js';
import type { RecordEvent } from './record-event.js';

/** Label naming the task ID on a Task object. */
export const TASK_ID_LABEL = 'mezzo.dev/task-id';
/** Label on a task's TaskInfo naming the Task object (`namespace/name`) it was launched for. */
export { TASK_OBJECT_LABEL };
/**
 * Label on a task's TaskInfo naming the uid of the Task object it was launched for: an
 * object made again under the same name (nothing holds the name while the task runs) is
 * another object, never shown the old task's status, and the old task is killed.
 */
export const TASK_OBJECT_UID_LABEL = 'mezzo.dev/task-object-uid';
/** Finalizer on the objects the mirror makes: a delete waits until the task has ended. */
export const TASK_MIRROR_FINALIZER = 'mezzo.dev/task-mirror';

const FAILED_STATES: ReadonlySet<string> = new Set([
  'TASK_FAILED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
]);

/** TASK_RUNNING → Running: the CamelCase reason a condition carries. */
function stateReason(state: string): string {
  return state
    .replace(/^TASK_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase());
}

/** What the mirror needs from the controller. */
export interface TaskMirrorDeps {
  core: ControllerCore;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Namespace of the objects created for tasks launched through offers. */
  namespace: string;
  recordEvent?: RecordEvent;
  /** Queues `key` for {@link TaskMirror.release} on the controller's work queue. */
  queueRelease: (key: string) => void;
}

/** Where a task's object is, and whether the task was launched for it. */
interface ObjectRef {
  namespace: string;
  name: string;
  /** True when the task was launched for an existing object (never created here). */
  launchedFor: boolean;
}

/** What the mirror knows of one task. */
interface Entry {
  ref: ObjectRef;
  /** `namespace/name` of its object. */
  key: string;
  /**
   * new: seen launched through an offer here, its object is made on the first sync;
   * mirrored: its object exists or existed (made here, launched for one, or rebuilt
   * after a restart), so a missing object was deleted;
   * unmirrored: its object's name belongs to another task's object, so it has none.
   */
  phase: 'new' | 'mirrored' | 'unmirrored';
  /** The uid of the object made for it here. */
  createdUid?: string;
  /** Killed because its object is gone (a kill is sent once). */
  killed: boolean;
}

/** Mirrors tasks onto Task objects; kills tasks whose object is gone. */
export class TaskMirror {
  private readonly entries = new Map<string, Entry>();
  /** Task IDs by object key, to find the task of a deleted object. */
  private readonly byObject = new Map<string, Set<string>>();
  /** Release checks put off until the restart's recovery window closes. */
  private readonly deferred = new Map<string, Timer>();

  constructor(private readonly d: TaskMirrorDeps) {}

  /**
   * Called synchronously on every task change, before the store write is queued. A task
   * first seen without any status was just launched through an offer (the core reports
   * the launch before anything else); one first seen with a status was rebuilt from an
   * agent's report and had its object made before.
   */
  noteChanged(t: TaskRecord): void {
    if (!this.entries.has(t.id)) this.note(t);
  }

  /**
   * A Task object changed: when it is deleted, or being deleted (a finalizer holds it),
   * its tasks are killed now, whoever owns them; a marked object of the mirror's is let
   * go once no live task is left to show on it.
   */
  onObject(obj: StoredObject, deleted: boolean): void {
    if (!deleted && !obj.metadata.deletionTimestamp) return;
    for (const id of this.taskIdsOf(obj)) {
      const t = this.d.core.tasks.get(id);
      // A task rebuilt from the store has no entry until it changes: its object's mark
      // (replayed when the controller starts watching) must still kill it.
      const e = this.entries.get(id) ?? (t ? this.note(t) : undefined);
      if (t && e && e.phase !== 'unmirrored' && this.isTaskOf(obj, t, e)) {
        this.orphan(t, e, 'its Task object was deleted');
      }
    }
    if (!deleted && (obj.metadata.finalizers ?? []).includes(TASK_MIRROR_FINALIZER))
      this.d.queueRelease(objectKey(obj));
  }

  /**
   * Removes the mirror's finalizer from the marked object `key` (`namespace/name`) when
   * none of its tasks is live. While a restarted controller still waits for agents, a
   * task it has not heard of yet may be running: the check waits for the window to close.
   */
  async release(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const obj = await this.d.store.get('Task', key.slice(slash + 1), key.slice(0, slash));
    if (!obj?.metadata.deletionTimestamp) return;
    if (!(obj.metadata.finalizers ?? []).includes(TASK_MIRROR_FINALIZER)) return;
    const live = [...this.taskIdsOf(obj)].some((id) => {
      const t = this.d.core.tasks.get(id);
      return t !== undefined && !isTerminal(t.state);
    });
    if (live) return; // its final state's write lets it go (mirror())
    const recovery = this.d.core.recovery;
    if (recovery.waitingFor()) {
      if (!this.deferred.has(key)) {
        const wait = Math.max(0, recovery.closesAt - this.d.clock.now()) + 1;
        this.deferred.set(
          key,
          this.d.clock.setTimer(wait, () => {
            this.deferred.delete(key);
            this.d.queueRelease(key);
          }),
        );
      }
      return;
    }
    await removeFinalizer(this.d.store, obj, TASK_MIRROR_FINALIZER);
  }

  /** Cancels the release checks put off (the controller is stopping). */
  stop(): void {
    for (const timer of this.deferred.values()) timer.cancel();
    this.deferred.clear();
  }

  /**
   * Writes task `id`'s status onto its object (creating it once), or kills an orphan.
   * The write waits for the store's turn (its rate limit) before it reads the task, so
   * it carries the newest state: a task that went STAGING → RUNNING while its write
   * waited is written once, RUNNING. The work queue holds each task once however often
   * it changes, and a change during a write brings it back for one more, so the final
   * state is always the last written; a version already written costs nothing.
   */
  async sync(id: string): Promise<void> {
    const before = this.d.core.tasks.get(id);
    if (before && before.version !== undefined && before.mirrored === before.version) return;
    const paced = this.d.store.paced?.bind(this.d.store);
    const write = async (): Promise<void> => {
      const t = this.d.core.tasks.get(id);
      if (!t) {
        this.forget(id);
        return;
      }
      // The core keeps a finished task in memory until its final state is written.
      const version = t.version;
      const e = this.entries.get(id) ?? this.note(t);
      if (e.phase !== 'unmirrored') await this.mirror(t, e);
      this.d.core.taskWritten(t, version);
      if (isTerminal(t.state)) this.forget(id);
    };
    await (paced && before ? paced(write) : write());
  }

  private async mirror(t: TaskRecord, e: Entry): Promise<void> {
    const { ref } = e;
    const store = this.d.store;
    // The store's copy saves a read when it shows this task's live object; anything
    // else (none, another task's, being deleted) is read again before it is acted on.
    const known = store.peek?.('Task', ref.name, ref.namespace);
    let obj =
      known && !known.metadata.deletionTimestamp && this.isTaskOf(known, t, e)
        ? known
        : await store.get('Task', ref.name, ref.namespace);
    if (obj && !this.isTaskOf(obj, t, e)) {
      if (e.phase === 'new') {
        // Its name is another task's object (or a Task a user applied): leave that alone.
        e.phase = 'unmirrored';
        this.d.log.warn('a task launched through an offer has no Task object: its name is taken', {
          taskId: t.id,
          object: e.key,
        });
        return;
      }
      obj = undefined;
    }
    if (!obj && e.phase === 'new') {
      const owner = await store.get('Framework', t.frameworkId, ref.namespace);
      obj = await store.create(this.newObject(t, ref, owner?.metadata.uid));
      e.createdUid = obj.metadata.uid;
    }
    e.phase = 'mirrored';
    if (!obj) {
      this.orphan(t, e, `its Task object ${e.key} is gone`);
      return;
    }
    if (obj.metadata.deletionTimestamp) this.orphan(t, e, 'its Task object is being deleted');
    try {
      await this.writeStatus(t, obj);
    } catch (err) {
      // Deleted since it was read: as if it had been gone (retrying would fail for ever,
      // and the agent's update waits for this write to be acknowledged).
      if (!(err instanceof NotFoundError)) throw err;
      this.orphan(t, e, `its Task object ${e.key} is gone`);
      return;
    }
    // The final state is on the object: a delete that waited for it may now complete.
    if (obj.metadata.deletionTimestamp && isTerminal(t.state))
      await removeFinalizer(this.d.store, obj, TASK_MIRROR_FINALIZER);
  }

  private note(t: TaskRecord): Entry {
    const ref = this.objectOf(t);
    const key = `${ref.namespace}/${ref.name}`;
    // Seen launched here (no status yet), or adopted from an agent's report: either way
    // its object may not exist yet, and a missing one was never made (the finalizer).
    const fresh = !ref.launchedFor && (t.status === undefined || t.adopted === true);
    const e: Entry = { ref, key, phase: fresh ? 'new' : 'mirrored', killed: false };
    this.entries.set(t.id, e);
    let ids = this.byObject.get(key);
    if (!ids) this.byObject.set(key, (ids = new Set()));
    ids.add(t.id);
    return e;
  }

  /** The task IDs an object names or the mirror knows it by. */
  private taskIdsOf(obj: StoredObject): Set<string> {
    const ids = new Set(this.byObject.get(objectKey(obj)) ?? []);
    const status = obj.status as { taskId?: unknown } | undefined;
    if (typeof status?.taskId === 'string') ids.add(status.taskId);
    const labelled = obj.metadata.labels?.[TASK_ID_LABEL];
    if (labelled) ids.add(labelled);
    return ids;
  }

  /**
   * Whether the object is task `t`'s: for a task launched for an object, unless it shows
   * another task or is another object of the same name (its uid); for one launched through an offer, the object made for it (its uid, its
   * task-ID label, or its status naming it).
   */
  private isTaskOf(obj: StoredObject, t: TaskRecord, e: Entry): boolean {
    const status = obj.status as { taskId?: unknown } | undefined;
    const shown = typeof status?.taskId === 'string' ? status.taskId : undefined;
    const labelled = obj.metadata.labels?.[TASK_ID_LABEL];
    if (e.ref.launchedFor) {
      const uid = t.info.labels?.[TASK_OBJECT_UID_LABEL];
      if (uid !== undefined && obj.metadata.uid !== undefined && obj.metadata.uid !== uid)
        return false;
      return (shown ?? t.id) === t.id && (labelled ?? t.id) === t.id;
    }
    return (
      (e.createdUid !== undefined && obj.metadata.uid === e.createdUid) ||
      shown === t.id ||
      labelled === t.id
    );
  }

  /** Kills a live task that no object shows any more (once). */
  private orphan(t: TaskRecord, e: Entry, why: string): void {
    if (isTerminal(t.state) || e.killed) return;
    e.killed = true;
    this.d.log.info('killing a task whose Task object is gone', {
      taskId: t.id,
      frameworkId: t.frameworkId,
      why,
    });
    this.d.core.killTask(t);
  }

  private forget(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    const ids = this.byObject.get(e.key);
    ids?.delete(id);
    if (ids?.size === 0) this.byObject.delete(e.key);
  }

  private objectOf(t: TaskRecord): ObjectRef {
    return taskObjectOf(t, this.d.namespace);
  }

  /** The object for a task launched through an offer, owned by its framework's object. */
  private newObject(t: TaskRecord, ref: ObjectRef, ownerUid: string | undefined): StoredObject {
    return {
      apiVersion: API_VERSION,
      kind: 'Task',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        finalizers: [TASK_MIRROR_FINALIZER],
        // The framework's labels where Kubernetes accepts them, for `kubectl get -l`.
        labels: {
          ...validLabels(t.info.labels ?? {}),
          ...(isValidLabel(TASK_ID_LABEL, t.id) ? { [TASK_ID_LABEL]: t.id } : {}),
        },
        annotations: { [LAUNCHED_ON_ANNOTATION]: t.agentId },
        ...(ownerUid
          ? {
              ownerReferences: [
                {
                  apiVersion: API_VERSION,
                  kind: 'Framework',
                  name: t.frameworkId,
                  uid: ownerUid,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: {
        framework: t.frameworkId,
        command: t.info.command?.value ?? '',
        resources: Object.fromEntries(
          [...t.resources.quantities()].map(([k, v]) => [
            k,
            k === 'mem' || k === 'disk' ? `${v / 1000}Mi` : v / 1000,
          ]),
        ),
      },
    };
  }

  private async writeStatus(t: TaskRecord, obj: StoredObject): Promise<void> {
    const { name, namespace: ns } = obj.metadata;
    const s = t.status;
    const prev = obj.status ?? {};
    const agent = this.d.core.agents.get(t.agentId);
    const now = new Date(this.d.clock.now()).toISOString();
    const status: Record<string, unknown> = {
      ...prev,
      state: t.state,
      frameworkId: t.frameworkId,
      taskId: t.id,
      agentId: t.agentId,
      hostname: agent?.info.hostname,
      nodeName: agent?.info.node_name || undefined,
      reason: s?.reason && s.reason !== 'REASON_UNSPECIFIED' ? s.reason : undefined,
      message: s?.message || undefined,
      ...(s?.exit === 'exit_code' ? { exitCode: s.exit_code } : {}),
      ...(s?.health === 'healthy' ? { healthy: s.healthy } : {}),
    };
    // Conditions without churn: the transition time moves only when the status flips.
    status.conditions = setCondition(
      prev.conditions as Condition[] | undefined,
      {
        type: 'Running',
        status: t.state === 'TASK_RUNNING' ? 'True' : 'False',
        reason: stateReason(t.state),
        message: s?.message ?? '',
      },
      this.d.clock.now(),
    ).conditions;
    if (t.state === 'TASK_RUNNING' && !prev.startTime) status.startTime = now;
    if (isTerminal(t.state) && !prev.finishTime) status.finishTime = now;
    const defined = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
    await this.d.store.updateStatus('Task', name, ns, defined);
    if (prev.state !== t.state && FAILED_STATES.has(t.state)) {
      const why = [s?.reason, s?.message].filter(Boolean).join(': ');
      this.d.recordEvent?.(
        { kind: 'Task', name, namespace: ns, uid: obj.metadata.uid },
        'Warning',
        'TaskFailed',
        `task ${t.id} ended ${t.state}${why ? ` (${why})` : ''}`,
      );
    }
  }
}

/**
 * The Task object a task is mirrored to: the one it was launched for (its TaskInfo's
 * label), or one named by its ID in `namespace` (the controller's).
 */
export function taskObjectOf(
  t: Pick<TaskRecord, 'id' | 'info'>,
  namespace: string,
): { namespace: string; name: string; launchedFor: boolean } {
  const named = t.info.labels?.[TASK_OBJECT_LABEL];
  const slash = named?.indexOf('/') ?? -1;
  if (named !== undefined && slash > 0) {
    return { namespace: named.slice(0, slash), name: named.slice(slash + 1), launchedFor: true };
  }
  return { namespace, name: t.id, launchedFor: false };
}
