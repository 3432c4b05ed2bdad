/**
 * What a Task object shows of its task: the labels, annotation and finalizer the mirror
 * (task-mirror.ts) puts on the objects it makes, the object it makes for a task launched
 * through an offer, and the status it writes. Pure: no store, no clock of its own.
 */
import { setCondition, type Condition } from '../kube/conditions.js';
import { isValidLabel, validLabels } from '../kube/labels.js';
import { API_VERSION, type StoredObject } from '../store/types.js';
import { labelledTaskObject } from '../shared/task-labels.js';
import {
  isTerminal,
  LAUNCHED_ON_ANNOTATION,
  TASK_OBJECT_LABEL,
  type AgentRecord,
  type TaskRecord,
} from './records.js';

/** Label naming the task ID on a Task object. */
export const TASK_ID_LABEL = 'mezzo.dev/task-id';
/** Label on a task's TaskInfo naming the Task object (`namespace/name`) it was launched for. */
export { TASK_OBJECT_LABEL };
export { TASK_OBJECT_UID_LABEL } from '../shared/task-labels.js';
/** Finalizer on the objects the mirror makes: a delete waits until the task has ended. */
export const TASK_MIRROR_FINALIZER = 'mezzo.dev/task-mirror';

/** The states a `TaskFailed` Warning event is recorded for. */
export const FAILED_STATES: ReadonlySet<string> = new Set([
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

/** Where a task's object is, and whether the task was launched for it. */
export interface ObjectRef {
  namespace: string;
  name: string;
  /** True when the task was launched for an existing object (never created here). */
  launchedFor: boolean;
}

/**
 * The Task object a task is mirrored to: the one it was launched for (its TaskInfo's
 * label), or one named by its ID in `namespace` (the controller's).
 */
export function taskObjectOf(t: Pick<TaskRecord, 'id' | 'info'>, namespace: string): ObjectRef {
  const named = labelledTaskObject(t.info.labels);
  return named ? { ...named, launchedFor: true } : { namespace, name: t.id, launchedFor: false };
}

/** The object for a task launched through an offer, owned by its framework's object. */
export function newTaskObject(
  t: TaskRecord,
  ref: ObjectRef,
  ownerUid: string | undefined,
): StoredObject {
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

/**
 * The status to write for task `t` over the object's current status `prev` at time
 * `now` (ms): fields the mirror does not own are kept, an absent value is left out, and
 * the Running condition's transition time, `startTime` and `finishTime` move only when
 * the state does.
 */
export function taskObjectStatus(
  t: TaskRecord,
  prev: Record<string, unknown>,
  agent: AgentRecord | undefined,
  now: number,
): Record<string, unknown> {
  const s = t.status;
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
  status.conditions = setCondition(
    prev.conditions as Condition[] | undefined,
    {
      type: 'Running',
      status: t.state === 'TASK_RUNNING' ? 'True' : 'False',
      reason: stateReason(t.state),
      message: s?.message ?? '',
    },
    now,
  ).conditions;
  const iso = new Date(now).toISOString();
  if (t.state === 'TASK_RUNNING' && !prev.startTime) status.startTime = iso;
  if (isTerminal(t.state) && !prev.finishTime) status.finishTime = iso;
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
}
