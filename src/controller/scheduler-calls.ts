/**
 * What the scheduler calls do once a call is validated, shared by every wire that carries
 * them: Mezzo's gRPC scheduler service and the Mesos v1 HTTP API (src/compat/mesos/).
 * Each function acts for a subscribed framework whose stream was already checked.
 */
import type { ControllerCore } from './core.js';
import type { AcceptPlan } from './accept.js';
import { addLaunchedTask, refuseInvalidTasks } from './refused-tasks.js';
import { reconcileAnswer } from './reconcile.js';
import { noteOfferOutcome } from './decline-streak.js';
import { isTerminal, type FrameworkRecord } from './records.js';

/** Mesos' default filter: declined or unused resources come back after 5 seconds. */
export const DEFAULT_REFUSE_SECONDS = 5;

/** Carries out a validated ACCEPT: launches, reservations, refusals, unused resources back. */
export function carryOutAccept(
  core: ControllerCore,
  fw: FrameworkRecord,
  plan: AcceptPlan,
  refuseSeconds: number,
): void {
  for (const o of plan.offers) core.offers.take(o.id);
  refuseInvalidTasks(core, fw, plan);
  core.m.offers.inc({ result: 'accepted' }, plan.offers.length);
  noteOfferOutcome(core, fw, plan.launches.length > 0 || plan.conversions.length > 0);
  for (const c of plan.conversions)
    core.allocator.updateAllocation(fw.id, plan.agentId, c.from, c.to);
  const agent = core.agents.get(plan.agentId);
  for (const { task, resources } of plan.launches) {
    const rec = addLaunchedTask(core, fw, plan, task, resources, false);
    agent?.tasks.add(rec.id);
    agent?.stream?.write({
      launch_task: {
        task: rec.info,
        framework: {
          id: fw.id,
          name: fw.info.name,
          user: fw.info.user,
          checkpoint: fw.info.checkpoint,
        },
      },
    });
    core.taskChanged(rec);
  }
  if (!plan.unused.isEmpty()) {
    core.allocator.recoverResources(fw.id, plan.agentId, plan.unused, { refuseSeconds });
  }
  core.refreshGauges();
}

/** Kills a framework's task; an unknown task is answered with TASK_UNKNOWN, as Mesos does. */
export function killForFramework(
  core: ControllerCore,
  fw: FrameworkRecord,
  taskId: string,
  graceSeconds: number | undefined,
): void {
  const task = core.tasks.get(taskId);
  if (!task || task.frameworkId !== fw.id) {
    core.sendTo(fw.id, {
      type: 'UPDATE',
      update: {
        status: {
          task_id: taskId,
          state: 'TASK_UNKNOWN',
          reason: 'REASON_RECONCILIATION',
          message: 'no such task',
          source: 'SOURCE_MASTER',
          framework_id: fw.id,
          timestamp: core.clock.now() / 1000,
        },
      },
    });
    return;
  }
  if (!isTerminal(task.state)) core.killTask(task, graceSeconds);
}

/**
 * Answers a reconciliation with one update per task. Asked for no tasks (implicit), as
 * Mesos: every task not completed (a finished one whose last update is still
 * unacknowledged counts as not completed).
 */
export function reconcileForFramework(
  core: ControllerCore,
  fw: FrameworkRecord,
  tasks: readonly { task_id: string; agent_id: string }[],
): void {
  const asked =
    tasks.length > 0
      ? tasks
      : [...fw.tasks]
          .filter((id) => !core.completed.has(fw.id, id))
          .map((id) => ({ task_id: id, agent_id: '' }));
  for (const { task_id: id, agent_id: agentId } of asked) {
    const status = reconcileAnswer(core, fw.id, id, agentId);
    if (status) core.sendTo(fw.id, { type: 'UPDATE', update: { status } });
  }
}
