/**
 * What a controller rebuilds at start, after a restart or a failover, before it serves:
 * the agents its Agent objects record as active, and the tasks its Task objects record as
 * placed and not finished. Until those agents are back (or their ping timeout passes) it
 * holds reconciliation answers about tasks it does not know or has not had confirmed,
 * and, when asked, allocation too, as Mesos' master does while it recovers agents, so
 * the first pass does not offer a partial view. A recovered task whose agent has not
 * re-registered by then is TASK_UNREACHABLE; its agent settles it if it comes back.
 */
import { Resources } from '../allocator/index.js';
import type { Timer } from '../shared/clock.js';
import type { Store, StoredObject } from '../store/types.js';
import { TaskState } from '../gen/mezzo/v1/TaskState.js';
import type { TaskState__Output } from '../gen/mezzo/v1/TaskState.js';
import type { ControllerCore } from './core.js';
import { TASK_MIRROR_FINALIZER } from './task-mirror.js';
import { declareGone } from './agent-replacement.js';
import {
  isTerminal,
  LAUNCHED_ON_ANNOTATION,
  TASK_OBJECT_LABEL,
  type TaskRecord,
} from './records.js';

/**
 * Reads the agents to expect and the tasks to recover; returns the timer that settles
 * what is still unconfirmed at the end of the window (and, with `pauseAllocation`,
 * resumes allocation).
 */
export async function expectAgentsBack(
  store: Store,
  core: ControllerCore,
  opts: { pauseAllocation: boolean },
): Promise<Timer> {
  const named = (await store.list('Agent')).flatMap((a) => {
    const st = a.status as { state?: string; agentId?: string } | undefined;
    return st?.agentId
      ? [{ id: st.agentId, node: a.metadata.name, active: st.state === 'Active' }]
      : [];
  });
  core.recovery.expect(named);
  const expected = named.filter((a) => a.active);
  const recovered = await recoverTasks(store, core);
  const settle = core.clock.setTimer(core.opts.agentPingTimeoutMs, () => {
    settleUnconfirmed(core);
  });
  if (expected.length > 0 || recovered > 0) {
    core.log.info('recovering: waiting for agents to re-register', {
      expectedAgents: expected.length,
      recoveredTasks: recovered,
    });
  }
  if (!opts.pauseAllocation || expected.length === 0) return settle;
  core.allocator.recover(expected.length);
  core.log.info('recovering: allocation paused until agents re-register', {
    expectedAgents: expected.length,
  });
  const resume = core.clock.setTimer(core.opts.agentPingTimeoutMs, () => {
    core.allocator.resume();
  });
  return {
    cancel() {
      settle.cancel();
      resume.cancel();
    },
  };
}

const taskState = (v: unknown): TaskState__Output | undefined =>
  typeof v === 'string' && Object.hasOwn(TaskState, v) ? (v as TaskState__Output) : undefined;

/** The task a Task object names: from its status, or from how the mirror made it. */
interface Named {
  taskId: string;
  frameworkId: string;
  agentId: string;
  state: TaskState__Output;
}

/**
 * What a Task object says of its task. One the mirror made that has no state yet was made
 * by a controller that died before writing its first status: its launch went to the agent
 * the object's annotation names, and is TASK_STAGING until that agent says otherwise (a
 * launch the agent never got is TASK_DROPPED when it re-registers without it). Without
 * this the object kept no state for ever while its framework heard TASK_GONE.
 */
function named(o: StoredObject): Named | undefined {
  const st = o.status as
    { taskId?: unknown; frameworkId?: unknown; agentId?: unknown; state?: unknown } | undefined;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (st?.state === undefined) {
    if (!(o.metadata.finalizers ?? []).includes(TASK_MIRROR_FINALIZER)) return undefined;
    const agentId = str(o.metadata.annotations?.[LAUNCHED_ON_ANNOTATION]);
    const frameworkId = str((o.spec as { framework?: unknown } | undefined)?.framework);
    if (!agentId || !frameworkId || !o.metadata.name) return undefined;
    return { taskId: o.metadata.name, frameworkId, agentId, state: 'TASK_STAGING' };
  }
  const state = taskState(st.state);
  const [taskId, frameworkId, agentId] = [str(st.taskId), str(st.frameworkId), str(st.agentId)];
  if (!state || !taskId || !frameworkId || !agentId) return undefined;
  return { taskId, frameworkId, agentId, state };
}

/**
 * Rebuilds a record for every Task object that names a placed, unfinished task. They
 * wait for their agent: its re-registration confirms (and corrects) them; until then
 * they hold no resources in the allocator. Returns how many were recovered.
 */
async function recoverTasks(store: Store, core: ControllerCore): Promise<number> {
  let n = 0;
  for (const o of await store.list('Task')) {
    const task = named(o);
    if (!task || core.tasks.has(task.taskId)) continue;
    const { taskId, frameworkId, agentId, state } = task;
    if (isTerminal(state)) {
      const message = (o.status as { message?: unknown }).message;
      core.storedFinals.note(taskId, {
        frameworkId,
        agentId,
        state,
        message: typeof message === 'string' ? message : '',
      });
      continue;
    }
    const name = o.metadata.name;
    const rec: TaskRecord = {
      id: taskId,
      frameworkId,
      agentId,
      info: {
        task_id: taskId,
        name,
        framework_id: frameworkId,
        agent_id: agentId,
        // The store mirror keeps writing the same object.
        labels: { [TASK_OBJECT_LABEL]: `${o.metadata.namespace ?? 'default'}/${name}` },
      },
      resources: Resources.EMPTY,
      role: '',
      state,
      status: undefined,
      recovered: true,
      fromStore: true,
    };
    core.tasks.set(taskId, rec);
    core.recovery.await(agentId, taskId);
    n++;
  }
  return n;
}

/**
 * The window closed: recovered tasks whose agent is not back are unreachable, or gone
 * when no Agent object named their agent (another agent took its node before this
 * controller started, or the object was deleted): that agent has no node to return to.
 */
function settleUnconfirmed(core: ControllerCore): void {
  for (const [agentId, ids] of core.recovery.awaitedByAgent()) {
    const named = core.recovery.named(agentId);
    for (const id of ids) {
      const t = core.tasks.get(id);
      if (!t?.fromStore || isTerminal(t.state)) continue;
      if (!named) {
        declareGone(core, t, 'no Agent object names its agent: replaced on its node, or removed');
        continue;
      }
      // It stays a store-recovered task: its agent's report completes it if it comes.
      if (t.state === 'TASK_UNREACHABLE') continue;
      core.markUnreachable(t, 'its agent did not re-register after the controller restarted');
    }
  }
}
