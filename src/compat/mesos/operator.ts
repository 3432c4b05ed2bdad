/**
 * Mesos' v1 operator API (`POST /api/v1`, also `/api/v1/operator`) in JSON: the read-only
 * calls GET_HEALTH, GET_VERSION, GET_MASTER, GET_FRAMEWORKS, GET_AGENTS, GET_TASKS,
 * GET_ROLES and GET_STATE, answered in the v1 message shapes (`mesos.v1.master.Response`)
 * from the controller core. Other calls are refused by name.
 */
import { Resources } from '../../allocator/index.js';
import type { ControllerCore } from '../../controller/core.js';
import type { TaskRecord } from '../../controller/records.js';
import { attributesToMesos, mapToLabels, resourcesToMesos } from './resources.js';
import type { MasterIdentity } from './state.js';
import { rolesDoc } from './state.js';
import { Refused } from './refused.js';

/** The calls answered. */
export const OPERATOR_CALLS = [
  'GET_HEALTH',
  'GET_VERSION',
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

function task(core: ControllerCore, t: TaskRecord): Record<string, unknown> {
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
    tasks: all.filter((t) => !done(t)).map((t) => task(core, t)),
    completed_tasks: all.filter(done).map((t) => task(core, t)),
  };
}

function getFrameworks(core: ControllerCore) {
  return {
    frameworks: [...core.frameworks.values()].map((f) => {
      const offered = sum(
        core.offers.filter((o) => o.frameworkId === f.id).map((o) => o.resources),
      );
      return {
        framework_info: {
          id: { value: f.id },
          name: f.info.name,
          user: f.info.user,
          roles: f.roles,
          failover_timeout: f.info.failover_timeout_seconds,
          checkpoint: f.info.checkpoint,
          capabilities: f.info.capabilities.map((type) => ({ type })),
          ...(f.info.hostname ? { hostname: f.info.hostname } : {}),
          ...(f.info.principal ? { principal: f.info.principal } : {}),
        },
        active: f.connected,
        connected: f.connected,
        recovered: false,
        registered_time: nanos(f.registeredAt),
        allocated_resources: v1(sum(core.allocator.frameworkAllocation(f.id).values())),
        offered_resources: v1(offered),
      };
    }),
    completed_frameworks: [],
  };
}

function getAgents(core: ControllerCore) {
  return {
    agents: [...core.agents.values()].map((a) => ({
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
      offered_resources: v1(
        sum(core.offers.filter((o) => o.agentId === a.id).map((o) => o.resources)),
      ),
    })),
    recovered_agents: [],
  };
}

/** Answers one operator call; a {@link Refused} for calls not served. */
export function operatorAnswer(
  core: ControllerCore,
  me: MasterIdentity,
  type: string,
): Record<string, unknown> | Refused {
  switch (type) {
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
      return {
        type,
        get_state: {
          get_tasks: getTasks(core),
          get_executors: { executors: [], completed_executors: [] },
          get_frameworks: getFrameworks(core),
          get_agents: getAgents(core),
        },
      };
    default:
      return new Refused(
        `operator call ${type} is not supported by Mezzo; supported: ${OPERATOR_CALLS.join(', ')}`,
      );
  }
}
