/**
 * The environment a task starts with: the Mesos variables (so Mesos executables run
 * unchanged), Mezzo's own, and one PORTn per assigned port.
 */
import type { TaskRecord } from './task-record.js';

/**
 * Builds the task's environment. The command's own variables come after PATH/HOME and
 * before the task identity, so a task can change its PATH but not lie about its ID.
 */
export function buildTaskEnv(
  t: TaskRecord,
  home: string,
  agentId: string,
  hostname: string,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    ...(t.task.command?.environment ?? {}),
    TASK_ID: t.task.task_id,
    MESOS_TASK_ID: t.task.task_id,
    MESOS_FRAMEWORK_ID: t.framework.id,
    MESOS_AGENT_ID: agentId,
    MESOS_SANDBOX: t.sandbox,
    MESOS_DIRECTORY: t.sandbox,
    MEZZO_SANDBOX: t.sandbox,
    HOST: hostname,
    PORTS: t.limits.ports.join(','),
  };
  t.limits.ports.forEach((p, i) => {
    env[`PORT${String(i)}`] = String(p);
  });
  const p0 = t.limits.ports[0];
  if (p0 !== undefined) env.PORT = String(p0);
  return env;
}
