/**
 * The schedule engine: a pure function of a schedule's configuration, its persisted state
 * and the time, returning the new state and what to do (launch a run, kill one, record a
 * missed run, tell the owner of a failure). It has no timers and no I/O, so tests drive
 * it with any clock, and a new controller leader resumes exactly where the state says:
 * run IDs are derived from the scheduled time and attempt, so a run is never started
 * twice (the second create of the same ID fails) and, because `nextRun` is persisted
 * before runs are launched, none is forgotten.
 */
import type { Recurrence } from './recurrence.js';

/** What to do when a run is due while an earlier one is still running. */
export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

/** A schedule's behaviour, parsed and validated. */
export interface ScheduleConfig {
  name: string;
  /** Time-based trigger; absent for jobs that run only after their parents. */
  recurrence?: Recurrence;
  parents: readonly string[];
  /** How late a run may still start. */
  epsilonMs: number;
  /** Extra attempts after a failure. */
  retries: number;
  /** First retry delay; each later one is `retryBackoffFactor` times longer, up to max. */
  retryBackoffMs: number;
  retryBackoffFactor: number;
  maxRetryBackoffMs: number;
  concurrency: ConcurrencyPolicy;
  disabled: boolean;
  historyLimit: number;
}

/** Why a run started. */
export type RunTrigger = 'schedule' | 'dependency' | 'manual' | 'retry';

/** One run (one attempt) of a schedule. */
export interface RunRecord {
  id: string;
  scheduledTime: number;
  attempt: number;
  trigger: RunTrigger;
  startedAt: number;
  finishedAt?: number;
  result?: 'Succeeded' | 'Failed' | 'Killed';
  message?: string;
  /** Words appended to the command for this run only (a run-now with arguments). */
  arguments?: readonly string[];
}

/** A run that did not happen, and why. */
export interface MissedRun {
  scheduledTime: number;
  reason: 'OutsideEpsilon' | 'Superseded' | 'StillRunning' | 'Disabled';
  recordedAt: number;
}

/** Persisted state (the Schedule's status). */
export interface ScheduleState {
  nextRun?: number;
  lastSuccess?: number;
  lastFailure?: number;
  /** Start of the latest run, for "parents succeeded since my last run". */
  lastRunStart?: number;
  successCount: number;
  errorCount: number;
  running: RunRecord[];
  /** Newest first, at most historyLimit. */
  history: RunRecord[];
  /** Newest first, at most historyLimit. */
  missed: MissedRun[];
  /** A retry repeats its run, arguments included. */
  pendingRetry?: {
    at: number;
    scheduledTime: number;
    attempt: number;
    arguments?: readonly string[];
  };
  /** A manual "run now" request not yet served (from `mezzo run-schedule` or an annotation). */
  manualRequest?: number;
  /** The arguments of the manual request not yet served, if it has any. */
  manualArguments?: readonly string[];
}

/** What the caller must do. */
export type ScheduleAction =
  | { type: 'launch'; run: RunRecord }
  | { type: 'kill'; runId: string; reason: string }
  /** A run that did not happen; `until`: superseded runs reach up to then. */
  | { type: 'missed'; missed: MissedRun; until?: number }
  | { type: 'notifyFailure'; run: RunRecord; attempts: number };

/** Facts about other schedules the planner needs. */
export interface PlanContext {
  /** Time of the latest success of another schedule, if any. */
  lastSuccessOf(name: string): number | undefined;
}

/** A fresh state. */
export function initialState(): ScheduleState {
  return { successCount: 0, errorCount: 0, running: [], history: [], missed: [] };
}

/**
 * The deterministic ID of a run: `<name>-<scheduled epoch milliseconds>-<attempt>`. In
 * milliseconds so that two manual runs asked for within one second are two runs.
 */
export function runId(name: string, scheduledTime: number, attempt: number): string {
  return `${name}-${Math.floor(scheduledTime)}-${attempt}`;
}

/**
 * Runs of one schedule in progress at once, at most: with concurrency Allow and a job
 * that never ends, a run due beyond this is missed (StillRunning) rather than started.
 */
export const MAX_RUNNING_RUNS = 100;

function withCap<T>(list: T[], item: T, cap: number): T[] {
  return [item, ...list].slice(0, Math.max(0, cap));
}

/**
 * Advances a schedule to `now`: serves a manual request, a due retry, due occurrences
 * (the latest within epsilon runs; earlier ones are recorded as superseded, a latest one
 * outside epsilon as late) and dependency triggers.
 */
