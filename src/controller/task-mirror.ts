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
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../shared/logger.js';
import { NotFoundError } from '../shared/errors.js';
import type { Clock, Timer } from '../shared/clock.js';
import { removeFinalizer } from '../store/finalizers.js';
import { objectKey, type Store, type StoredObject } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { isTerminal, type TaskRecord } from './records.js';
import type { RecordEvent } from './record-event.js';
import { STAGING_GRACE_MS, StagingGrace } from './staging-grace.js';
import type { AgentWrites } from './agent-writes.js';
import {
  FAILED_STATES,
  newTaskObject,
  TASK_ID_LABEL,
  TASK_MIRROR_FINALIZER,
  TASK_OBJECT_UID_LABEL,
  taskObjectOf,
  taskObjectStatus,
  type ObjectRef,
} from './task-object.js';

export {
  TASK_ID_LABEL,
  TASK_MIRROR_FINALIZER,
  TASK_OBJECT_UID_LABEL,
  taskObjectOf,
} from './task-object.js';
export { TASK_OBJECT_LABEL } from './records.js';

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
  /** Queues task `id` for {@link TaskMirror.sync} on the controller's work queue. */
  queueSync: (id: string) => void;
  /** The STAGING grace (staging-grace.ts); default {@link STAGING_GRACE_MS}. */
  stagingGraceMs?: number;
  /** Live states left to agents that write them (agent-writes.ts); none without. */
  agentWrites?: AgentWrites;
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
  /** The object's resourceVersion after the mirror's last status write (its echo). */
  wrote?: string;
  /** A status write of the mirror's is in flight (its echo may come before its answer). */
  writing?: boolean;
  /** When the mirror first saw the task (its launch, for one launched here). */
  seenAt: number;
  /**
   * Its agent is to write its RUNNING (granted at its launch, agent-writes.ts); false
   * once that write, or the mirror's own, is on the object.
   */
  agentWrites: boolean;
}

/** Mirrors tasks onto Task objects; kills tasks whose object is gone. */
export class TaskMirror {
  private readonly entries = new Map<string, Entry>();
  /** Task IDs by object key, to find the task of a deleted object. */
  private readonly byObject = new Map<string, Set<string>>();
  /** Release checks put off until the restart's recovery window closes. */
  private readonly deferred = new Map<string, Timer>();
  /** Tasks whose object another writer changed since the mirror wrote it. */
  private readonly drifted = new Set<string>();
  /** Syncs put off while a task launched here is young and still STAGING. */
  private readonly staging: StagingGrace;

  constructor(private readonly d: TaskMirrorDeps) {
    this.staging = new StagingGrace(d.clock, d.stagingGraceMs ?? STAGING_GRACE_MS, d.queueSync);
  }

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
    if (!deleted && !obj.metadata.deletionTimestamp) {
      this.acceptAgentWrites(obj);
      this.checkDrift(obj);
      return;
    }
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

  /**
   * Level-based, as the watch tells: a live object that shows something other than its
   * task's status, in a version the mirror did not write (another writer's, e.g. a
   * `kubectl patch --subresource=status`), gets the task's status written again. Its own
   * echoes, and objects whose task has a write pending anyway, cost no write.
   */
  private checkDrift(obj: StoredObject): void {
    const ids = this.byObject.get(objectKey(obj));
    if (!ids) return;
    for (const id of ids) {
      const t = this.d.core.tasks.get(id);
      const e = this.entries.get(id);
      if (!t || !e || e.phase !== 'mirrored' || e.killed) continue;
      if (t.version === undefined || t.mirrored !== t.version || this.drifted.has(id)) continue;
      if (obj.metadata.resourceVersion === e.wrote || !this.isTaskOf(obj, t, e)) continue;
      if (this.shows(obj, t) || (e.agentWrites && this.d.agentWrites?.shows(obj, t))) continue;
      this.drifted.add(id);
      this.d.queueSync(id);
    }
  }

  /**
   * An agent's write of its task's live state, seen through the watch, stands for the
   * mirror's: the task's version counts as written, and its grant is taken back.
   */
  private acceptAgentWrites(obj: StoredObject): void {
    for (const id of this.byObject.get(objectKey(obj)) ?? []) this.acceptAgentWrite(obj, id);
  }

