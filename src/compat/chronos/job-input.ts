/**
 * A Chronos job hash, as POST /v1/scheduler/iso8601 and /dependency receive it, read as
 * hostile input and translated into a Schedule spec. Every field Chronos defines is
 * either mapped, accepted as a read-only status field (clients post back what they
 * listed), or accepted only at the value that means "nothing special" and refused
 * otherwise: no field that would change what runs is dropped in silence. Unknown fields
 * are refused too. See docs/compat/chronos.md for the table.
 */
import { dnsSubdomainErrors } from '../../api/metadata.js';
import { ValidationError } from '../../shared/errors.js';
import { describe, readSpec, type ReadResult } from '../../frameworks/spec-reader.js';

/** Which endpoint a job came through: a calendar job or a dependent one. */
export type JobEndpoint = 'iso8601' | 'dependency';

/** Annotations keeping the Chronos fields that have no place in a Schedule spec. */
export const OWNER_NAME_ANNOTATION = 'chronos.mezzo.dev/owner-name';
export const DESCRIPTION_ANNOTATION = 'chronos.mezzo.dev/description';

/** Chronos' defaults for what a run asks of an offer (MB for mem and disk). */
export const CHRONOS_DEFAULTS = { cpus: 0.1, mem: 128, disk: 256 } as const;

/** A job read from Chronos JSON: the Schedule's name, spec and annotations. */
export interface ChronosJob {
  name: string;
  spec: Record<string, unknown>;
  annotations: Record<string, string>;
}

/** Status fields of Chronos' job JSON: accepted on input (clients echo them) and ignored. */
const READ_ONLY = new Set([
  'successCount',
  'errorCount',
  'lastSuccess',
  'lastError',
  'errorsSinceLastSuccess',
]);

/**
 * Fields Mezzo cannot honour: accepted only at the value that asks for nothing (the
 * listed value, an empty string, an empty list or null), refused otherwise, with why.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  async: 'asynchronous jobs (completion reported over the API) are not supported',
  softError: 'softError is not supported: every failed run counts as an error',
  highPriority: 'high-priority offers are not supported',
  dataJob: 'data jobs (progress tracking) are not supported',
  executor: 'custom executors are not supported; jobs run under the agent',
  executorFlags: 'custom executors are not supported',
  taskInfoData: 'custom TaskInfo data is not supported',
  runAsUser: 'runAsUser is not supported: jobs run as the schedules framework user',
  container: 'containers are not supported by Schedules; run a command',
  mesosUser: 'mesosUser is not supported',
};

const MAPPED = new Set([
  'name',
  'command',
  'shell',
  'arguments',
  'schedule',
  'scheduleTimeZone',
  'parents',
  'epsilon',
  'owner',
  'ownerName',
  'description',
  'retries',
  'cpus',
  'mem',
  'disk',
  'uris',
  'fetch',
  'environmentVariables',
  'disabled',
  'concurrent',
  'constraints',
]);

/** Every field name of Chronos' job JSON that this API knows (mapped, read-only or refused). */
export const CHRONOS_JOB_FIELDS: readonly string[] = [
  ...MAPPED,
  ...READ_ONLY,
  ...Object.keys(UNSUPPORTED),
];

/** Chronos' constraint operators; Mezzo's share their meaning. */
const CONSTRAINT_OPERATORS = new Set(['EQUALS', 'LIKE', 'UNLIKE']);

/** `R[n]/[start]/<duration>`: Chronos' schedule, with an optional start. */
const REPEATING = /^R([0-9]{0,9})\/([^/]*)\/(P[0-9A-Z.,]+)$/;

function fail(path: string, why: string): never {
  throw new ValidationError(path, why);
}

function isFlag(v: unknown, off: boolean): boolean {
  return v === undefined || v === null || v === off;
}

function optString(o: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(key, `must be a string, not ${describe(v)}`);
  if (v.length > max) fail(key, `is longer than ${max} characters`);
  return v;
}

function optBool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(key, `must be true or false, not ${describe(v)}`);
  return v;
}

/** A number Chronos sends as a number or (in its own examples) as a numeric string. */
function optAmount(
  o: Record<string, unknown>,
  key: string,
  bounds: { min: number; max: number; whole: boolean },
): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    fail(key, `must be a number, not ${describe(v)}`);
  if (n < bounds.min || n > bounds.max)
    fail(key, `must be between ${bounds.min} and ${bounds.max}, not ${n}`);
  if (bounds.whole && !Number.isInteger(n)) fail(key, `must be a whole number of MB, not ${n}`);
  return n;
}

