/**
 * Tasks refused at ACCEPT for their resources (invalid scalars, or limits an agent could
 * not enforce: REASON_TASK_INVALID) or their user (REASON_TASK_UNAUTHORIZED). As Mesos'
 * master does, each is answered with TASK_ERROR instead of failing the whole call: the framework learns why, and a
 * Task object the task was launched for shows the error instead of pending for ever.
 */
import { Resources } from '../allocator/index.js';
import type { AcceptPlan } from './accept.js';
import type { ControllerCore } from './core.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { FrameworkRecord, TaskRecord } from './records.js';

/** Records each of the plan's invalid tasks as ended in TASK_ERROR and tells its framework. */
export function refuseInvalidTasks(
  core: ControllerCore,
  fw: FrameworkRecord,
  plan: Pick<AcceptPlan, 'invalid' | 'agentId' | 'role'>,
): void {
  for (const { task, message, reason } of plan.invalid) {
    // It holds nothing: its share of the offers goes back with the unused rest.
    const rec = addLaunchedTask(core, fw, plan, task, Resources.EMPTY, true);
    // Seen launched first, like any task launched through an offer, then ended.
    core.opts.onTaskChanged?.(rec);
    const status = core.masterStatus(rec, 'TASK_ERROR', reason ?? 'REASON_TASK_INVALID', message);
    core.applyStatus(status);
    core.sendTo(fw.id, { type: 'UPDATE', update: { status } });
    core.log.warn('task refused', { framework: fw.id, taskId: rec.id, reason: message });
  }
}

/**
 * Records a task of an ACCEPT as launched on the plan's agent (STAGING, nothing heard from
 * the agent yet): the one shape of a new task record, for launches and refusals alike.
 */
export function addLaunchedTask(
  core: ControllerCore,
  fw: FrameworkRecord,
  plan: Pick<AcceptPlan, 'agentId' | 'role'>,
  task: TaskInfo__Output,
  resources: Resources,
  recovered: boolean,
): TaskRecord {
  const rec: TaskRecord = {
    id: task.task_id,
    frameworkId: fw.id,
    agentId: plan.agentId,
    info: { ...task, framework_id: fw.id, agent_id: plan.agentId },
    resources,
    role: plan.role,
    state: 'TASK_STAGING',
    status: undefined,
    recovered,
  };
  core.tasks.set(rec.id, rec);
  fw.tasks.add(rec.id);
  return rec;
}
