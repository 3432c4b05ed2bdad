/**
 * Mesos' LAUNCH_GROUP as a LAUNCH of a task group (src/controller/accept.ts): the tasks,
 * mapped as a LAUNCH's are (tasks.ts), launch together on the offers' agent or not at all,
 * and share their fate as under Mesos' default executor (src/controller/task-group.ts).
 * Mezzo runs no executor process: only a DEFAULT executor (Mesos' own, which runs the
 * tasks' commands) maps; a CUSTOM one, or what only a container or a custom executor
 * could use, is refused by name (400), as for LAUNCH. What Mesos' master answers with
 * TASK_ERROR (REASON_TASK_GROUP_INVALID) for every task of the group is answered so here.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AcceptOperation } from '../../controller/accept.js';
import type { MesosExecutorInfo, MesosOperation, MesosTaskInfo } from './types.js';
import { resourceFromMesos } from './resources.js';
import { taskFromMesos } from './tasks.js';
import { Refused } from './refused.js';

/** What Mesos' master finds wrong with a group's executor (its words), if anything. */
function executorProblem(e: MesosExecutorInfo, frameworkId: string): string | undefined {
  if (e.type === undefined) return "'ExecutorInfo.type' must be set";
  if (e.type === 'UNKNOWN') return 'Unknown executor type';
  if (e.command !== undefined)
    return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  if (e.framework_id !== undefined && e.framework_id.value !== frameworkId)
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${e.framework_id.value} vs Expected: ${frameworkId})`;
  return undefined;
}

/**
 * A LAUNCH_GROUP operation (number `i` of its ACCEPT) of framework `frameworkId`; throws
 * {@link Refused} for what Mezzo cannot run.
 */
export function launchGroupFromMesos(
  op: MesosOperation,
  i: number,
  frameworkId: string,
): AcceptOperation {
  const at = `operation ${String(i)}`;
  const g = op.launch_group;
  if (!g) throw new Refused(`${at}: a LAUNCH_GROUP needs 'launch_group'`);
  const e = g.executor;
  const exec = `${at}: executor ${e.executor_id.value}`;
  if (e.type === 'CUSTOM')
    throw new Refused(
      `${exec}: CUSTOM executors are not supported by Mezzo; a task group runs under a DEFAULT executor`,
    );
  const unsupported: [unknown, string][] = [
    [e.container, 'container (container images and runtimes)'],
    [e.data, 'data (it is for a custom executor)'],
    [e.discovery, 'discovery'],
  ];
  for (const [present, what] of unsupported)
    if (present !== undefined) throw new Refused(`${exec}: ${what} is not supported by Mezzo`);
  const tasks: MesosTaskInfo[] = g.task_group.tasks ?? [];
  if (tasks.length === 0) throw new Refused(`${at}: the task group has no tasks`);
  let invalid = executorProblem(e, frameworkId);
  const mapped = tasks.map((t) => {
    // Mesos' master gives each task of the group the group's executor; a task may name
    // it too, but no other.
    if (t.executor !== undefined && !isDeepStrictEqual(t.executor, e))
      invalid ??= `The ExecutorInfo of task '${t.task_id.value}' is different from executor '${e.executor_id.value}'`;
    const { executor: _executor, ...task } = t;
    return taskFromMesos(task);
  });
  return {
    type: 'LAUNCH',
    tasks: mapped,
    resources: [],
    group: {
      id: randomUUID(),
      executor_resources: (e.resources ?? []).map(resourceFromMesos),
      ...(invalid === undefined ? {} : { invalid }),
    },
  };
}