export function plan(
  cfg: ScheduleConfig,
  prev: ScheduleState,
  now: number,
  ctx: PlanContext,
): { state: ScheduleState; actions: ScheduleAction[] } {
  let state: ScheduleState = { ...prev, running: [...prev.running] };
  const actions: ScheduleAction[] = [];
  const missed = (m: MissedRun, until?: number) => {
    state = { ...state, missed: withCap(state.missed, m, cfg.historyLimit) };
    actions.push({ type: 'missed', missed: m, ...(until !== undefined ? { until } : {}) });
  };
  const start = (
    scheduledTime: number,
    attempt: number,
    trigger: RunTrigger,
    args?: readonly string[],
  ): void => {
    if (state.running.length >= MAX_RUNNING_RUNS) {
      missed({ scheduledTime, reason: 'StillRunning', recordedAt: now });
      return;
    }
    if (state.running.length > 0 && trigger !== 'retry') {
      if (cfg.concurrency === 'Forbid') {
        missed({ scheduledTime, reason: 'StillRunning', recordedAt: now });
        return;
      }
      if (cfg.concurrency === 'Replace') {
        for (const r of state.running)
          actions.push({ type: 'kill', runId: r.id, reason: 'replaced by a newer run' });
      }
    }
    const run: RunRecord = {
      id: runId(cfg.name, scheduledTime, attempt),
      scheduledTime,
      attempt,
      trigger,
      startedAt: now,
      ...(args !== undefined ? { arguments: args } : {}),
    };
    state = { ...state, running: [...state.running, run], lastRunStart: now };
    actions.push({ type: 'launch', run });
  };

  if (state.manualRequest !== undefined) {
    const at = state.manualRequest;
    const args = state.manualArguments;
    state = { ...state, manualRequest: undefined, manualArguments: undefined };
    start(at, 1, 'manual', args);
  }

  if (state.pendingRetry && state.pendingRetry.at <= now) {
    const { scheduledTime, attempt, arguments: args } = state.pendingRetry;
    state = { ...state, pendingRetry: undefined };
    start(scheduledTime, attempt, 'retry', args);
  }

  if (cfg.recurrence) {
    const r = cfg.recurrence;
    if (state.nextRun === undefined) state = { ...state, nextRun: r.nextAfter(now - 1) };
    const due = state.nextRun;
    if (due !== undefined && due <= now) {
      // Straight to the latest occurrence due, however long the outage: never one by one.
      // Those between the first due and it are superseded, recorded once, as a span.
      const latest = Math.max(due, r.latestAtOrBefore(now) ?? due);
      state = { ...state, nextRun: r.nextAfter(now) };
      const before = r.latestAtOrBefore(latest - 1);
      if (before !== undefined && before >= due)
        missed({ scheduledTime: due, reason: 'Superseded', recordedAt: now }, before);
      if (cfg.disabled) missed({ scheduledTime: latest, reason: 'Disabled', recordedAt: now });
      else if (now - latest > cfg.epsilonMs)
        missed({ scheduledTime: latest, reason: 'OutsideEpsilon', recordedAt: now });
      else start(latest, 1, 'schedule');
    }
  }

  if (cfg.parents.length > 0 && !cfg.disabled) {
    const since = state.lastRunStart ?? Number.NEGATIVE_INFINITY;
    const successes = cfg.parents.map((p) => ctx.lastSuccessOf(p));
    const ready = successes.every((s) => s !== undefined && s > since);
    if (ready && state.running.length === 0 && state.pendingRetry === undefined) {
      // Keyed by the newest parent success, so every replica derives the same run ID.
      start(Math.max(...successes.map((s) => s ?? 0)), 1, 'dependency');
    }
  }

  return { state, actions };
}

/**
 * Records the end of a run: success counts and timestamps, a retry with backoff while
 * attempts remain, a failure notification once they are exhausted.
 */
export function finishRun(
  cfg: ScheduleConfig,
  prev: ScheduleState,
  id: string,
  result: 'Succeeded' | 'Failed' | 'Killed',
  now: number,
  message = '',
): { state: ScheduleState; actions: ScheduleAction[] } {
  const run = prev.running.find((r) => r.id === id);
  if (!run) return { state: prev, actions: [] }; // already recorded: updates are at-least-once
  const done: RunRecord = { ...run, finishedAt: now, result, message };
  let state: ScheduleState = {
    ...prev,
    running: prev.running.filter((r) => r.id !== id),
    history: withCap(prev.history, done, cfg.historyLimit),
  };
  const actions: ScheduleAction[] = [];
  if (result === 'Succeeded') {
    state = { ...state, successCount: state.successCount + 1, lastSuccess: now };
  } else {
    state = { ...state, errorCount: state.errorCount + 1, lastFailure: now };
    const replaced = result === 'Killed' && message === 'replaced by a newer run';
    if (!replaced && run.attempt <= cfg.retries) {
      const delay = Math.min(
        cfg.maxRetryBackoffMs,
        cfg.retryBackoffMs * cfg.retryBackoffFactor ** (run.attempt - 1),
      );
      state = {
        ...state,
        pendingRetry: {
          at: now + delay,
          scheduledTime: run.scheduledTime,
          attempt: run.attempt + 1,
          ...(run.arguments !== undefined ? { arguments: run.arguments } : {}),
        },
      };
    } else if (!replaced) {
      actions.push({ type: 'notifyFailure', run: done, attempts: run.attempt });
    }
  }
  return { state, actions };
}

/** The earliest time `plan` has something to do, for the caller's timer. */
export function nextWakeup(state: ScheduleState): number | undefined {
  const times = [state.nextRun, state.pendingRetry?.at].filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}
