/**
 * Answers to a framework's reconciliation, after Mesos' master: the latest state of a
 * task the controller knows (none yet for one rebuilt from the store after a restart,
 * until its agent confirms it or the recovery window closes); for one it does not, the
 * state its registered agent reported, TASK_GONE when the named agent is registered and
 * did not report it (the agent is authoritative about its tasks), no answer yet while an
 * agent that was active before a controller restart may still re-register (the
 * framework asks again), and TASK_UNKNOWN otherwise. A task that ended before a restart is
 * answered with the final state its Task object recorded (stored-finals.ts).
 */
import type { ControllerCore } from './core.js';
import type { TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskState__Output } from '../gen/mezzo/v1/TaskState.js';

/** The status to send for one task, or undefined to hold the answer for now. */
export function reconcileAnswer(
  core: ControllerCore,
  frameworkId: string,
  taskId: string,
  agentId: string,
): TaskStatus | undefined {
  const t = core.tasks.get(taskId);
  if (t?.fromStore && core.recovery.open) return undefined;
  if (t && t.frameworkId === frameworkId) {
    return {
      ...(t.status ?? core.masterStatus(t, t.state, 'REASON_RECONCILIATION', '')),
      uuid: Buffer.alloc(0),
      reason: 'REASON_RECONCILIATION',
    };
  }
  const answer = (state: TaskState__Output, message: string, on = agentId): TaskStatus => ({
    task_id: taskId,
    agent_id: on,
    state,
    reason: 'REASON_RECONCILIATION',
    message,
    source: 'SOURCE_MASTER',
    framework_id: frameworkId,
    timestamp: core.clock.now() / 1000,
  });
  // Ended before this controller started: its Task object holds the final state.
  const stored = core.storedFinals.get(taskId);
  if (stored?.frameworkId === frameworkId) {
    return answer(stored.state, stored.message, stored.agentId);
  }
  for (const a of agentId ? [core.agents.get(agentId)] : core.agentsReportingDone) {
    const done = a?.state === 'active' ? a.reportedDone?.get(taskId) : undefined;
    if (done?.info.framework_id === frameworkId)
      return { ...done.status, uuid: Buffer.alloc(0), reason: 'REASON_RECONCILIATION' };
  }
  const agent = agentId ? core.agents.get(agentId) : undefined;
  if (agent?.state === 'active') {
    return answer('TASK_GONE', `agent ${agentId} is registered and does not have the task`);
  }
  if (core.recoveringAgents(agentId)) return undefined;
  return answer('TASK_UNKNOWN', 'no agent reports the task');
}
