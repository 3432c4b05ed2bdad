/**
 * The soak's Apps and Schedules, and the marker every task writes when it starts: a file
 * named `<task ID>@<pid>` in a shared directory. Two markers of one task ID with different
 * pids mean the task's command ran twice. `exec` keeps the marker's pid the task's own, so
 * the harness can tell the marker's process from the supervisor in the task's cgroup.
 */
import type { SoakApp, SoakConfig } from './config.js';

/** The namespace every soak object lives in. */
export const NAMESPACE = 'default';

/** Environment variable naming the marker directory in every task. */
export const MARKER_ENV = 'SOAK_MARKERS';

/** Shell that records the start of a task (TASK_ID is set by the agent). */
export const MARKER_SH = `echo "$TASK_ID $$" > "$${MARKER_ENV}/$TASK_ID@$$"`;

/** An object as `POST /apply` takes it. */
export interface ApplyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

function object(kind: string, name: string, spec: Record<string, unknown>): ApplyObject {
  return { apiVersion: 'mezzo.dev/v1alpha1', kind, metadata: { name, namespace: NAMESPACE }, spec };
}

/** An App: long-running instances that each write a marker and sleep. */
export function appObject(app: SoakApp, markers: string, instances = app.instances): ApplyObject {
  return object('App', app.name, {
    command: `${MARKER_SH}; exec sleep 86400`,
    env: { [MARKER_ENV]: markers },
    instances,
    cpus: 0.05,
    mem: 16,
    killGracePeriodSeconds: 1,
    ...(app.fastBackoff ? { backoffSeconds: 1, backoffFactor: 1, maxLaunchDelaySeconds: 2 } : {}),
  });
}

/** The schedule names, parents first. */
export const SCHEDULES = ['tick', 'tock', 'tack', 'solo'] as const;

/**
 * The Schedules: `tick` repeats, `tock` runs after each `tick` and `tack` after each
 * `tock` (a dependency chain); `solo` repeats on its own and fails every first attempt,
 * so that each of its runs is retried once.
 */
export function scheduleObjects(
  cfg: SoakConfig,
  markers: string,
  startMs: number,
  disabled = false,
): ApplyObject[] {
  const start = new Date(Math.floor(startMs / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const every = `R/${start}/PT${cfg.scheduleEverySeconds}S`;
  const common = {
    env: { [MARKER_ENV]: markers },
    cpus: 0.05,
    mem: 16,
    historyLimit: 100,
    disabled,
  };
  return [
    object('Schedule', 'tick', {
      ...common,
      schedule: every,
      retries: 0,
      command: `${MARKER_SH}; exec sleep 0.3`,
    }),
    object('Schedule', 'tock', {
      ...common,
      parents: ['tick'],
      retries: 0,
      command: `${MARKER_SH}; exec sleep 0.5`,
    }),
    object('Schedule', 'tack', {
      ...common,
      parents: ['tock'],
      retries: 0,
      command: `${MARKER_SH}; exec sleep 0.3`,
    }),
    object('Schedule', 'solo', {
      ...common,
      schedule: every,
      retries: 1,
      retryBackoff: 'PT2S',
      command: `${MARKER_SH}; sleep 0.3; [ "$MEZZO_ATTEMPT" != 1 ]`,
    }),
  ];
}

/** Which part of the workload a task ID belongs to. */
export type TaskSource = 'apps' | 'schedules' | 'batch' | 'other';

/** The source of a task, from its ID (apps: `ns.app.version.random`). */
export function sourceOf(taskId: string): TaskSource {
  if (taskId.startsWith('batch-')) return 'batch';
  if (taskId.startsWith('schedule.')) return 'schedules';
  if (taskId.startsWith(`${NAMESPACE}.`)) return 'apps';
  return 'other';
}

/** The App a task of the apps framework belongs to. */
export function appOf(taskId: string): string | undefined {
  if (sourceOf(taskId) !== 'apps') return undefined;
  return taskId.split('.')[1];
}
