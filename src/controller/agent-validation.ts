/**
 * Validation of what an agent tells the controller. An agent is hostile until proven
 * otherwise: its registration, the tasks and states it reports when it re-registers and
 * each status update are checked in full before anything is recorded, and the first
 * problem found is returned as a value naming the field (the agent service refuses the
 * stream with INVALID_ARGUMENT and that reason). The bounds are far above anything a
 * real agent sends and low enough that no message can make the controller allocate
 * without limit; task IDs are bounded no tighter than a framework could launch them,
 * so an agent is never refused for reporting a task the controller placed.
 */
import { Resources } from '../allocator/index.js';
import { StatusReason } from '../gen/mezzo/v1/StatusReason.js';
import { StatusSource } from '../gen/mezzo/v1/StatusSource.js';
import { TaskState } from '../gen/mezzo/v1/TaskState.js';
import type { AgentInfo__Output } from '../gen/mezzo/v1/AgentInfo.js';
import type { Resource__Output } from '../gen/mezzo/v1/Resource.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';

/** Limits on agent messages. */
export const AGENT_LIMITS = {
  /** Agent, task and framework IDs. */
  idChars: 1024,
  /** Hostname, node name, address, version, resource and attribute names. */
  nameChars: 1024,
  /** Free text: attribute values, status messages, task names and commands. */
  textChars: 64 * 1024,
  /** Largest scalar quantity (1e12 cpus, or 1e12 MB: an exabyte of memory). */
  scalar: 1e12,
  /** Largest bound of a range (ports and other ranged resources). */
  rangeBound: 2 ** 32 - 1,
  /** Entries of any one list: resources, ranges, set items, attributes, labels. */
  listItems: 10_000,
  /** Tasks one agent may report. */
  tasks: 100_000,
  /** Bytes of a status update's uuid (agents use 16). */
  uuidBytes: 64,
} as const;

/** A rejected message: what is wrong, naming the field. */
export type Invalid = string;

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(v: string, path: string, max: number): Invalid | undefined {
  if (v.length > max) return `${path}: ${v.length} characters, more than ${max}`;
  return undefined;
}

function id(v: string, path: string, required = true): Invalid | undefined {
  if (v === '') return required ? `${path}: empty` : undefined;
  return (
    text(v, path, AGENT_LIMITS.idChars) ??
    (CONTROL.test(v) ? `${path}: holds control characters` : undefined)
  );
}

/**
 * An ID as agents may report it (at most {@link AGENT_LIMITS}.idChars, no control
 * characters). Frameworks' task IDs are held to the same rule at launch, so no framework
 * can launch a task whose ID later gets its agent refused.
 */
export function validateId(v: string, path: string): Invalid | undefined {
  return id(v, path);
}

function count(list: readonly unknown[], path: string, max: number = AGENT_LIMITS.listItems) {
  return list.length > max ? `${path}: ${list.length} entries, more than ${max}` : undefined;
}

