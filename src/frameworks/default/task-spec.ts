/**
 * Turning a Task object's spec into what the scheduler API launches: resources in Mesos
 * units, placement constraints, and the TaskInfo built from an offer's fit.
 */
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Constraint } from '../../sdk/constraints.js';
import type { TaskNeeds } from '../../sdk/offers.js';
import { commandTask, type FetchUri, type HealthCheckSpec } from '../../sdk/tasks.js';
import type { Resource } from '../../gen/mezzo/v1/Resource.js';
import type { StoredObject } from '../../store/types.js';

/** The Task spec fields the default framework reads. */
export interface TaskSpec {
  framework?: string;
  role?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  user?: string;
  uris?: FetchUri[];
  resources: {
    cpus: number;
    mem: number | string;
    disk?: number | string;
    gpus?: number;
    ports?: number;
  };
  constraints?: { attribute: string; operator: string; value?: string }[];
  healthCheck?: HealthCheckSpec;
  killGracePeriodSeconds?: number;
  labels?: Record<string, string>;
}

/** What a Task object asks of an offer. */
export function taskNeeds(spec: TaskSpec): TaskNeeds {
  return {
    cpus: spec.resources.cpus,
    mem: spec.resources.mem,
    ...(spec.resources.disk !== undefined ? { disk: spec.resources.disk } : {}),
    ...(spec.resources.gpus ? { gpus: spec.resources.gpus } : {}),
    ports: spec.resources.ports ?? 0,
    constraints: (spec.constraints ?? []).map((c) => ({
      field: c.attribute,
      operator: c.operator as Constraint['operator'],
      ...(c.value !== undefined ? { value: c.value } : {}),
    })),
  };
}

/** Builds the TaskInfo to launch for a Task object on what an offer gave it. */
export function taskInfo(
  obj: StoredObject,
  taskId: string,
  agentId: string,
  fit: { resources: Resource[]; ports: number[] },
): TaskInfo {
  const spec = obj.spec as unknown as TaskSpec;
  return commandTask({
    taskId,
    name: obj.metadata.name,
    agentId,
    resources: fit.resources,
    ports: fit.ports,
    command: spec.args ?? spec.command ?? '',
    ...(spec.env ? { env: spec.env } : {}),
    ...(spec.user ? { user: spec.user } : {}),
    ...(spec.uris ? { uris: spec.uris } : {}),
    ...(spec.healthCheck ? { healthCheck: spec.healthCheck } : {}),
    killGracePeriodSeconds: spec.killGracePeriodSeconds ?? 3,
    ...(spec.labels ? { labels: spec.labels } : {}),
  });
}
