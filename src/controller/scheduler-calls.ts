/**
 * What the scheduler calls do once a call is validated, shared by every wire that carries
 * them: Mezzo's gRPC scheduler service and the Mesos v1 HTTP API (src/compat/mesos/).
 * Each function acts for a subscribed framework whose caller and stream were already
 * checked (the principal that subscribed it, its current stream). ACCEPT is shared the same
 * way through accept-call.ts, which authorizes the launches' users first.
 */
import type { ControllerCore } from './core.js';
import { reconcileAnswer } from './reconcile.js';
import { isTerminal, type FrameworkRecord } from './records.js';

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