function optList(o: Record<string, unknown>, key: string, max: number): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(key, `must be a list, not ${describe(v)}`);
  if (v.length > max) fail(key, `has more than ${max} entries`);
  return v as unknown[];
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(path, `must be an object, not ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** A job name must be a Schedule name: a DNS subdomain (lower case, digits, '-', '.'). */
export function jobNameErrors(name: string): string | undefined {
  const errs = dnsSubdomainErrors(name);
  return errs.length === 0
    ? undefined
    : `job name ${describe(name)} cannot be a Schedule name (a Kubernetes object name): ${errs.join('; ')}`;
}

function readName(o: Record<string, unknown>): string {
  const name = optString(o, 'name', 253);
  if (name === undefined || name === '') fail('name', 'is required');
  const why = jobNameErrors(name);
  if (why) fail('name', why);
  return name;
}

/**
 * The schedule: Chronos' `R[n]/<start>/<period>`. An empty start means "now" in Chronos;
 * here it becomes the request's time, written out, so the stored calendar is explicit.
 */
function readSchedule(o: Record<string, unknown>, now: number): string {
  const text = optString(o, 'schedule', 256);
  if (text === undefined || text === '')
    fail('schedule', 'is required at /v1/scheduler/iso8601 (use /dependency for parents)');
  const m = REPEATING.exec(text);
  if (!m)
    fail(
      'schedule',
      `${describe(text)} is not an ISO 8601 repeating interval R[n]/<start>/<period>, e.g. R/2026-03-15T11:44:03Z/PT1H`,
    );
  const start = m[2] ?? '';
  return start === '' ? `R${m[1] ?? ''}/${new Date(now).toISOString()}/${m[3] ?? ''}` : text;
}

function readCommand(o: Record<string, unknown>): Record<string, unknown> {
  const command = optString(o, 'command', 32768);
  if (command === undefined || command === '') fail('command', 'is required');
  const shell = optBool(o, 'shell') ?? true;
  const args = (optList(o, 'arguments', 255) ?? []).map((a, i) =>
    typeof a === 'string' ? a : fail(`arguments[${i}]`, `must be a string, not ${describe(a)}`),
  );
  if (shell) {
    // Chronos ignores arguments when shell is true; here that is a refusal, not a drop.
    if (args.length > 0)
      fail(
        'arguments',
        'are ignored by Chronos when shell is true; set shell to false to pass them',
      );
    return { command };
  }
  return { args: [command, ...args] };
}

function readEnv(o: Record<string, unknown>): Record<string, string> | undefined {
  const list = optList(o, 'environmentVariables', 128);
  if (!list) return undefined;
  // A Map, then own properties: a variable named __proto__ stays a variable.
  const env = new Map<string, string>();
  list.forEach((raw, i) => {
    const e = record(raw, `environmentVariables[${i}]`);
    const name = e['name'];
    const value = e['value'] ?? '';
    if (typeof name !== 'string' || name === '')
      fail(`environmentVariables[${i}].name`, 'must be a non-empty string');
    if (typeof value !== 'string')
      fail(`environmentVariables[${i}].value`, `must be a string, not ${describe(value)}`);
    if (env.has(name)) fail(`environmentVariables[${i}]`, `${name} is given twice`);
    env.set(name, value);
  });
  return env.size > 0 ? Object.fromEntries(env) : undefined;
}

function readUris(o: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const plain = (optList(o, 'uris', 32) ?? []).map((u, i) =>
    typeof u === 'string'
      ? { value: u }
      : fail(`uris[${i}]`, `must be a string, not ${describe(u)}`),
  );
  const fetched = (optList(o, 'fetch', 32) ?? []).map((raw, i) => {
    const f = record(raw, `fetch[${i}]`);
    const known = new Set(['uri', 'cache', 'extract', 'executable', 'outputFile']);
    const extra = Object.keys(f).find((k) => !known.has(k));
    if (extra !== undefined) fail(`fetch[${i}].${extra}`, 'is not a known fetch field');
    const uri = optString(f, 'uri', 4096);
    if (uri === undefined) fail(`fetch[${i}].uri`, 'is required');
    const out: Record<string, unknown> = { value: uri };
    for (const k of ['cache', 'extract', 'executable'] as const) {
      const b = optBool(f, k);
      if (b !== undefined) out[k] = b;
    }
    const file = optString(f, 'outputFile', 255);
    if (file !== undefined && file !== '') out['outputFile'] = file;
    return out;
  });
  const all = [...plain, ...fetched];
  return all.length > 0 ? all : undefined;
}

function readConstraints(o: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const list = optList(o, 'constraints', 16);
  if (!list || list.length === 0) return undefined;
  return list.map((raw, i) => {
    if (!Array.isArray(raw) || raw.length !== 3 || !raw.every((x) => typeof x === 'string'))
      fail(`constraints[${i}]`, 'must be [attribute, operator, value], three strings');
    const [attribute, operator, value] = raw as [string, string, string];
    if (!CONSTRAINT_OPERATORS.has(operator))
      fail(`constraints[${i}]`, `operator ${describe(operator)} is not EQUALS, LIKE or UNLIKE`);
    return { attribute, operator, value };
  });
}

/** Fields outside Chronos' job JSON, or Chronos features Mezzo cannot run, by name. */
function refuseUnsupported(o: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(o)) {
    // Own keys only: `constructor` or `toString` in a body are unknown fields, not methods.
    const why = Object.hasOwn(UNSUPPORTED, key) ? UNSUPPORTED[key] : undefined;
    if (why !== undefined) {
      const off =
        isFlag(v, false) || v === '' || (Array.isArray(v) && v.length === 0) || v === null;
      if (!off) fail(key, why);
    } else if (!MAPPED.has(key) && !READ_ONLY.has(key)) {
      fail(key, 'is not a Chronos job field that Mezzo knows');
    }
  }
}

function readJob(raw: unknown, endpoint: JobEndpoint, now: number): ChronosJob {
  const o = record(raw, 'job');
  refuseUnsupported(o);
  const name = readName(o);
  const spec: Record<string, unknown> = { ...readCommand(o) };
  const parents = optList(o, 'parents', 32);
  if (endpoint === 'iso8601') {
    if (parents && parents.length > 0)
      fail('parents', 'belong to dependent jobs: POST them to /v1/scheduler/dependency');
    spec['schedule'] = readSchedule(o, now);
  } else {
    if (!parents || parents.length === 0)
      fail('parents', 'is required at /v1/scheduler/dependency (a non-empty list of job names)');
    if (o['schedule'] !== undefined && o['schedule'] !== null && o['schedule'] !== '')
      fail('schedule', 'a dependent job has parents, not a schedule: POST it to /iso8601');
    spec['parents'] = parents.map((p, i) => {
      if (typeof p !== 'string') fail(`parents[${i}]`, `must be a string, not ${describe(p)}`);
      const why = jobNameErrors(p);
      if (why) fail(`parents[${i}]`, why);
      return p;
    });
  }
  const zone = optString(o, 'scheduleTimeZone', 64);
  if (zone) spec['timeZone'] = zone;
  const epsilon = optString(o, 'epsilon', 64);
  if (epsilon) spec['epsilon'] = epsilon;
  const retries = optAmount(o, 'retries', { min: 0, max: 100, whole: true });
  if (retries !== undefined) spec['retries'] = retries;
  spec['cpus'] =
    optAmount(o, 'cpus', { min: 0.001, max: 1_000_000, whole: false }) ?? CHRONOS_DEFAULTS.cpus;
  const limits = { min: 1, max: 1 << 30, whole: true };
  spec['mem'] = optAmount(o, 'mem', limits) ?? CHRONOS_DEFAULTS.mem;
  spec['disk'] = optAmount(o, 'disk', { ...limits, min: 0 }) ?? CHRONOS_DEFAULTS.disk;
  const env = readEnv(o);
  if (env) spec['env'] = env;
  const uris = readUris(o);
  if (uris) spec['uris'] = uris;
  const constraints = readConstraints(o);
  if (constraints) spec['constraints'] = constraints;
  spec['disabled'] = optBool(o, 'disabled') ?? false;
  // Chronos runs one instance of a job at a time unless it is concurrent; a run due
  // meanwhile is skipped, as Forbid does.
  spec['concurrencyPolicy'] = optBool(o, 'concurrent') ? 'Allow' : 'Forbid';
  const owner = optString(o, 'owner', 253);
  if (owner) spec['owner'] = { name: owner };
  const annotations: Record<string, string> = {};
  const ownerName = optString(o, 'ownerName', 1024);
  if (ownerName) annotations[OWNER_NAME_ANNOTATION] = ownerName;
  const description = optString(o, 'description', 4096);
  if (description) annotations[DESCRIPTION_ANNOTATION] = description;
  return { name, spec, annotations };
}

/** Reads a Chronos job hash posted to `endpoint` at time `now` (ms). */
export function jobFromChronos(
  raw: unknown,
  endpoint: JobEndpoint,
  now: number,
): ReadResult<ChronosJob> {
  return readSpec(() => readJob(raw, endpoint, now));
}