  /** Whether `obj` shows task `id`'s state as its agent wrote it (then taken as written). */
  private acceptAgentWrite(obj: StoredObject, id: string): boolean {
    const writes = this.d.agentWrites;
    const t = this.d.core.tasks.get(id);
    const e = this.entries.get(id);
    if (!writes || !t || !e?.agentWrites || e.phase !== 'mirrored' || e.killed || e.writing)
      return false;
    if (t.version === undefined || t.mirrored === t.version) return false;
    if (!this.isTaskOf(obj, t, e) || !writes.shows(obj, t)) return false;
    e.wrote = obj.metadata.resourceVersion;
    // The agent writes RUNNING once: what changes after (a health result, the end) is the
    // mirror's to write, and must not be taken for the agent's RUNNING again.
    e.agentWrites = false;
    this.d.log.debug('task status written by its agent', {
      taskId: id,
      ms: this.d.clock.now() - e.seenAt,
    });
    writes.done(id, e.ref);
    this.d.core.m.agentStatusWrites.inc();
    this.d.core.taskWritten(t, t.version);
    return true;
  }

  /** Whether the object already shows task `t`'s status as the mirror would write it. */
  private shows(obj: StoredObject, t: TaskRecord): boolean {
    const prev = obj.status ?? {};
    const agent = this.d.core.agents.get(t.agentId);
    return isDeepStrictEqual(taskObjectStatus(t, prev, agent, this.d.clock.now()), prev);
  }

  /** Cancels the release checks put off (the controller is stopping). */
  stop(): void {
    for (const timer of this.deferred.values()) timer.cancel();
    this.deferred.clear();
    this.staging.stop();
  }

  /**
   * Writes task `id`'s status onto its object (creating it once), or kills an orphan.
   * The write waits for the store's turn (its rate limit) before it reads the task, so
   * it carries the newest state: a task that went STAGING → RUNNING while its write
   * waited is written once, RUNNING. The work queue holds each task once however often
   * it changes, and a change during a write brings it back for one more, so the final
   * state is always the last written; a version already written costs nothing. A task
   * launched here is not written while STAGING until its grace has passed
   * (staging-grace.ts): its agent's first update usually replaces that state before then.
   */
  async sync(id: string): Promise<void> {
    const before = this.d.core.tasks.get(id);
    const drifted = this.drifted.delete(id);
    if (before?.version !== undefined && before.mirrored === before.version && !drifted) return;
    const seen = this.entries.get(id);
    if (before && !drifted && this.staging.holds(before, seen?.seenAt)) return;
    if (before && !drifted && seen?.agentWrites) {
      // The agent's write may have been watched before its update came: already shown.
      const known = this.d.store.peek?.('Task', seen.ref.name, seen.ref.namespace);
      if (known && this.acceptAgentWrite(known, id)) return;
      if (this.d.agentWrites?.holds(before, seen.seenAt)) return;
    }
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
      // The object shows the node now: the agent's later writes need no grant, and its
      // state is the mirror's from here on.
      if (e.agentWrites) this.d.agentWrites?.done(t.id, e.ref);
      e.agentWrites = false;
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
      obj = await store.create(newTaskObject(t, ref, owner?.metadata.uid));
      e.createdUid = obj.metadata.uid;
    }
    e.phase = 'mirrored';
    if (!obj) {
      this.orphan(t, e, `its Task object ${e.key} is gone`);
      return;
    }
    if (obj.metadata.deletionTimestamp) this.orphan(t, e, 'its Task object is being deleted');
    try {
      await this.writeStatus(t, e, obj);
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
    const e: Entry = {
      ref,
      key,
      phase: fresh ? 'new' : 'mirrored',
      killed: false,
      seenAt: this.d.clock.now(),
      agentWrites: this.d.agentWrites?.grant(t, ref) ?? false,
    };
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
    this.staging.forget(id);
    const e = this.entries.get(id);
    if (!e) return;
    if (e.agentWrites) this.d.agentWrites?.done(id, e.ref);
    this.entries.delete(id);
    const ids = this.byObject.get(e.key);
    ids?.delete(id);
    if (ids?.size === 0) this.byObject.delete(e.key);
  }

  private objectOf(t: TaskRecord): ObjectRef {
    return taskObjectOf(t, this.d.namespace);
  }

  private async writeStatus(t: TaskRecord, e: Entry, obj: StoredObject): Promise<void> {
    const { name, namespace: ns } = obj.metadata;
    const s = t.status;
    const prev = obj.status ?? {};
    const agent = this.d.core.agents.get(t.agentId);
    const status = taskObjectStatus(t, prev, agent, this.d.clock.now());
    // A change the object does not show (a resent update, an acknowledgement) costs no
    // request: the object is the store's copy, and should another writer have changed
    // it meanwhile, the watch brings that version and checkDrift() writes again.
    if (isDeepStrictEqual(status, prev)) return;
    e.writing = true;
    try {
      e.wrote = (
        await this.d.store.updateStatus('Task', name, ns, status)
      ).metadata.resourceVersion;
    } finally {
      e.writing = false;
    }
    // What each write changed: with a client limit, every write is 1/QPS s for the rest.
    this.d.log.debug('task status written', {
      taskId: t.id,
      state: status.state,
      was: prev.state,
    });
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
