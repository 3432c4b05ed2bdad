/**
 * Tasks between Mesos' shapes and Mezzo's: a Mesos TaskInfo with a CommandInfo becomes a
 * Mezzo command task; a Mezzo TaskStatus becomes a Mesos one. Mezzo runs command tasks
 * only, so what needs an executor or a container runtime (executor, container, data,
 * checks, discovery, secrets) is refused by name.
 */
import type { TaskInfo__Output } from '../../gen/mezzo/v1/TaskInfo.js';
import type { HealthCheck__Output } from '../../gen/mezzo/v1/HealthCheck.js';
import type { CommandInfo__Output } from '../../gen/mezzo/v1/CommandInfo.js';
import type { TaskStatus } from '../../gen/mezzo/v1/TaskStatus.js';
import { messageType } from './codec.js';
import type { MesosCommand, MesosHealthCheck, MesosTaskInfo, MesosTaskStatus } from './types.js';
import { labelsToMap, mapToLabels, resourceFromMesos } from './resources.js';
import { Refused } from './refused.js';

const NANOS_PER_SECOND = 1e9;

function commandFromMesos(taskId: string, c: MesosCommand): CommandInfo__Output {
  const environment: Record<string, string> = {};
  for (const v of c.environment?.variables ?? []) {
    if (v.type === 'SECRET' || v.secret !== undefined)
      throw new Refused(`task ${taskId}: secret environment variables are not supported`);
    environment[v.name] = v.value ?? '';
  }
  const shell = c.shell ?? true;
  if (!c.value) throw new Refused(`task ${taskId}: command.value is empty`);
  return {
    shell,
    value: c.value,
    // Mesos' arguments are the whole argv (argv[0] first); Mezzo's follow the program.
    arguments: shell ? [] : (c.arguments ?? []).slice(1),
    environment,
    uris: (c.uris ?? []).map((u) => ({
      value: u.value,
      executable: u.executable ?? false,
      extract: u.extract ?? true,
      cache: u.cache ?? false,
      output_file: u.output_file ?? '',
    })),
    user: c.user ?? '',
  };
}

function healthFromMesos(taskId: string, h: MesosHealthCheck): HealthCheck__Output {
  const base = {
    command: '',
    port: 0,
    port_index: 0,
    path: '',
    // Mesos waits delay_seconds before the first check and ignores failures for
    // grace_period_seconds: Mezzo ignores failures for the longer of the two.
    grace_period_seconds: Math.max(h.grace_period_seconds ?? 10, h.delay_seconds ?? 15),
    interval_seconds: h.interval_seconds ?? 10,
    timeout_seconds: h.timeout_seconds ?? 20,
    consecutive_failures: h.consecutive_failures ?? 3,
    // Mesos kills a task once consecutive_failures checks failed after the grace period.
    kill_when_unhealthy: true,
  };
  switch (h.type) {
    case 'COMMAND':
      if (!h.command?.value)
        throw new Refused(`task ${taskId}: a COMMAND health check without command.value`);
      if (h.command.shell === false)
        throw new Refused(`task ${taskId}: health check commands must be shell commands`);
      return { ...base, type: 'COMMAND', command: h.command.value };
    case 'HTTP':
      if (!h.http) throw new Refused(`task ${taskId}: an HTTP health check without http`);
      if (h.http.scheme && h.http.scheme !== 'http')
        throw new Refused(`task ${taskId}: health check scheme ${h.http.scheme} is not supported`);
      return { ...base, type: 'HTTP', port: h.http.port, path: h.http.path ?? '/' };
    case 'TCP':
      if (!h.tcp) throw new Refused(`task ${taskId}: a TCP health check without tcp`);
      return { ...base, type: 'TCP', port: h.tcp.port };
    default:
      throw new Refused(`task ${taskId}: a health check needs a type (COMMAND, HTTP or TCP)`);
  }
}

/** A Mesos TaskInfo as Mezzo's; throws {@link Refused} for what Mezzo cannot run. */
export function taskFromMesos(t: MesosTaskInfo): TaskInfo__Output {
  const id = t.task_id.value;
  const unsupported: [unknown, string][] = [
    [t.executor, 'executor (custom executors)'],
    [t.container, 'container (container images and runtimes)'],
    [t.check, 'check (general checks; health_check is supported)'],
    [t.discovery, 'discovery'],
    [t.data, 'data (it is for a custom executor)'],
    [t.max_completion_time, 'max_completion_time'],
    [t.limits && Object.keys(t.limits).length > 0 ? t.limits : undefined, 'limits'],
  ];
  for (const [present, what] of unsupported)
    if (present !== undefined) throw new Refused(`task ${id}: ${what} is not supported by Mezzo`);
  if (!t.command) throw new Refused(`task ${id}: Mezzo runs command tasks; command is missing`);
  return {
    task_id: id,
    name: t.name,
    framework_id: '',
    agent_id: t.agent_id.value,
    resources: (t.resources ?? []).map(resourceFromMesos),
    command: commandFromMesos(id, t.command),
    health_check: t.health_check ? healthFromMesos(id, t.health_check) : null,
    kill_grace_period_seconds: (t.kill_policy?.grace_period?.nanoseconds ?? 0) / NANOS_PER_SECOND,
    labels: labelsToMap(t.labels),
  };
}

/** Mezzo reasons Mesos names differently. */
const REASONS: Readonly<Record<string, string>> = {
  REASON_COMMAND_EXITED_NONZERO: 'REASON_COMMAND_EXECUTOR_FAILED',
  REASON_FETCH_FAILED: 'REASON_CONTAINER_LAUNCH_FAILED',
  REASON_TASK_UNHEALTHY: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
};

function mesosReason(reason: string): string | undefined {
  const name = REASONS[reason] ?? reason;
  const known = messageType('mesos.v1.TaskStatus').lookupEnum('Reason').values;
  return name in known ? name : undefined;
}

function base64(b: Buffer | Uint8Array | string | undefined): string {
  if (b === undefined) return '';
  if (typeof b === 'string') return Buffer.from(b).toString('base64');
  return Buffer.from(b).toString('base64');
}

/** A Mezzo status as Mesos'. */
export function statusToMesos(s: TaskStatus): MesosTaskStatus {
  const state =
    typeof s.state === 'string' && s.state !== 'TASK_STATE_UNSPECIFIED' ? s.state : 'TASK_UNKNOWN';
  const reason = typeof s.reason === 'string' ? mesosReason(s.reason) : undefined;
  const source =
    typeof s.source === 'string' && s.source !== 'SOURCE_UNSPECIFIED' ? s.source : undefined;
  const uuid = base64(s.uuid);
  return {
    task_id: { value: s.task_id ?? '' },
    state,
    ...(s.message ? { message: s.message } : {}),
    ...(source ? { source } : {}),
    ...(reason ? { reason } : {}),
    ...(s.agent_id ? { agent_id: { value: s.agent_id } } : {}),
    timestamp: Number(s.timestamp ?? 0),
    ...(uuid ? { uuid } : {}),
    ...(s.healthy !== undefined ? { healthy: s.healthy } : {}),
    ...(s.labels && Object.keys(s.labels).length > 0 ? { labels: mapToLabels(s.labels) } : {}),
  };
}
