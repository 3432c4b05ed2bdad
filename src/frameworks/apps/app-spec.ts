/**
 * An App object's spec as the apps framework reads it: every field checked as hostile
 * input ({@link readAppSpec}: a bad one is a problem naming it, for the App's status),
 * defaults filled in, the version that tells instances of one spec from another, what an
 * instance asks of an offer, and the TaskInfo that launches it. Task IDs carry the app
 * and the version so that a restarted framework rebuilds its view from reconciliation
 * alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Constraint } from '../../sdk/constraints.js';
import { MAX_PORTS, type Fit, type TaskNeeds } from '../../sdk/offers.js';
import { commandTask, type FetchUri, type HealthCheckSpec } from '../../sdk/tasks.js';
import { ValidationError } from '../../shared/errors.js';
import type { UpgradeStrategy } from './deployment.js';
import {
  fields,
  optFields,
  optList,
  optNumber,
  optQuantity,
  optString,
  readSpec,
  type Fields,
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
} from '../task-fields.js';

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

/**
 * Marathon's unreachableStrategy: an instance whose agent is unreachable this long is
 * replaced (inactive), and after the longer time forgotten and killed if it comes back.
 */
export interface UnreachableStrategy {
  inactiveAfterSeconds?: number;
  expungeAfterSeconds?: number;
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
  unreachableStrategy?: UnreachableStrategy;
  backoffSeconds?: number;
  backoffFactor?: number;
  maxLaunchDelaySeconds?: number;
  killGracePeriodSeconds?: number;
}

/** The most instances one App may ask for (the CRD allows 10,000). */
export const MAX_INSTANCES = 100_000;

const DAY = 86_400;

function readPort(v: unknown, at: string): PortDefinition {
  const p = fields(v, at);
  const name = optString(p, 'name', at, 63);
  const port = optNumber(p, 'port', at, { integer: true, min: 0, max: MAX_PORTS });
  const protocol = optString(p, 'protocol', at, 16);
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp')
    throw new ValidationError(`${at}.protocol`, `must be tcp or udp, not "${protocol}"`);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
  };
}

function readStrategies(s: Fields): Pick<AppSpec, 'upgradeStrategy' | 'unreachableStrategy'> {
  const u = optFields(s, 'upgradeStrategy', 'spec');
  const share = (o: Fields, key: string, at: string) => optNumber(o, key, at, { min: 0, max: 1 });
  const minH = u && share(u, 'minimumHealthCapacity', 'spec.upgradeStrategy');
  const maxO = u && share(u, 'maximumOverCapacity', 'spec.upgradeStrategy');
  const r = optFields(s, 'unreachableStrategy', 'spec');
  const at = 'spec.unreachableStrategy';
  const inactive = r && optNumber(r, 'inactiveAfterSeconds', at, { min: 0, max: 365 * DAY });
  const expunge = r && optNumber(r, 'expungeAfterSeconds', at, { min: 0, max: 365 * DAY });
  if (inactive !== undefined && expunge !== undefined && expunge < inactive)
    throw new ValidationError(
      `${at}.expungeAfterSeconds`,
      'must not be below inactiveAfterSeconds',
    );
  return {
    ...(u
      ? {
          upgradeStrategy: {
            ...(minH !== undefined ? { minimumHealthCapacity: minH } : {}),
            ...(maxO !== undefined ? { maximumOverCapacity: maxO } : {}),
          },
        }
      : {}),
    ...(r
      ? {
          unreachableStrategy: {
            ...(inactive !== undefined ? { inactiveAfterSeconds: inactive } : {}),
            ...(expunge !== undefined ? { expungeAfterSeconds: expunge } : {}),
          },
        }
      : {}),
  };
}

/**
 * Reads an App's spec as hostile input: the App it returns holds only fields of the
 * right type within bounds the framework can serve; a problem names the first bad field.
 */
export function readAppSpec(raw: unknown): ReadResult<AppSpec> {
  return readSpec((): AppSpec => {
    const s = fields(raw, 'spec');
    const command = readCommand(s, 'spec');
    const num = (key: string, b: Parameters<typeof optNumber>[3]) => optNumber(s, key, 'spec', b);
    const instances = num('instances', { integer: true, min: 0, max: MAX_INSTANCES });
    const cpus = num('cpus', { above: 0, max: 1_000_000 });
    const mem = optQuantity(s, 'mem', 'spec', true);
    const disk = optQuantity(s, 'disk', 'spec', false);
    const role = optString(s, 'role', 'spec', 253);
    const ports = optList(s, 'portDefinitions', 'spec', MAX_PORTS, readPort);
    const checks = optList(s, 'healthChecks', 'spec', 16, readHealthCheck);
    for (const [i, hc] of (checks ?? []).entries()) {
      if (
        hc.type !== 'COMMAND' &&
        hc.port === undefined &&
        (hc.portIndex ?? 0) >= (ports?.length ?? 0)
      )
        throw new ValidationError(
          `spec.healthChecks[${i}].portIndex`,
          `must name one of the app's ${ports?.length ?? 0} portDefinitions`,
        );
    }
    const backoffSeconds = num('backoffSeconds', { min: 0, max: DAY });
    const backoffFactor = num('backoffFactor', { min: 1, max: 100 });
    const maxLaunchDelaySeconds = num('maxLaunchDelaySeconds', { min: 0, max: DAY });
    const env = readEnv(s, 'spec');
    const labels = readLabels(s, 'spec');
    const uris = readUris(s, 'spec');
    const constraints = readConstraints(s, 'spec');
    const grace = readKillGrace(s, 'spec');
    return {
      ...(typeof command === 'string' ? { command } : { args: command }),
      ...(instances !== undefined ? { instances } : {}),
      ...(cpus !== undefined ? { cpus } : {}),
      ...(mem !== undefined ? { mem } : {}),
      ...(disk !== undefined ? { disk } : {}),
      ...(role !== undefined ? { role } : {}),
      ...(env !== undefined ? { env } : {}),
      ...(labels !== undefined ? { labels } : {}),
      ...(uris !== undefined ? { uris } : {}),
      ...(constraints !== undefined
        ? {
            constraints: constraints.map((c) => ({
              attribute: c.field,
              operator: c.operator,
              ...(c.value !== undefined ? { value: c.value } : {}),
            })),
          }
        : {}),
      ...(ports !== undefined ? { portDefinitions: ports } : {}),
      ...(checks !== undefined ? { healthChecks: checks } : {}),
      ...readStrategies(s),
      ...(backoffSeconds !== undefined ? { backoffSeconds } : {}),
      ...(backoffFactor !== undefined ? { backoffFactor } : {}),
      ...(maxLaunchDelaySeconds !== undefined ? { maxLaunchDelaySeconds } : {}),
      ...(grace !== undefined ? { killGracePeriodSeconds: grace } : {}),
    };
  });
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

/** The unreachable strategy in ms, with Marathon's defaults (300 s and 600 s). */
export function unreachableStrategy(spec: AppSpec): {
  inactiveAfterMs: number;
  expungeAfterMs: number;
} {
  const inactive = spec.unreachableStrategy?.inactiveAfterSeconds ?? 300;
  const expunge = spec.unreachableStrategy?.expungeAfterSeconds ?? Math.max(600, inactive);
  return { inactiveAfterMs: inactive * 1000, expungeAfterMs: Math.max(expunge, inactive) * 1000 };
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
