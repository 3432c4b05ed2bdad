/**
 * The apps framework's store I/O that is not status: the finalizer that makes an App's
 * delete wait for its instances to be killed, and the facts it recovers after a restart
 * (agents' hostnames and attributes, and its own tasks from the controller's mirrors).
 */
import type { AgentFacts } from '../../sdk/constraints.js';
import type { TaskState__Output as TaskState } from '../../gen/mezzo/v1/TaskState.js';
import { ConflictError } from '../../shared/errors.js';
import type { Store } from '../../store/types.js';

/** Finalizer that holds an App's deletion until its instances are killed. */
export const APP_FINALIZER = 'mezzo.dev/kill-instances';

/**
 * Adds or removes {@link APP_FINALIZER} on an App. Optimistic concurrency: on a
 * conflict it reads again and retries a few times; a conflict that persists rejects, and
 * the work queue retries the key with backoff.
 */
export async function setFinalizer(
  store: Store,
  name: string,
  namespace: string,
  present: boolean,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const cur = await store.get('App', name, namespace);
    if (!cur) return;
    const list = cur.metadata.finalizers ?? [];
    if (list.includes(APP_FINALIZER) === present) return;
    if (present && cur.metadata.deletionTimestamp) return;
    cur.metadata.finalizers = present
      ? [...list, APP_FINALIZER]
      : list.filter((f) => f !== APP_FINALIZER);
    try {
      await store.update(cur);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
    }
  }
}

/** Hostname and attributes of every agent the controller mirrors, by agent ID. */
export async function agentFacts(store: Store): Promise<Map<string, AgentFacts>> {
  const out = new Map<string, AgentFacts>();
  for (const a of await store.list('Agent')) {
    const status = a.status as
      { agentId?: string; attributes?: Record<string, string> } | undefined;
    const spec = a.spec as { hostname?: string };
    if (!status?.agentId) continue;
    out.set(status.agentId, {
      hostname: spec.hostname ?? a.metadata.name,
      attributes: status.attributes ?? {},
    });
  }
  return out;
}

/** A task of this framework as its mirror last saw it. */
export interface MirroredTask {
  task_id: string;
  state: TaskState;
  agent_id: string;
  healthy?: boolean;
}

/** The tasks of framework `frameworkId` that the controller's Task mirrors hold. */
export async function mirroredTasks(store: Store, frameworkId: string): Promise<MirroredTask[]> {
  const out: MirroredTask[] = [];
  for (const t of await store.list('Task')) {
    const s = t.status as
      | {
          frameworkId?: string;
          taskId?: string;
          state?: TaskState;
          agentId?: string;
          healthy?: boolean;
        }
      | undefined;
    if (!s?.taskId || !s.state || s.frameworkId !== frameworkId) continue;
    out.push({
      task_id: s.taskId,
      state: s.state,
      agent_id: s.agentId ?? '',
      ...(s.healthy !== undefined ? { healthy: s.healthy } : {}),
    });
  }
  return out;
}
