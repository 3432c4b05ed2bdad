/**
 * Task groups (Mesos' LAUNCH_GROUP, from src/compat/mesos/): tasks launched together on
 * one agent that share their fate as under Mesos' default executor, whose policy is to
 * kill the group's other tasks once one of them ends TASK_FAILED or TASK_KILLED. Mezzo
 * runs no executor process, so the controller applies that policy when the agent reports
 * such an end. Each task of a group carries the group's ID as a TaskInfo label, so that
 * the membership survives a controller restart with the task (the store's Task object
 * and the agent's report both carry the TaskInfo).
 */
import type { ControllerCore } from './core.js';
import { isTerminal, type TaskRecord } from './records.js';
import type { TaskState__Output as TaskState } from '../gen/mezzo/v1/TaskState.js';

/** The TaskInfo label naming the task group a task was launched in. */
export const TASK_GROUP_LABEL = 'mezzo.dev/task-group';

/**
 * The ends that take the group down: the default executor's two, and TASK_ERROR, which
 * an agent gives one task it will not run (a user it refuses): in Mesos the agent
 * refuses the whole group then.
 */
const GROUP_ENDING: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
]);

/** The group a task was launched in, if any. */
export function groupOf(task: Pick<TaskRecord, 'info'>): string | undefined {
  return task.info.labels?.[TASK_GROUP_LABEL];
}

/**
 * `task` has just taken its agent's update: when that ends it in a way that ends its
 * group, its group's tasks still running are killed, each once (as the executor does,
 * a task killed for its group does not start the policy again).
 */
export function shareGroupFate(core: ControllerCore, task: TaskRecord): void {
  const group = groupOf(task);
  if (group === undefined || task.killedWithGroup || !GROUP_ENDING.has(task.state)) return;
  // A framework's own tasks only: a group never spans frameworks.
  for (const id of core.frameworks.get(task.frameworkId)?.tasks ?? []) {
    const peer = core.tasks.get(id);
    if (!peer || peer === task || groupOf(peer) !== group) continue;
    if (isTerminal(peer.state) || peer.killedWithGroup) continue;
    peer.killedWithGroup = true;
    core.log.info('killing a task of a failed task group', {
      framework: task.frameworkId,
      task: peer.id,
      because: `${task.id} ${task.state}`,
    });
    core.killTask(peer);
  }
}
