/**
 * A Schedule shown as a Chronos job: its spec in Chronos' job JSON and its status as
 * Chronos' counters (successCount, errorCount, lastSuccess, lastError,
 * errorsSinceLastSuccess), plus the summary entry and the last state/current state
 * words Chronos' summary and graph endpoints use. Specs written natively (cron
 * schedules, quantities such as 1Gi) are shown in Chronos' units where they exist.
 */
import { parseQuantity } from '../../allocator/index.js';
import { fromStatus } from '../../frameworks/schedules/status.js';
import type { RunRecord } from '../../frameworks/schedules/planner.js';
import type { StoredObject } from '../../store/types.js';
import { DESCRIPTION_ANNOTATION, OWNER_NAME_ANNOTATION } from './job-input.js';

/** Chronos' job JSON as this API answers it. */
export interface ChronosJobView {
  name: string;
  command: string;
  shell: boolean;
  arguments: string[];
  schedule?: string;
  scheduleTimeZone?: string;
  parents?: string[];
  epsilon: string;
  owner: string;
  ownerName: string;
  description: string;
  retries: number;
  cpus: number;
  mem: number;
  disk: number;
  uris: string[];
  fetch: {
    uri: string;
    cache: boolean;
    extract: boolean;
    executable: boolean;
    outputFile?: string;
  }[];
  environmentVariables: { name: string; value: string }[];
  constraints: string[][];
  disabled: boolean;
  concurrent: boolean;
  async: false;
  softError: false;
  highPriority: false;
  dataJob: false;
  executor: '';
  successCount: number;
  errorCount: number;
  lastSuccess: string;
  lastError: string;
  errorsSinceLastSuccess: number;
}

/** A summary entry (GET /v1/scheduler/jobs/summary). */
export interface ChronosJobSummary {
  name: string;
  status: LastState;
  state: string;
  schedule: string;
  parents: string[];
  disabled: boolean;
}

/** How a job's latest run ended: `fresh` when it never ran. */
export type LastState = 'success' | 'failure' | 'fresh';

interface Spec {
  command?: unknown;
  args?: unknown;
  schedule?: unknown;
  timeZone?: unknown;
  parents?: unknown;
  epsilon?: unknown;
  owner?: unknown;
  retries?: unknown;
  cpus?: unknown;
  mem?: unknown;
  disk?: unknown;
  uris?: unknown;
  env?: unknown;
  constraints?: unknown;
  disabled?: unknown;
  concurrencyPolicy?: unknown;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const records = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v)
    ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    : [];

/** A quantity in MiB, as Chronos counts mem and disk (0 when absent or unreadable). */
function mib(name: string, v: unknown): number {
  if (typeof v !== 'number' && typeof v !== 'string') return 0;
  try {
    return parseQuantity(name, v, name) / 1000;
  } catch {
    // The store validates quantities; an old object's unreadable one shows as 0.
    return 0;
  }
}

const iso = (ms: number | undefined): string =>
  ms === undefined ? '' : new Date(ms).toISOString();

/** Failed attempts since the latest success, from the runs status keeps. */
function errorsSince(history: readonly RunRecord[], lastSuccess: number | undefined): number {
  return history.filter(
    (r) =>
      r.result === 'Failed' && (lastSuccess === undefined || (r.finishedAt ?? 0) > lastSuccess),
  ).length;
}

/** The Schedule as Chronos' job JSON. */
export function jobView(obj: StoredObject): ChronosJobView {
  const s = obj.spec as Spec;
  const { state } = fromStatus(obj.status);
  const args = strings(s.args);
  const shell = typeof s.command === 'string';
  const ann = obj.metadata.annotations ?? {};
  const fetch = records(s.uris).map((u) => ({
    uri: typeof u['value'] === 'string' ? u['value'] : '',
    cache: u['cache'] === true,
    extract: u['extract'] === true,
    executable: u['executable'] === true,
    ...(typeof u['outputFile'] === 'string' ? { outputFile: u['outputFile'] } : {}),
  }));
  const env = typeof s.env === 'object' && s.env !== null ? Object.entries(s.env) : [];
  const owner =
    typeof s.owner === 'object' && s.owner !== null ? (s.owner as { name?: unknown }) : {};
  const parents = strings(s.parents);
  return {
    name: obj.metadata.name,
    command: shell ? (s.command as string) : (args[0] ?? ''),
    shell,
    arguments: shell ? [] : args.slice(1),
    ...(typeof s.schedule === 'string' ? { schedule: s.schedule } : {}),
    ...(typeof s.schedule === 'string'
      ? { scheduleTimeZone: typeof s.timeZone === 'string' ? s.timeZone : 'UTC' }
      : {}),
    ...(parents.length > 0 ? { parents } : {}),
    epsilon: typeof s.epsilon === 'string' ? s.epsilon : 'PT1M',
    owner: typeof owner.name === 'string' ? owner.name : '',
    ownerName: ann[OWNER_NAME_ANNOTATION] ?? '',
    description: ann[DESCRIPTION_ANNOTATION] ?? '',
    retries: typeof s.retries === 'number' ? s.retries : 2,
    cpus: typeof s.cpus === 'number' ? s.cpus : 0.1,
    mem: s.mem === undefined ? 32 : mib('mem', s.mem),
    disk: mib('disk', s.disk),
    uris: fetch.map((f) => f.uri),
    fetch,
    environmentVariables: env
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([name, value]) => ({ name, value })),
    constraints: records(s.constraints).map((c) =>
      strings([c['attribute'], c['operator'], c['value']]),
    ),
    disabled: s.disabled === true,
    concurrent: s.concurrencyPolicy === undefined || s.concurrencyPolicy === 'Allow',
    async: false,
    softError: false,
    highPriority: false,
    dataJob: false,
    executor: '',
    successCount: state.successCount,
    errorCount: state.errorCount,
    lastSuccess: iso(state.lastSuccess),
    lastError: iso(state.lastFailure),
    errorsSinceLastSuccess: errorsSince(state.history, state.lastSuccess),
  };
}

/** How the latest finished run ended, as Chronos' graph and summary say it. */
export function lastState(obj: StoredObject): LastState {
  const { state } = fromStatus(obj.status);
  if (state.lastSuccess === undefined && state.lastFailure === undefined) return 'fresh';
  if (state.lastFailure === undefined) return 'success';
  if (state.lastSuccess === undefined) return 'failure';
  return state.lastSuccess > state.lastFailure ? 'success' : 'failure';
}

/** What the job does now: `idle`, `queued` (waiting for an offer) or `N running`. */
export function currentState(obj: StoredObject): string {
  const status = (obj.status ?? {}) as { running?: unknown };
  const running = records(status.running);
  if (running.length === 0) return 'idle';
  const launched = running.filter((r) => r['phase'] === 'Launched').length;
  return launched === 0 ? 'queued' : `${launched} running`;
}

/** The summary entry of a Schedule. */
export function summaryView(obj: StoredObject): ChronosJobSummary {
  const s = obj.spec as Spec;
  return {
    name: obj.metadata.name,
    status: lastState(obj),
    state: currentState(obj),
    schedule: typeof s.schedule === 'string' ? s.schedule : '',
    parents: strings(s.parents),
    disabled: s.disabled === true,
  };
}
