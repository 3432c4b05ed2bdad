/**
 * A run's task: the TaskInfo launched for it (labelled with its schedule and run, so that
 * reconciliation answers can be traced back) and what its terminal states mean.
 */
import { isTerminal } from '../../controller/records.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus__Output } from '../../gen/mezzo/v1/TaskStatus.js';
import { commandTask } from '../../sdk/tasks.js';
import type { Fit } from '../../sdk/offers.js';
import type { RunRecord } from './planner.js';
import { withArguments } from './run-arguments.js';
import type { ScheduleTask } from './spec.js';
import { taskIdOf } from './status.js';

/** Label naming a run's Schedule (`namespace/name`). */
export const SCHEDULE_LABEL = 'mezzo.dev/schedule';
/** Labels with the Schedule's name and namespace, valid as Kubernetes labels. */
export const SCHEDULE_NAME_LABEL = 'mezzo.dev/schedule-name';
export const SCHEDULE_NAMESPACE_LABEL = 'mezzo.dev/schedule-namespace';
/** Label naming a run's ID. */
export const RUN_LABEL = 'mezzo.dev/run';
/** Annotation that asks for a run now; each distinct value is served once. */
export const RUN_NOW_ANNOTATION = 'mezzo.dev/run-now';

/** How a task's state ends a run, or undefined while it has not ended. */
export function runResult(
  status: Pick<TaskStatus__Output, 'state'>,
): 'Succeeded' | 'Failed' | 'Killed' | undefined {
  if (status.state === 'TASK_UNKNOWN' || !isTerminal(status.state)) return undefined;
  if (status.state === 'TASK_FINISHED') return 'Succeeded';
  if (status.state === 'TASK_KILLED') return 'Killed';
  return 'Failed';
}

/** A short human account of a terminal status: state, exit code and message. */
export function describeStatus(status: TaskStatus__Output): string {
  const parts: string[] = [status.state];
  if (status.exit === 'exit_code') parts.push(`exit code ${status.exit_code ?? 0}`);
  if (status.message) parts.push(status.message);
  return parts.join(': ');
}

/** The TaskInfo for a run on the resources an offer gave it. */
export function runTask(
  target: { name: string; namespace: string },
  spec: ScheduleTask,
  run: RunRecord,
  agentId: string,
  fit: Extract<Fit, { ok: true }>,
): TaskInfo {
  return commandTask({
    taskId: taskIdOf(target.namespace, run.id),
    name: `${target.name}-${run.attempt}`,
    agentId,
    resources: fit.resources,
    ports: fit.ports,
    // Arguments of a run-now request belong to this run (and its retries) only.
    command: run.arguments ? withArguments(spec.command, run.arguments) : spec.command,
    env: {
      ...(spec.env ?? {}),
      // Jobs often need to know which occurrence they serve (e.g. the day to extract).
      MEZZO_SCHEDULE: target.name,
      MEZZO_RUN_ID: run.id,
      MEZZO_SCHEDULED_TIME: new Date(run.scheduledTime).toISOString(),
      MEZZO_ATTEMPT: String(run.attempt),
    },
    ...(spec.uris ? { uris: spec.uris } : {}),
    labels: {
      [SCHEDULE_LABEL]: `${target.namespace}/${target.name}`,
      [SCHEDULE_NAME_LABEL]: target.name,
      [SCHEDULE_NAMESPACE_LABEL]: target.namespace,
      [RUN_LABEL]: run.id,
    },
  });
}
