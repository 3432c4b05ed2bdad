/**
 * A Schedule object's spec as the framework reads it, and its translation into the
 * planner's {@link ScheduleConfig} and the SDK's {@link TaskNeeds}. Parsing is a value:
 * a bad schedule text or time zone becomes a condition on the object, not an exception
 * that would stop the framework's loop.
 */
import type { Constraint } from '../../sdk/constraints.js';
import type { TaskNeeds } from '../../sdk/offers.js';
import type { FetchUri } from '../../sdk/tasks.js';
import { ValidationError } from '../../shared/errors.js';
import type { ConcurrencyPolicy, ScheduleConfig } from './planner.js';
import { durationMs, parseRecurrence } from './recurrence.js';

/** The Schedule spec fields (camelCase, as in the CRD). */
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

/** The outcome of {@link scheduleConfig}: a config, or why the spec cannot run. */
export type ParsedSpec = { ok: true; config: ScheduleConfig } | { ok: false; message: string };

/** Parses a spec into the planner's configuration; problems come back as a message. */
export function scheduleConfig(name: string, spec: ScheduleSpec): ParsedSpec {
  try {
    const parents = spec.parents ?? [];
    if (spec.schedule === undefined && parents.length === 0) {
      throw new ValidationError('spec', 'set a schedule or at least one parent');
    }
    if ((spec.command === undefined) === (spec.args === undefined)) {
      throw new ValidationError('spec', 'set exactly one of command or args');
    }
    const zone = spec.timeZone ?? SPEC_DEFAULTS.timeZone;
    return {
      ok: true,
      config: {
        name,
        ...(spec.schedule !== undefined
          ? { recurrence: parseRecurrence(spec.schedule, zone, 'spec.schedule') }
          : {}),
        parents,
        epsilonMs: durationMs(spec.epsilon ?? SPEC_DEFAULTS.epsilon, 'spec.epsilon'),
        retries: spec.retries ?? SPEC_DEFAULTS.retries,
        retryBackoffMs: durationMs(
          spec.retryBackoff ?? SPEC_DEFAULTS.retryBackoff,
          'spec.retryBackoff',
        ),
        retryBackoffFactor: SPEC_DEFAULTS.backoffFactor,
        maxRetryBackoffMs: SPEC_DEFAULTS.maxBackoffMs,
        concurrency: spec.concurrencyPolicy ?? 'Allow',
        disabled: spec.disabled ?? false,
        historyLimit: spec.historyLimit ?? SPEC_DEFAULTS.historyLimit,
      },
    };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, message: err.message };
    throw err;
  }
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
export function scheduleIdentity(spec: ScheduleSpec): string {
  return `${spec.schedule ?? ''} ${spec.timeZone ?? SPEC_DEFAULTS.timeZone}`;
}

/** What a run's task asks of an offer. */
export function scheduleNeeds(spec: ScheduleSpec): TaskNeeds {
  return {
    cpus: spec.cpus ?? SPEC_DEFAULTS.cpus,
    mem: spec.mem ?? SPEC_DEFAULTS.mem,
    ...(spec.disk !== undefined ? { disk: spec.disk } : {}),
    constraints: (spec.constraints ?? []).map((c) => ({
      field: c.attribute,
      operator: c.operator as Constraint['operator'],
      ...(c.value !== undefined ? { value: c.value } : {}),
    })),
  };
}
