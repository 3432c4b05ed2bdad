/**
 * Turning a Task object's spec into what the scheduler API launches: the spec read as
 * hostile input (a field of the wrong type or out of bounds is a problem naming it, for
 * the object's status), its resources in Mesos units, placement constraints, and the
 * TaskInfo built from an offer's fit.
 */
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Constraint } from '../../sdk/constraints.js';
import { MAX_PORTS, type TaskNeeds } from '../../sdk/offers.js';
import { commandTask, type FetchUri, type HealthCheckSpec } from '../../sdk/tasks.js';
import type { Resource } from '../../gen/mezzo/v1/Resource.js';
import { ValidationError } from '../../shared/errors.js';
import {
  fields,
  optNumber,
  optQuantity,
  optString,
  readSpec,
  type ReadResult,
} from '../spec-reader.js';
import {
  readCommand,
  readConstraints,
  readEnv,
  readHealthCheck,
  readKillGrace,
  readLabels,
  readUris,
  type RunCommand,
} from '../task-fields.js';

/** The Task spec as the default framework serves it, every field checked. */
export interface TaskSpec {
  framework?: string;
  role?: string;
  command: RunCommand;
  env?: Record<string, string>;
  user?: string;
  uris?: FetchUri[];
  resources: {
    cpus: number;
    mem: number | string;
    disk?: number | string;
    gpus?: number;
    ports: number;
  };
  constraints: Constraint[];
  healthCheck?: HealthCheckSpec;
  killGracePeriodSeconds?: number;
  labels?: Record<string, string>;
}

/**
 * The framework a Task object names (`spec.framework`), read without trusting the spec:
 * undefined when it names none, or names one in a field that is not a string.
 */
export function frameworkNamed(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null) return undefined;
  const fw = (spec as { framework?: unknown }).framework;
  return typeof fw === 'string' && fw !== '' ? fw : undefined;
}

/** Reads a Task object's spec; a problem names the first bad field. */
export function readTaskSpec(raw: unknown): ReadResult<TaskSpec> {
  return readSpec(() => {
    const s = fields(raw, 'spec');
    const r = fields(s.resources, 'spec.resources');
    const at = 'spec.resources';
    const cpus = optNumber(r, 'cpus', at, { above: 0, max: 1_000_000 });
    if (cpus === undefined) throw new ValidationError(`${at}.cpus`, 'is required');
    const mem = optQuantity(r, 'mem', at, true);
    if (mem === undefined) throw new ValidationError(`${at}.mem`, 'is required');
    const disk = optQuantity(r, 'disk', at, false);
    const gpus = optNumber(r, 'gpus', at, { integer: true, min: 0, max: 1024 });
    const ports = optNumber(r, 'ports', at, { integer: true, min: 0, max: MAX_PORTS }) ?? 0;
    const hc =
      s.healthCheck === undefined ? undefined : readHealthCheck(s.healthCheck, 'spec.healthCheck');
    if (hc && hc.type !== 'COMMAND' && hc.port === undefined && (hc.portIndex ?? 0) >= ports) {
      throw new ValidationError(
        'spec.healthCheck.portIndex',
        `must name one of the task's ${ports} resources.ports`,
      );
    }
    const framework = optString(s, 'framework', 'spec', 253);
    const role = optString(s, 'role', 'spec', 253);
    const user = optString(s, 'user', 'spec', 64);
    const env = readEnv(s, 'spec');
    const uris = readUris(s, 'spec');
    const grace = readKillGrace(s, 'spec');
    const labels = readLabels(s, 'spec');
    return {
      command: readCommand(s, 'spec'),
      resources: {
        cpus,
        mem,
        ...(disk !== undefined ? { disk } : {}),
        ...(gpus !== undefined ? { gpus } : {}),
        ports,
      },
      constraints: readConstraints(s, 'spec') ?? [],
      ...(framework !== undefined ? { framework } : {}),
      ...(role !== undefined ? { role } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(env !== undefined ? { env } : {}),
      ...(uris !== undefined ? { uris } : {}),
      ...(hc !== undefined ? { healthCheck: hc } : {}),
      ...(grace !== undefined ? { killGracePeriodSeconds: grace } : {}),
      ...(labels !== undefined ? { labels } : {}),
    };
  });
}

/** What a Task object asks of an offer. */
export function taskNeeds(spec: TaskSpec): TaskNeeds {
  return {
    cpus: spec.resources.cpus,
    mem: spec.resources.mem,
    ...(spec.resources.disk !== undefined ? { disk: spec.resources.disk } : {}),
    ...(spec.resources.gpus ? { gpus: spec.resources.gpus } : {}),
    ports: spec.resources.ports,
    constraints: spec.constraints,
  };
}

/** Builds the TaskInfo to launch for the Task object `name` on what an offer gave it. */
export function taskInfo(
  name: string,
  spec: TaskSpec,
  taskId: string,
  agentId: string,
  fit: { resources: Resource[]; ports: number[] },
): TaskInfo {
  return commandTask({
    taskId,
    name,
    agentId,
    resources: fit.resources,
    ports: fit.ports,
    command: spec.command,
    ...(spec.env ? { env: spec.env } : {}),
    ...(spec.user ? { user: spec.user } : {}),
    ...(spec.uris ? { uris: spec.uris } : {}),
    ...(spec.healthCheck ? { healthCheck: spec.healthCheck } : {}),
    killGracePeriodSeconds: spec.killGracePeriodSeconds ?? 3,
    ...(spec.labels ? { labels: spec.labels } : {}),
  });
}