/** Resources as an agent reports them: parsable, non-negative, finite and bounded. */
export function validateResources(
  list: readonly Resource__Output[],
  path: string,
): Invalid | undefined {
  const n = count(list, path);
  if (n) return n;
  for (const [i, r] of list.entries()) {
    const at = `${path}[${i}]`;
    const bad =
      text(r.name, `${at}.name`, AGENT_LIMITS.nameChars) ??
      count(r.ranges, `${at}.ranges`) ??
      count(r.set, `${at}.set`);
    if (bad) return bad;
    if (Math.abs(r.scalar) > AGENT_LIMITS.scalar)
      return `${at}.scalar: ${r.name} ${r.scalar} is more than ${AGENT_LIMITS.scalar}`;
    for (const [j, x] of r.ranges.entries()) {
      if (x.begin > AGENT_LIMITS.rangeBound || x.end > AGENT_LIMITS.rangeBound)
        return `${at}.ranges[${j}]: ${x.begin}-${x.end} goes past ${AGENT_LIMITS.rangeBound}`;
    }
    const long = r.set.find((s) => s.length > AGENT_LIMITS.nameChars);
    if (long !== undefined) return `${at}.set: an item of ${long.length} characters`;
  }
  try {
    Resources.fromProto(list);
  } catch (err) {
    return `${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

/** The agent's description of itself. */
export function validateAgentInfo(info: AgentInfo__Output | null): Invalid | undefined {
  if (!info) return 'agent_info: missing';
  const bad =
    id(info.id, 'agent_info.id', false) ??
    text(info.hostname, 'agent_info.hostname', AGENT_LIMITS.nameChars) ??
    text(info.node_name, 'agent_info.node_name', AGENT_LIMITS.nameChars) ??
    text(info.address, 'agent_info.address', AGENT_LIMITS.nameChars) ??
    text(info.version, 'agent_info.version', AGENT_LIMITS.nameChars) ??
    text(info.default_user, 'agent_info.default_user', AGENT_LIMITS.nameChars) ??
    count(info.attributes, 'agent_info.attributes');
  if (bad) return bad;
  for (const [i, a] of info.attributes.entries()) {
    const at = `agent_info.attributes[${i}]`;
    const badAttr =
      (a.name === '' ? `${at}.name: empty` : undefined) ??
      text(a.name, `${at}.name`, AGENT_LIMITS.nameChars) ??
      text(a.text, `${at}.text`, AGENT_LIMITS.textChars);
    if (badAttr) return badAttr;
  }
  return validateResources(info.resources, 'agent_info.resources');
}

function labels(map: Record<string, string>, path: string): Invalid | undefined {
  const entries = Object.entries(map);
  const n = count(entries, path);
  if (n) return n;
  for (const [k, v] of entries) {
    const bad =
      text(k, `${path} key`, AGENT_LIMITS.nameChars) ??
      text(v, `${path}[${k.slice(0, 40)}]`, AGENT_LIMITS.textChars);
    if (bad) return bad;
  }
  return undefined;
}

/** A task the agent reports it has. */
export function validateTaskInfo(t: TaskInfo__Output, path: string): Invalid | undefined {
  return (
    id(t.task_id, `${path}.task_id`) ??
    id(t.framework_id, `${path}.framework_id`) ??
    text(t.name, `${path}.name`, AGENT_LIMITS.textChars) ??
    text(t.command?.value ?? '', `${path}.command.value`, AGENT_LIMITS.textChars) ??
    labels(t.labels, `${path}.labels`) ??
    validateResources(t.resources, `${path}.resources`)
  );
}

// Enum fields arrive as names, or as numbers the schema does not know.
const enumValue = (e: Record<string, string>, v: unknown): boolean =>
  typeof v === 'string' && Object.hasOwn(e, v);
const show = (v: unknown): string => String(v);

/** A task status from an agent: a known state, reason and source, and sane fields. */
export function validateStatus(s: TaskStatus__Output, path: string): Invalid | undefined {
  const bad =
    id(s.task_id, `${path}.task_id`) ??
    id(s.framework_id, `${path}.framework_id`) ??
    id(s.agent_id, `${path}.agent_id`, false) ??
    text(s.message, `${path}.message`, AGENT_LIMITS.textChars) ??
    labels(s.labels, `${path}.labels`);
  if (bad) return bad;
  if (!enumValue(TaskState, s.state) || s.state === 'TASK_STATE_UNSPECIFIED')
    return `${path}.state: ${show(s.state)} is not a task state`;
  if (!enumValue(StatusReason, s.reason))
    return `${path}.reason: ${show(s.reason)} is not a status reason`;
  if (!enumValue(StatusSource, s.source))
    return `${path}.source: ${show(s.source)} is not a status source`;
  if (!Number.isFinite(s.timestamp) || s.timestamp < 0)
    return `${path}.timestamp: ${s.timestamp} is not a time`;
  if (s.uuid.length > AGENT_LIMITS.uuidBytes)
    return `${path}.uuid: ${s.uuid.length} bytes, more than ${AGENT_LIMITS.uuidBytes}`;
  return undefined;
}

/** A status update: a status that can be acknowledged (it has a uuid). */
export function validateStatusUpdate(s: TaskStatus__Output | null): Invalid | undefined {
  if (!s) return 'status_update.status: missing';
  if (s.uuid.length === 0) return 'status_update.status.uuid: empty';
  return validateStatus(s, 'status_update.status');
}

/**
 * A re-registration's tasks and their latest statuses (pairwise; a task without any
 * update yet comes with an empty status). Task IDs are unique.
 */
export function validateReported(
  tasks: readonly TaskInfo__Output[],
  statuses: readonly TaskStatus__Output[],
): Invalid | undefined {
  const bad = count(tasks, 'reregister.tasks', AGENT_LIMITS.tasks);
  if (bad) return bad;
  if (statuses.length > tasks.length)
    return `reregister.latest_statuses: ${statuses.length} statuses for ${tasks.length} tasks`;
  const seen = new Set<string>();
  for (const [i, t] of tasks.entries()) {
    const path = `reregister.tasks[${i}]`;
    const badTask = validateTaskInfo(t, path);
    if (badTask) return badTask;
    if (seen.has(t.task_id)) return `${path}.task_id: ${t.task_id} is reported twice`;
    seen.add(t.task_id);
    const s = statuses[i];
    if (!s || (s.task_id === '' && s.state === 'TASK_STATE_UNSPECIFIED')) continue;
    const spath = `reregister.latest_statuses[${i}]`;
    const badStatus = validateStatus(s, spath);
    if (badStatus) return badStatus;
    if (s.task_id !== t.task_id)
      return `${spath}.task_id: ${s.task_id} is not the task it stands for (${t.task_id})`;
    if (s.framework_id !== t.framework_id)
      return `${spath}.framework_id: ${s.framework_id} is not its task's (${t.framework_id})`;
  }
  return undefined;
}
