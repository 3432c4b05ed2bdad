/**
 * What the default framework writes on a Task object's status (the controller writes
 * the rest as the task's updates arrive): the Scheduled condition — False with reason
 * InvalidSpec and the bad field while the spec cannot be served — and, when
 * reconciliation shows that a task the object still calls live has ended or is unknown
 * to the controller, the state that makes the object true again.
 */
import { setCondition, type Condition } from '../../kube/conditions.js';
import type { Store, StoredObject } from '../../store/types.js';

/** The condition the default framework owns on a Task. */
export const SCHEDULED = 'Scheduled';

/** Fields of a Task status the framework reads. */
export interface TaskStatusView {
  state?: string;
  taskId?: string;
  frameworkId?: string;
  agentId?: string;
  conditions?: Condition[];
}

/** A Task object's status, read without trusting its shape. */
export function statusOf(obj: StoredObject): TaskStatusView {
  const s = obj.status;
  if (typeof s !== 'object' || Array.isArray(s)) return {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: TaskStatusView = {};
  const state = str(s.state);
  const taskId = str(s.taskId);
  const frameworkId = str(s.frameworkId);
  const agentId = str(s.agentId);
  if (state) out.state = state;
  if (taskId) out.taskId = taskId;
  if (frameworkId) out.frameworkId = frameworkId;
  if (agentId) out.agentId = agentId;
  if (Array.isArray(s.conditions)) out.conditions = s.conditions as Condition[];
  return out;
}

/**
 * Sets the Scheduled condition when it differs; `problem` undefined clears an
 * InvalidSpec (the object waits for an offer). Returns whether it wrote.
 */
export async function writeScheduled(
  store: Store,
  obj: StoredObject,
  problem: string | undefined,
  now: number,
): Promise<boolean> {
  const prev = statusOf(obj).conditions;
  const { conditions, changed } = setCondition(
    prev,
    problem !== undefined
      ? { type: SCHEDULED, status: 'False', reason: 'InvalidSpec', message: problem }
      : { type: SCHEDULED, status: 'False', reason: 'Pending', message: 'waiting for an offer' },
    now,
  );
  if (!changed) return false;
  await store.updateStatus('Task', obj.metadata.name, obj.metadata.namespace, {
    ...(obj.status ?? {}),
    conditions,
  });
  return true;
}

/**
 * Records on the object that its task ended or was lost, as reconciliation found: the
 * controller no longer holds the task, so no update of its own would ever correct it.
 */
export async function writeEnded(
  store: Store,
  obj: StoredObject,
  state: string,
  message: string,
  now: number,
): Promise<void> {
  const prev = obj.status ?? {};
  const { conditions } = setCondition(
    statusOf(obj).conditions,
    { type: 'Running', status: 'False', reason: 'Reconciled', message },
    now,
  );
  await store.updateStatus('Task', obj.metadata.name, obj.metadata.namespace, {
    ...prev,
    state,
    reason: 'REASON_RECONCILIATION',
    message,
    ...(prev.finishTime ? {} : { finishTime: new Date(now).toISOString() }),
    conditions,
  });
}
