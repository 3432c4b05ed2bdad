/**
 * Mesos' v1 operator API (`POST /api/v1`, also `/api/v1/operator`) in JSON: the read-only
 * calls GET_HEALTH, GET_VERSION, GET_FLAGS, GET_METRICS, GET_MASTER, GET_FRAMEWORKS,
 * GET_AGENTS, GET_TASKS, GET_ROLES, GET_QUOTA and GET_STATE, answered in the v1 message
 * shapes (`mesos.v1.master.Response`) from the controller core and the Role objects.
 * SUBSCRIBE is operator-events.ts, TEARDOWN operator-routes.ts. Other calls are refused by
 * name.
 */
import { Resources } from '../../allocator/index.js';
import type { ControllerCore } from '../../controller/core.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from '../../controller/records.js';
import { attributesToMesos, mapToLabels, resourcesToMesos } from './resources.js';
import type { MasterIdentity } from './state.js';
import { metricsSnapshot, rolesDoc } from './state.js';
import { Refused } from './refused.js';
import { quotaConfigs, type RoleObject } from './quota.js';

/** The calls answered. */
export const OPERATOR_CALLS = [
  'GET_HEALTH',
  'GET_VERSION',
  'GET_FLAGS',
  'GET_METRICS',
  'GET_QUOTA',
  'GET_MASTER',
  'GET_FRAMEWORKS',
  'GET_AGENTS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_STATE',
] as const;

const nanos = (ms: number) => ({ nanoseconds: Math.round(ms * 1e6) });
const v1 = (r: Resources, role = '') => resourcesToMesos(r.toProto(), role);
const sum = (list: Iterable<Resources>) => {
  let acc = Resources.EMPTY;
  for (const r of list) acc = acc.add(r);
  return acc;
};

/** A task as `mesos.v1.Task`. */
export function taskEntry(t: TaskRecord): Record<string, unknown> {
  const labels = mapToLabels(t.info.labels);
  return {
    name: t.info.name ?? '',
    task_id: { value: t.id },
    framework_id: { value: t.frameworkId },
    agent_id: { value: t.agentId },
    state: t.state,
    resources: v1(t.resources, t.role),
    statuses: t.status
      ? [
          {
            task_id: { value: t.id },
            state: t.status.state,
            timestamp: Number(t.status.timestamp ?? 0),
          },
        ]
      : [],
    ...((labels.labels ?? []).length > 0 ? { labels } : {}),
  };
}

function getTasks(core: ControllerCore) {
  const all = [...core.tasks.values()];
  const done = (t: TaskRecord) => core.completed.has(t.frameworkId, t.id);
  return {
    tasks: all.filter((t) => !done(t)).map(taskEntry),
    completed_tasks: all.filter(done).map(taskEntry),
  };
}

/** A framework as GET_FRAMEWORKS' `Framework`. */
export function frameworkEntry(core: ControllerCore, f: FrameworkRecord): Record<string, unknown> {
  const offered = sum(core.offers.ofFramework(f.id).map((o) => o.resources));
  return {
    framework_info: frameworkInfoEntry(f),
    active: f.connected,
    connected: f.connected,
    recovered: false,
    registered_time: nanos(f.registeredAt),
    allocated_resources: v1(sum(core.allocator.frameworkAllocation(f.id).values())),
    offered_resources: v1(offered),
  };
}

/** A framework's `FrameworkInfo`. */
export function frameworkInfoEntry(f: FrameworkRecord): Record<string, unknown> {
  return {
    id: { value: f.id },
    name: f.info.name,
    user: f.info.user,
    roles: f.roles,
    failover_timeout: f.info.failover_timeout_seconds,
    checkpoint: f.info.checkpoint,
    capabilities: f.info.capabilities.map((type) => ({ type })),
    ...(f.info.hostname ? { hostname: f.info.hostname } : {}),
    ...(f.info.principal ? { principal: f.info.principal } : {}),
  };
}

function getFrameworks(core: ControllerCore) {
  return {
    frameworks: [...core.frameworks.values()].map((f) => frameworkEntry(core, f)),
    completed_frameworks: [],
  };
}

/** An agent as GET_AGENTS' `Agent`. */
export function agentEntry(core: ControllerCore, a: AgentRecord): Record<string, unknown> {
  return {
    agent_info: {
      id: { value: a.id },
      hostname: a.info.hostname,
      resources: v1(a.total),
      attributes: attributesToMesos(a.info.attributes),
    },
    active: a.state === 'active',
    deactivated: a.state !== 'active',
    version: a.info.version,
    registered_time: nanos(a.lastSeen),
    total_resources: v1(a.total),
    allocated_resources: v1(sum(core.usedOn(a).values())),
    offered_resources: v1(sum(core.offers.ofAgent(a.id).map((o) => o.resources))),
  };
}

