/**
 * An App object's spec as the apps framework reads it: defaults filled in, the version
 * that tells instances of one spec from another, what an instance asks of an offer, and
 * the TaskInfo that launches it. Task IDs carry the app and the version so that a
 * restarted framework rebuilds its view from reconciliation alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Constraint } from '../../sdk/constraints.js';
import type { Fit, TaskNeeds } from '../../sdk/offers.js';
import { commandTask, type FetchUri, type HealthCheckSpec } from '../../sdk/tasks.js';
import type { UpgradeStrategy } from './deployment.js';

/** Label on every instance: the App's `namespace/name`. */
export const APP_LABEL = 'mezzo.dev/app';
/** Labels on every instance with the App's name and namespace, valid as Kubernetes labels. */
export const APP_NAME_LABEL = 'mezzo.dev/app-name';
export const APP_NAMESPACE_LABEL = 'mezzo.dev/app-namespace';
/** Label on every instance: the spec version ({@link specVersion}) it runs. */
export const APP_VERSION_LABEL = 'mezzo.dev/app-version';

/** A port definition. */
export interface PortDefinition {
  name?: string;
  /** 0: any free port; otherwise a fixed host port. */
  port?: number;
  protocol?: 'tcp' | 'udp';
}

/** The App spec, as stored (the CRD's defaults may be missing in `mezzo dev`). */
export interface AppSpec {
  command?: string;
  args?: string[];
  instances?: number;
  cpus?: number;
  mem?: number | string;
  disk?: number | string;
  role?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  uris?: FetchUri[];
  constraints?: { attribute: string; operator: string; value?: string }[];
  portDefinitions?: PortDefinition[];
  healthChecks?: HealthCheckSpec[];
  upgradeStrategy?: Partial<UpgradeStrategy>;
  backoffSeconds?: number;
  backoffFactor?: number;
  maxLaunchDelaySeconds?: number;
  killGracePeriodSeconds?: number;
}

/** Restart backoff settings with defaults applied. */
export interface BackoffPolicy {
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
}

/** The default role of app instances (the apps framework subscribes with it). */
export const DEFAULT_ROLE = 'default';

/** Desired instance count (Marathon's default is 1). */
export function desiredInstances(spec: AppSpec): number {
  return spec.instances ?? 1;
}

/** The upgrade strategy with Marathon's defaults (1 and 1). */
export function upgradeStrategy(spec: AppSpec): UpgradeStrategy {
  return {
    minimumHealthCapacity: spec.upgradeStrategy?.minimumHealthCapacity ?? 1,
    maximumOverCapacity: spec.upgradeStrategy?.maximumOverCapacity ?? 1,
  };
}

/** The restart backoff with Marathon's defaults (1 s, ×1.15, at most 300 s). */
export function backoffPolicy(spec: AppSpec): BackoffPolicy {
  return {
    backoffSeconds: spec.backoffSeconds ?? 1,
    backoffFactor: spec.backoffFactor ?? 1.15,
    maxLaunchDelaySeconds: spec.maxLaunchDelaySeconds ?? 300,
  };
}

/**
 * The version of what an instance runs: a hash of the spec without `instances`, so that
 * scaling keeps running instances and any other change rolls them. Restoring a previous
 * spec restores its version, which is what makes a rollback keep the old instances.
 */
export function specVersion(spec: AppSpec): string {
  const { instances: _instances, ...rest } = spec;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 10);
}

// JSON with sorted keys, so that the version does not depend on key order.
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What one instance asks of an offer. */
export function instanceNeeds(spec: AppSpec): TaskNeeds {
  return {
    cpus: spec.cpus ?? 0.1,
    mem: spec.mem ?? 32,
    ...(spec.disk !== undefined ? { disk: spec.disk } : {}),
    ports: (spec.portDefinitions ?? []).map((p) => p.port ?? 0),
    constraints: (spec.constraints ?? []).map((c): Constraint => ({
      field: c.attribute,
      operator: c.operator as Constraint['operator'],
      ...(c.value !== undefined ? { value: c.value } : {}),
    })),
  };
}

/** The parts of a task ID. */
export interface InstanceId {
  namespace: string;
  name: string;
  version: string;
}

/**
 * A new task ID: `namespace.name.version.random`. Namespaces hold no dots (they are DNS
 * labels), so the name is whatever lies between the first and the last two segments;
 * the ID is also a valid Kubernetes object name, which the controller's Task mirror
 * needs.
 */
export function newTaskId(app: { namespace: string; name: string }, version: string): string {
  return `${app.namespace}.${app.name}.${version}.${randomUUID().slice(0, 8)}`;
}

/** The app and version a task ID names, or undefined for an ID of another shape. */
export function parseTaskId(taskId: string): InstanceId | undefined {
  const parts = taskId.split('.');
  if (parts.length < 4) return undefined;
  const namespace = parts[0] ?? '';
  const version = parts[parts.length - 2] ?? '';
  const name = parts.slice(1, -2).join('.');
  if (!namespace || !name || !/^[0-9a-f]{10}$/.test(version)) return undefined;
  return { namespace, name, version };
}

/**
 * The TaskInfo of one instance. Only the first health check goes on the wire (a TaskInfo
 * carries one); Marathon's default of killing unhealthy instances is applied, so that
 * the agent kills one after `consecutiveFailures` and the framework replaces it.
 */
export function instanceTask(
  app: { namespace: string; name: string },
  spec: AppSpec,
  taskId: string,
  agentId: string,
  fit: Extract<Fit, { ok: true }>,
): TaskInfo {
  const hc = spec.healthChecks?.[0];
  return commandTask({
    taskId,
    name: app.name,
    agentId,
    resources: fit.resources,
    ports: fit.ports,
    command: spec.args ?? spec.command ?? '',
    ...(spec.env ? { env: spec.env } : {}),
    ...(spec.uris ? { uris: spec.uris } : {}),
    ...(hc ? { healthCheck: { ...hc, killWhenUnhealthy: hc.killWhenUnhealthy ?? true } } : {}),
    killGracePeriodSeconds: spec.killGracePeriodSeconds ?? 3,
    labels: {
      ...(spec.labels ?? {}),
      [APP_LABEL]: `${app.namespace}/${app.name}`,
      [APP_NAME_LABEL]: app.name,
      [APP_NAMESPACE_LABEL]: app.namespace,
      [APP_VERSION_LABEL]: specVersion(spec),
    },
  });
}
