/**
 * A Schedule object's spec as the framework reads it — as hostile input, every field
 * typed and bounded — and its translation into the planner's {@link ScheduleConfig}, the
 * task a run launches, and the SDK's {@link TaskNeeds}. Reading is a value: a bad field
 * (a `parents` that is not a list, a schedule repeating more often than once a second,
 * an unknown time zone) becomes a condition on that object alone, never an exception
 * that would stop the framework's loop for every other schedule.
 */
import type { Constraint } from '../../sdk/constraints.js';
import type { TaskNeeds } from '../../sdk/offers.js';
import type { FetchUri } from '../../sdk/tasks.js';
import { ValidationError } from '../../shared/errors.js';
import {
  fields,
  optBool,
  optFields,
  optList,
  optNumber,
  optQuantity,
  optString,
  readSpec,
  stringItem,
} from '../spec-reader.js';
import {
  readCommand,
  readConstraints,
  readEnv,
  readUris,
  type RunCommand,
} from '../task-fields.js';
import type { ConcurrencyPolicy, ScheduleConfig } from './planner.js';
import { durationMs, readRecurrence } from './recurrence.js';

/** The Schedule spec fields (camelCase, as in the CRD), as stored: nothing is checked. */
export interface ScheduleSpec {
  schedule?: string;
  timeZone?: string;
  parents?: string[];
  epsilon?: string;
  command?: string;
  args?: string[];
  cpus?: number;
  mem?: number | string;
  disk?: number | string;
  role?: string;
  env?: Record<string, string>;
  uris?: FetchUri[];
  constraints?: { attribute: string; operator: string; value?: string }[];
  retries?: number;
  retryBackoff?: string;
  concurrencyPolicy?: ConcurrencyPolicy;
  owner?: { name?: string; webhook?: string };
  disabled?: boolean;
  historyLimit?: number;
}

/** Defaults the CRD also declares, repeated here for the embedded store and for tests. */
export const SPEC_DEFAULTS = {
  timeZone: 'UTC',
  epsilon: 'PT1M',
  retries: 2,
  retryBackoff: 'PT30S',
  historyLimit: 10,
  cpus: 0.1,
  mem: 32,
  /** Retries back off by doubling, up to an hour. */
  backoffFactor: 2,
  maxBackoffMs: 3_600_000,
} as const;

/** The most runs kept in status per list (history, missed): the CRD allows 100. */
export const MAX_HISTORY = 1000;

/** What a run of the schedule launches, read and checked. */
export interface ScheduleTask {
  command: RunCommand;
  cpus: number;
  mem: number | string;
  disk?: number | string;
  env?: Record<string, string>;
  uris?: FetchUri[];
  constraints: Constraint[];
}

/** Who is told of failures. */
export interface ScheduleOwner {
  name?: string;
  webhook?: string;
}

/** A spec read in full: the planner's config, the task, the owner. */
export interface ReadSchedule {
  config: ScheduleConfig;
  task: ScheduleTask;
  owner: ScheduleOwner;
}

/** The outcome of {@link scheduleConfig}: what the schedule runs, or why it cannot. */
export type ParsedSpec = ({ ok: true } & ReadSchedule) | { ok: false; message: string };

const POLICIES: ReadonlySet<string> = new Set(['Allow', 'Forbid', 'Replace']);

function readTask(s: Record<string, unknown>): ScheduleTask {
  const cpus = optNumber(s, 'cpus', 'spec', { above: 0, max: 1_000_000 });
  const mem = optQuantity(s, 'mem', 'spec', true);
  const disk = optQuantity(s, 'disk', 'spec', false);
  const env = readEnv(s, 'spec');
  const uris = readUris(s, 'spec');
  return {
    command: readCommand(s, 'spec'),
    cpus: cpus ?? SPEC_DEFAULTS.cpus,
    mem: mem ?? SPEC_DEFAULTS.mem,
    ...(disk !== undefined ? { disk } : {}),
    ...(env !== undefined ? { env } : {}),
    ...(uris !== undefined ? { uris } : {}),
    constraints: readConstraints(s, 'spec') ?? [],
  };
}

