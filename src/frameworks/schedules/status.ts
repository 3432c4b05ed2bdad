/**
 * The Schedule's status is the framework's memory: the planner's state (times in ms)
 * written as RFC 3339 timestamps, plus what failover needs — the phase of each run in
 * progress (Launching: recorded but maybe never accepted; Launched: accepted), the last
 * run-now annotation value served, and the calendar nextRun was computed from. A new
 * framework instance rebuilds everything from here.
 */
import {
  MAX_RUNNING_RUNS,
  type MissedRun,
  type RunRecord,
  type RunTrigger,
  type ScheduleState,
} from './planner.js';
import { storedArguments } from './run-arguments.js';

/** Entries read back per list of a status (history, missed): a hand-edited one is cut. */
const MAX_READ_BACK = 1000;

/** Where a run in progress is: recorded before its offer is accepted, or accepted. */
export type RunPhase = 'Launching' | 'Launched';

/** What the framework persists per schedule. */
export interface PersistedSchedule {
  state: ScheduleState;
  /** Phase of each run in `state.running`, by run ID. */
  phases: Map<string, RunPhase>;
  handledRunNow?: string;
  observedSchedule?: string;
}

/** A Kubernetes-style condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The task ID of a run: unique per run and attempt, so a second launch of it is refused. */
export function taskIdOf(namespace: string, runId: string): string {
  return `schedule.${namespace}.${runId}`;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function ms(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

// JSON drops undefined fields, which keeps the "write only on a difference" comparison exact.
function runStatus(namespace: string, r: RunRecord): Record<string, unknown> {
  return {
    id: r.id,
    task: taskIdOf(namespace, r.id),
    scheduledTime: iso(r.scheduledTime),
    attempt: r.attempt,
    trigger: r.trigger,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    result: r.result,
    message: r.message,
    arguments: r.arguments,
  };
}

const TRIGGERS: ReadonlySet<string> = new Set(['schedule', 'dependency', 'manual', 'retry']);
const RESULTS: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Killed']);
const REASONS: ReadonlySet<string> = new Set([
  'OutsideEpsilon',
  'Superseded',
  'StillRunning',
  'Disabled',
]);

function runRecord(raw: Record<string, unknown>): RunRecord | undefined {
  const scheduledTime = ms(raw.scheduledTime);
  const startedAt = ms(raw.startedAt);
  if (typeof raw.id !== 'string' || scheduledTime === undefined || startedAt === undefined)
    return undefined;
  const trigger = typeof raw.trigger === 'string' && TRIGGERS.has(raw.trigger) ? raw.trigger : '';
  const finishedAt = ms(raw.finishedAt);
  const result = typeof raw.result === 'string' && RESULTS.has(raw.result) ? raw.result : '';
  const args = storedArguments(raw.arguments);
  return {
    id: raw.id,
    scheduledTime,
    attempt: attemptOf(raw.attempt, 1),
    trigger: (trigger || 'schedule') as RunTrigger,
    startedAt,
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(result ? { result: result as RunRecord['result'] } : {}),
    ...(typeof raw.message === 'string' ? { message: raw.message } : {}),
    ...(args !== undefined ? { arguments: args } : {}),
  };
}

// An attempt number from status: a positive whole number, else the default.
function attemptOf(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : fallback;
}

function records(raw: unknown, max: number): Record<string, unknown>[] {
  return Array.isArray(raw)
    ? raw
        .slice(0, max)
        .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    : [];
}

/** Reads what a previous framework instance persisted (tolerating missing fields). */
export function fromStatus(status: Record<string, unknown> | undefined): PersistedSchedule {
  const s = status ?? {};
  const phases = new Map<string, RunPhase>();
  const running: RunRecord[] = [];
  for (const raw of records(s.running, MAX_RUNNING_RUNS)) {
    const r = runRecord(raw);
    if (!r) continue;
    running.push(r);
    phases.set(r.id, raw.phase === 'Launched' ? 'Launched' : 'Launching');
  }
  const history = records(s.history, MAX_READ_BACK)
    .map(runRecord)
    .filter((r): r is RunRecord => r !== undefined);
  const missed: MissedRun[] = [];
  for (const raw of records(s.missed, MAX_READ_BACK)) {
    const scheduledTime = ms(raw.scheduledTime);
    if (scheduledTime === undefined || typeof raw.reason !== 'string' || !REASONS.has(raw.reason))
      continue;
    missed.push({
      scheduledTime,
      reason: raw.reason as MissedRun['reason'],
      recordedAt: ms(raw.recordedAt) ?? scheduledTime,
    });
  }
  const retry =
    typeof s.pendingRetry === 'object' && s.pendingRetry !== null
      ? (s.pendingRetry as Record<string, unknown>)
      : undefined;
  const retryAt = ms(retry?.at);
  const retryScheduled = ms(retry?.scheduledTime);
  const state: ScheduleState = {
    successCount: typeof s.successCount === 'number' ? s.successCount : 0,
    errorCount: typeof s.errorCount === 'number' ? s.errorCount : 0,
    running,
    history,
    missed,
  };
  const times = {
    nextRun: ms(s.nextRun),
    lastSuccess: ms(s.lastSuccess),
    lastFailure: ms(s.lastFailure),
    lastRunStart: ms(s.lastRunStart),
    manualRequest: ms(s.manualRequest),
  };
  for (const [k, v] of Object.entries(times)) if (v !== undefined) Object.assign(state, { [k]: v });
  const manualArguments = storedArguments(s.manualArguments);
  if (state.manualRequest !== undefined && manualArguments !== undefined)
    state.manualArguments = manualArguments;
  if (retryAt !== undefined && retryScheduled !== undefined) {
    const retryArguments = storedArguments(retry?.arguments);
    state.pendingRetry = {
      at: retryAt,
      scheduledTime: retryScheduled,
      attempt: attemptOf(retry?.attempt, 2),
      ...(retryArguments !== undefined ? { arguments: retryArguments } : {}),
    };
  }
  return {
    state,
    phases,
    ...(typeof s.handledRunNow === 'string' ? { handledRunNow: s.handledRunNow } : {}),
    ...(typeof s.observedSchedule === 'string' ? { observedSchedule: s.observedSchedule } : {}),
  };
}

/** The status document for `p` (conditions and generation supplied by the caller). */
export function toStatus(
  namespace: string,
  p: PersistedSchedule,
  conditions: Condition[],
  observedGeneration: number | undefined,
): Record<string, unknown> {
  const s = p.state;
  const doc: Record<string, unknown> = {
    nextRun: iso(s.nextRun),
    lastSuccess: iso(s.lastSuccess),
    lastFailure: iso(s.lastFailure),
    lastRunStart: iso(s.lastRunStart),
    successCount: s.successCount,
    errorCount: s.errorCount,
    running: s.running.map((r) => ({
      ...runStatus(namespace, r),
      phase: p.phases.get(r.id) ?? 'Launching',
    })),
    history: s.history.map((r) => runStatus(namespace, r)),
    missed: s.missed.map((m) => ({
      scheduledTime: iso(m.scheduledTime),
      reason: m.reason,
      recordedAt: iso(m.recordedAt),
    })),
    pendingRetry: s.pendingRetry && {
      at: iso(s.pendingRetry.at),
      scheduledTime: iso(s.pendingRetry.scheduledTime),
      attempt: s.pendingRetry.attempt,
      arguments: s.pendingRetry.arguments,
    },
    manualRequest: iso(s.manualRequest),
    manualArguments: s.manualArguments,
    handledRunNow: p.handledRunNow,
    observedSchedule: p.observedSchedule,
    observedGeneration,
    conditions,
  };
  // Round-trip through JSON so that absent fields are absent, not undefined.
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/**
 * The conditions a stored status holds, as far as they have the shape of one: a status is
 * user-editable, and a hand-written one must not break planning.
 */
export function readConditions(status: Record<string, unknown> | undefined): Condition[] {
  const out: Condition[] = [];
  for (const raw of records(status?.conditions, MAX_READ_BACK)) {
    const { type, status: s, lastTransitionTime, reason, message } = raw;
    if (
      typeof type !== 'string' ||
      (s !== 'True' && s !== 'False' && s !== 'Unknown') ||
      typeof lastTransitionTime !== 'string'
    )
      continue;
    out.push({
      type,
      status: s,
      lastTransitionTime,
      reason: typeof reason === 'string' ? reason : '',
      message: typeof message === 'string' ? message : '',
      ...(typeof raw.observedGeneration === 'number'
        ? { observedGeneration: raw.observedGeneration }
        : {}),
    });
  }
  return out;
}

/**
 * The Valid condition: True when the schedule can run, False with the reason (a cycle, an
 * unknown parent, a bad schedule text). The transition time is kept while the status
 * does not change, so rewriting the same condition is not a difference.
 */
export function validCondition(
  previous: Condition[] | undefined,
  problem: { reason: string; message: string } | undefined,
  generation: number | undefined,
  now: number,
): Condition[] {
  const status = problem ? 'False' : 'True';
  const reason = problem?.reason ?? 'Valid';
  const message = problem?.message ?? 'the schedule and its parents are valid';
  const before = previous?.find((c) => c.type === 'Valid');
  return [
    {
      type: 'Valid',
      status,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime:
        before?.status === status ? before.lastTransitionTime : new Date(now).toISOString(),
      reason,
      message,
    },
  ];
}
