/**
 * Turning a Task object's spec into what the scheduler API launches: resources in Mesos
 * units, the command (shell string or argv), environment, URIs and health check, and
 * ports picked from an offer's ranges.
 */
import { Resources } from '../../allocator/index.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
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
  uris?: {
    value: string;
    executable?: boolean;
    extract?: boolean;
    cache?: boolean;
    outputFile?: string;
  }[];
  resources: {
    cpus: number;
    mem: number | string;
    disk?: number | string;
    gpus?: number;
    ports?: number;
  };
  constraints?: { attribute: string; operator: string; value?: string }[];
  healthCheck?: {
    type: 'COMMAND' | 'HTTP' | 'TCP';
    command?: string;
    path?: string;
    portIndex?: number;
    port?: number;
    gracePeriodSeconds?: number;
    intervalSeconds?: number;
    timeoutSeconds?: number;
    consecutiveFailures?: number;
    killWhenUnhealthy?: boolean;
  };
  killGracePeriodSeconds?: number;
  labels?: Record<string, string>;
}

/** The scalar resources a Task asks for (mem and disk in MiB). */
export function scalarResources(spec: TaskSpec): Resources {
  const q: Record<string, string | number> = { cpus: spec.resources.cpus, mem: spec.resources.mem };
  if (spec.resources.disk !== undefined) q.disk = spec.resources.disk;
  if (spec.resources.gpus) q.gpus = spec.resources.gpus;
  return Resources.fromQuantities(q);
}

/** Picks `count` ports from an offer's port ranges (lowest first); undefined when too few. */
export function pickPorts(
  offerPorts: readonly { begin: number; end: number }[],
  count: number,
  taken: Set<number>,
): number[] | undefined {
  const out: number[] = [];
  for (const r of offerPorts) {
    for (let p = r.begin; p <= r.end && out.length < count; p++) if (!taken.has(p)) out.push(p);
    if (out.length >= count) break;
  }
  return out.length >= count ? out : undefined;
}

/** Builds the TaskInfo to launch for a Task object. */
export function taskInfo(
  obj: StoredObject,
  taskId: string,
  agentId: string,
  resources: Resources,
  ports: number[],
): TaskInfo {
  const spec = obj.spec as unknown as TaskSpec;
  const wire = resources.toProto() as unknown as Resource[];
  if (ports.length > 0) {
    wire.push({ name: 'ports', type: 'RANGES', ranges: ports.map((p) => ({ begin: p, end: p })) });
  }
  const hc = spec.healthCheck;
  return {
    task_id: taskId,
    name: obj.metadata.name,
    agent_id: agentId,
    resources: wire,
    command: {
      ...(spec.args
        ? { shell: false, value: spec.args[0] ?? '', arguments: spec.args.slice(1) }
        : { shell: true, value: spec.command ?? '' }),
      environment: spec.env ?? {},
      user: spec.user ?? '',
      uris: (spec.uris ?? []).map((u) => ({
        value: u.value,
        executable: u.executable ?? false,
        extract: u.extract ?? false,
        cache: u.cache ?? false,
        output_file: u.outputFile ?? '',
      })),
    },
    ...(hc
      ? {
          health_check: {
            type: hc.type,
            command: hc.command ?? '',
            path: hc.path ?? '/',
            port: hc.port ?? (hc.portIndex !== undefined ? (ports[hc.portIndex] ?? 0) : 0),
            port_index: hc.portIndex ?? 0,
            grace_period_seconds: hc.gracePeriodSeconds ?? 10,
            interval_seconds: hc.intervalSeconds ?? 10,
            timeout_seconds: hc.timeoutSeconds ?? 5,
            consecutive_failures: hc.consecutiveFailures ?? 3,
            kill_when_unhealthy: hc.killWhenUnhealthy ?? false,
          },
        }
      : {}),
    kill_grace_period_seconds: spec.killGracePeriodSeconds ?? 3,
    labels: { ...(spec.labels ?? {}) },
  };
}