function readOwner(s: Record<string, unknown>): ScheduleOwner {
  const o = optFields(s, 'owner', 'spec');
  if (!o) return {};
  const name = optString(o, 'name', 'spec.owner', 253);
  const webhook = optString(o, 'webhook', 'spec.owner', 2048);
  if (webhook !== undefined && !/^https?:\/\/./.test(webhook))
    throw new ValidationError('spec.owner.webhook', 'must be an http:// or https:// URL');
  return { ...(name !== undefined ? { name } : {}), ...(webhook !== undefined ? { webhook } : {}) };
}

/** Reads a spec into the planner's configuration; problems come back as a message. */
export function scheduleConfig(name: string, raw: unknown): ParsedSpec {
  const read = readSpec((): ReadSchedule => {
    const s = fields(raw, 'spec');
    const parents = optList(s, 'parents', 'spec', 256, stringItem(253)) ?? [];
    const schedule = optString(s, 'schedule', 'spec', 1024);
    if (schedule === undefined && parents.length === 0) {
      throw new ValidationError('spec', 'set a schedule or at least one parent');
    }
    const zone = optString(s, 'timeZone', 'spec', 64) ?? SPEC_DEFAULTS.timeZone;
    const recurrence = schedule === undefined ? undefined : readRecurrence(schedule, zone);
    if (recurrence && !recurrence.ok) throw new ValidationError('', recurrence.message);
    const policy = optString(s, 'concurrencyPolicy', 'spec', 16) ?? 'Allow';
    if (!POLICIES.has(policy))
      throw new ValidationError('spec.concurrencyPolicy', 'must be Allow, Forbid or Replace');
    const epsilon = optString(s, 'epsilon', 'spec', 64) ?? SPEC_DEFAULTS.epsilon;
    const backoff = optString(s, 'retryBackoff', 'spec', 64) ?? SPEC_DEFAULTS.retryBackoff;
    const retries = optNumber(s, 'retries', 'spec', { integer: true, min: 0, max: 1000 });
    const history = optNumber(s, 'historyLimit', 'spec', {
      integer: true,
      min: 0,
      max: MAX_HISTORY,
    });
    const task = readTask(s);
    return {
      config: {
        name,
        ...(recurrence?.ok ? { recurrence: recurrence.recurrence } : {}),
        parents,
        epsilonMs: durationMs(epsilon, 'spec.epsilon'),
        retries: retries ?? SPEC_DEFAULTS.retries,
        retryBackoffMs: durationMs(backoff, 'spec.retryBackoff'),
        retryBackoffFactor: SPEC_DEFAULTS.backoffFactor,
        maxRetryBackoffMs: SPEC_DEFAULTS.maxBackoffMs,
        concurrency: policy as ConcurrencyPolicy,
        disabled: optBool(s, 'disabled', 'spec') ?? false,
        historyLimit: history ?? SPEC_DEFAULTS.historyLimit,
      },
      task,
      owner: readOwner(s),
    };
  });
  return read.ok ? { ok: true, ...read.value } : { ok: false, message: read.problem.message };
}

/** Settings for a schedule that never had a valid spec: its runs end without retries. */
export function fallbackConfig(name: string): ScheduleConfig {
  return {
    name,
    parents: [],
    epsilonMs: 0,
    retries: 0,
    retryBackoffMs: 0,
    retryBackoffFactor: 1,
    maxRetryBackoffMs: 0,
    concurrency: 'Allow',
    disabled: true,
    historyLimit: SPEC_DEFAULTS.historyLimit,
  };
}

/**
 * The text nextRun was computed from: when it changes (a new schedule or zone), the
 * persisted nextRun belongs to the old calendar and is recomputed.
 */
export function scheduleIdentity(spec: unknown): string {
  const s = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  const text = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  return `${text(s.schedule, '')} ${text(s.timeZone, SPEC_DEFAULTS.timeZone)}`;
}

/** What a run's task asks of an offer. */
export function scheduleNeeds(task: ScheduleTask): TaskNeeds {
  return {
    cpus: task.cpus,
    mem: task.mem,
    ...(task.disk !== undefined ? { disk: task.disk } : {}),
    constraints: task.constraints,
  };
}
