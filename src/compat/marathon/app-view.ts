/**
 * What the Marathon API answers about apps and their tasks: AppInfo (the definition plus
 * tasksRunning, tasksHealthy, tasksStaged, tasksUnhealthy, deployments, lastTaskFailure,
 * version) from the App object and the controller's live tasks, and Marathon's task
 * JSON. Only fields Marathon defines are written: clients such as marathon-python build
 * their objects from every key and fail on one they do not know.
 */
import {
  APP_LABEL,
  readAppSpec,
  specVersion,
  type AppSpec,
} from '../../frameworks/apps/app-spec.js';
import type { AppStatus } from '../../frameworks/apps/status.js';
import type { ControllerCore } from '../../controller/core.js';
import { isTerminal, type TaskRecord } from '../../controller/records.js';
import type { StoredObject } from '../../store/types.js';
import { marathonIdOf } from './app-id.js';
import { marathonDefinition } from './app-definition.js';
import { currentVersion, versionsOf } from './versions.js';

type Json = Record<string, unknown>;

/** The live (not ended) tasks of the App `namespace/name`. */
export function appTasks(core: ControllerCore, namespace: string, name: string): TaskRecord[] {
  const key = `${namespace}/${name}`;
  return [...core.tasks.values()].filter(
    (t) => t.info.labels?.[APP_LABEL] === key && !isTerminal(t.state),
  );
}

/** The Marathon id of the app a task is an instance of, when it is one in `namespace`. */
export function appIdOfTask(t: TaskRecord, namespace: string): string | undefined {
  const key = t.info.labels?.[APP_LABEL];
  if (key === undefined) return undefined;
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== namespace) return undefined;
  return marathonIdOf(key.slice(slash + 1));
}

function iso(seconds: unknown): string | null {
  const s = Number(seconds);
  return Number.isFinite(s) && s > 0 ? new Date(Math.round(s * 1000)).toISOString() : null;
}

/** The host ports a task holds, in the order of its ranges. */
function portsOf(t: TaskRecord): number[] {
  const out: number[] = [];
  for (const e of t.resources.entries) {
    if (e.name !== 'ports' || e.kind !== 'ranges') continue;
    for (const [b, x] of e.ranges) for (let p = b; p <= x && out.length < 64; p++) out.push(p);
  }
  return out;
}

/** Marathon's task JSON. */
export function taskJson(
  core: ControllerCore,
  t: TaskRecord,
  appId: string,
  version: string,
): Json {
  const agent = core.agents.get(t.agentId);
  const at = iso(t.status?.timestamp);
  const running = t.state === 'TASK_RUNNING';
  const health = t.status?.health === 'healthy' ? t.status.healthy : undefined;
  return {
    id: t.id,
    appId,
    host: agent?.info.hostname ?? '',
    slaveId: t.agentId,
    ports: portsOf(t),
    servicePorts: [],
    stagedAt: at,
    startedAt: running ? at : null,
    state: t.state,
    version,
    ipAddresses: [],
    localVolumes: [],
    role: t.role,
    healthCheckResults:
      health === undefined
        ? []
        : [
            {
              alive: health,
              consecutiveFailures: health ? 0 : 1,
              firstSuccess: null,
              lastFailure: health ? null : at,
              lastSuccess: health ? at : null,
              lastFailureCause: health ? null : (t.status?.message ?? null),
              taskId: t.id,
              instanceId: t.id,
            },
          ],
  };
}

/** The spec as the framework reads it (defaults the CRD would fill in `mezzo dev`). */
export function appSpecOf(app: StoredObject): AppSpec {
  const read = readAppSpec(app.spec);
  return read.ok ? read.value : app.spec;
}

/** The deployment ID the apps framework gives a change of `app` (its generation and version). */
export function deploymentIdOf(app: StoredObject): string {
  const status = app.status as Partial<AppStatus> | undefined;
  return (
    status?.deployment?.id ??
    `gen${app.metadata.generation ?? 1}-${specVersion(appSpecOf(app)).slice(0, 6)}`
  );
}

/** A deployment in progress for `app`: an upgrade, a start or a scale; none when settled. */
export function deploymentOf(
  app: StoredObject,
  live: readonly TaskRecord[],
): { id: string; action: string } | undefined {
  const status = app.status as Partial<AppStatus> | undefined;
  if (app.metadata.deletionTimestamp) return { id: deploymentIdOf(app), action: 'StopApplication' };
  if (status?.deployment) return { id: status.deployment.id, action: 'RestartApplication' };
  const desired = appSpecOf(app).instances ?? 1;
  const running = live.filter((t) => t.state === 'TASK_RUNNING').length;
  if (status === undefined || status.observedGeneration === undefined)
    return { id: deploymentIdOf(app), action: 'StartApplication' };
  if (running !== desired || live.length !== desired)
    return { id: deploymentIdOf(app), action: 'ScaleApplication' };
  return undefined;
}

/** Marathon's AppInfo for an App; with its tasks when `withTasks`. */
export function appInfo(
  core: ControllerCore,
  app: StoredObject,
  opts: { withTasks: boolean },
): Json {
  const { namespace = '', name } = app.metadata;
  const id = marathonIdOf(name);
  const spec = appSpecOf(app);
  const live = appTasks(core, namespace, name);
  const status = app.status as Partial<AppStatus> | undefined;
  const version = currentVersion(app);
  const checked = (spec.healthChecks?.length ?? 0) > 0;
  const running = live.filter((t) => t.state === 'TASK_RUNNING');
  const healthyOf = (t: TaskRecord) => t.status?.health === 'healthy' && t.status.healthy;
  const deployment = deploymentOf(app, live);
  const failure = status?.lastTaskFailure;
  const versions = versionsOf(app);
  return {
    id,
    ...marathonDefinition(spec),
    version,
    versionInfo: {
      lastScalingAt: version,
      lastConfigChangeAt: versions[versions.length - 1]?.version ?? version,
    },
    tasksStaged: live.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING')
      .length,
    tasksRunning: running.length,
    tasksHealthy: checked ? running.filter(healthyOf).length : 0,
    tasksUnhealthy: checked ? running.filter((t) => !healthyOf(t)).length : 0,
    deployments: deployment ? [{ id: deployment.id }] : [],
    ...(failure
      ? {
          lastTaskFailure: {
            appId: id,
            host: '',
            message: failure.message,
            state: failure.state,
            taskId: failure.taskId,
            timestamp: failure.at,
            version,
          },
        }
      : {}),
    ...(opts.withTasks ? { tasks: live.map((t) => taskJson(core, t, id, version)) } : {}),
  };
}