function getAgents(core: ControllerCore) {
  return {
    agents: [...core.agents.values()].map((a) => agentEntry(core, a)),
    recovered_agents: [],
  };
}

/** GET_STATE's answer (also the first event of an operator SUBSCRIBE). */
export function getState(core: ControllerCore): Record<string, unknown> {
  return {
    get_tasks: getTasks(core),
    get_executors: { executors: [], completed_executors: [] },
    get_frameworks: getFrameworks(core),
    get_agents: getAgents(core),
  };
}

/** The controller's settings that correspond to Mesos master flags, as GET_FLAGS lists them. */
function flags(core: ControllerCore): { name: string; value: string }[] {
  const o = core.opts;
  const seconds = (ms: number) => `${String(ms / 1000)}secs`;
  return [
    { name: 'offer_timeout', value: seconds(o.offerTimeoutMs) },
    { name: 'allocation_interval', value: seconds(o.allocationIntervalMs) },
    // Mezzo's own: how often agents are pinged, and after how long without an answer one
    // is lost (Mesos has agent_ping_timeout × max_agent_ping_timeouts).
    { name: 'agent_ping_interval', value: seconds(o.agentPingIntervalMs) },
    { name: 'agent_ping_timeout', value: seconds(o.agentPingTimeoutMs) },
    { name: 'framework_heartbeat_interval', value: seconds(o.frameworkHeartbeatMs) },
    { name: 'max_completed_tasks_per_framework', value: String(o.maxCompletedTasksPerFramework) },
    { name: 'max_completed_frameworks', value: String(o.maxCompletedFrameworks) },
    { name: 'authenticate_frameworks', value: 'true' },
    { name: 'authenticate_http_frameworks', value: 'true' },
    { name: 'authenticate_http_readonly', value: 'true' },
    { name: 'authenticate_http_readwrite', value: 'true' },
  ];
}

/** What an operator call is answered from besides the core. */
export interface OperatorContext {
  readonly core: ControllerCore;
  readonly me: MasterIdentity;
  /** The Role objects (their quotas), read for GET_QUOTA only. */
  readonly roles: () => Promise<readonly RoleObject[]>;
}

/** Answers one operator call; a {@link Refused} for calls not served. */
export async function operatorAnswer(
  ctx: OperatorContext,
  type: string,
): Promise<Record<string, unknown> | Refused> {
  const { core, me } = ctx;
  switch (type) {
    case 'GET_FLAGS':
      return { type, get_flags: { flags: flags(core) } };
    case 'GET_METRICS':
      return {
        type,
        get_metrics: {
          metrics: Object.entries(metricsSnapshot(core, me, core.clock.now() / 1000)).map(
            ([name, value]) => ({ name, value }),
          ),
        },
      };
    case 'GET_QUOTA':
      return { type, get_quota: { status: { configs: quotaConfigs(await ctx.roles()) } } };
    case 'GET_HEALTH':
      return { type, get_health: { healthy: true } };
    case 'GET_VERSION':
      return { type, get_version: { version_info: { version: me.version } } };
    case 'GET_MASTER':
      return {
        type,
        get_master: {
          master_info: {
            id: me.id,
            ip: 0,
            port: me.port,
            hostname: me.hostname,
            version: me.version,
            address: { hostname: me.hostname, port: me.port },
          },
          start_time: me.startTime,
          elected_time: me.startTime,
        },
      };
    case 'GET_FRAMEWORKS':
      return { type, get_frameworks: getFrameworks(core) };
    case 'GET_AGENTS':
      return { type, get_agents: getAgents(core) };
    case 'GET_TASKS':
      return { type, get_tasks: getTasks(core) };
    case 'GET_ROLES': {
      const doc = rolesDoc(core);
      return {
        type,
        get_roles: {
          roles: doc.roles.map((r) => ({
            name: r.name,
            weight: 1,
            frameworks: r.frameworks.map((value) => ({ value })),
          })),
        },
      };
    }
    case 'GET_STATE':
      return { type, get_state: getState(core) };
    default:
      return new Refused(
        `operator call ${type} is not supported by Mezzo; supported: ${OPERATOR_CALLS.join(', ')}`,
      );
  }
}
