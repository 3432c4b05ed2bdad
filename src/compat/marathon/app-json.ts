/**
 * Marathon's app definition to an App spec and back. Each Marathon field either maps to
 * a spec field, is output-only (AppInfo fields a client may echo back, ignored on
 * input), or has no Mezzo equivalent and is refused with a 422 naming it. Nothing is
 * dropped silently: an unknown field is refused too. The shapes are checked here only
 * as far as the mapping needs; the App's own validation (the CRD schema and the apps
 * framework's reader) runs on the result.
 */
import type { AppSpec, PortDefinition } from '../../frameworks/apps/app-spec.js';
import type { FetchUri, HealthCheckSpec } from '../../sdk/tasks.js';
import type { FieldProblem } from './errors.js';

/** What a Marathon app definition maps to. */
export type SpecResult =
  { ok: true; spec: Record<string, unknown> } | { ok: false; problems: FieldProblem[] };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** AppInfo fields a client may send back unchanged; they describe the app, not configure it. */
const OUTPUT_ONLY = new Set([
  'version',
  'versionInfo',
  'tasks',
  'tasksRunning',
  'tasksStaged',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'lastTaskFailure',
  'taskStats',
  'readinessCheckResults',
  'servicePorts',
]);

/** Fields copied as they are (same name, same meaning). */
const SAME = [
  'args',
  'cpus',
  'instances',
  'env',
  'labels',
  'role',
  'upgradeStrategy',
  'unreachableStrategy',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
] as const;

/** Why a Marathon field with no Mezzo equivalent is refused (unless empty or default). */
const REFUSED: Readonly<Record<string, { why: string; empty: (v: unknown) => boolean }>> = {
  container: { why: 'containers (Docker, Mesos images) are not supported', empty: isNone },
  docker: { why: 'Docker containers are not supported', empty: isNone },
  residency: { why: 'persistent volumes (residency) are not supported', empty: isNone },
  executor: { why: 'custom executors are not supported', empty: (v) => isNone(v) || v === '' },
  secrets: { why: 'secrets are not supported', empty: isNone },
  networks: { why: 'container networks are not supported', empty: isNone },
  ipAddress: { why: 'IP-per-task is not supported', empty: isNone },
  gpus: { why: 'GPUs are not offered by Mezzo agents', empty: (v) => isNone(v) || v === 0 },
  readinessChecks: { why: 'readiness checks are not supported', empty: isNone },
  dependencies: { why: 'app dependencies are not supported', empty: isNone },
  storeUrls: { why: 'storeUrls are not supported', empty: isNone },
  user: { why: 'apps run as the agent user; run-as is not mapped', empty: (v) => isNone(v) },
  taskRateLimit: { why: 'taskRateLimit is not supported', empty: isNone },
  requirePorts: { why: 'requirePorts is not supported (ports are host ports)', empty: notTrue },
  acceptedResourceRoles: {
    why: 'acceptedResourceRoles is not supported; use role',
    empty: (v) => isNone(v) || (Array.isArray(v) && v.length === 1 && v[0] === '*'),
  },
  killSelection: {
    why: 'only YOUNGEST_FIRST (Mezzo scales down the youngest instances first)',
    empty: (v) => isNone(v) || v === 'YOUNGEST_FIRST',
  },
};

function isNone(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

function notTrue(v: unknown): boolean {
  return v !== true;
}

/** Collects problems while mapping. */
class Problems {
  readonly list: FieldProblem[] = [];
  add(path: string, error: string): void {
    const p = this.list.find((x) => x.path === path);
    if (p) p.errors.push(error);
    else this.list.push({ path, errors: [error] });
  }
}

/** `[["hostname","UNIQUE"], ["rack","GROUP_BY","3"]]` → App constraints. */
function constraintsOf(v: unknown, p: Problems): AppSpec['constraints'] {
  if (!Array.isArray(v)) {
    p.add('/constraints', 'must be an array of [field, operator, value?] arrays');
    return undefined;
  }
  return v.flatMap((c: unknown, i) => {
    if (
      !Array.isArray(c) ||
      c.length < 2 ||
      c.length > 3 ||
      !c.every((x: unknown) => typeof x === 'string')
    ) {
      p.add(`/constraints(${i})`, 'must be [field, operator] or [field, operator, value]');
      return [];
    }
    const [attribute, operator, value] = c;
    return [
      {
        attribute: attribute ?? '',
        operator: operator ?? '',
        ...(value !== undefined ? { value } : {}),
      },
    ];
  });
}

/** Marathon's health check protocols Mezzo's agents run (the MESOS_ ones are the agent's anyway). */
const PROTOCOLS: Readonly<Record<string, HealthCheckSpec['type']>> = {
  HTTP: 'HTTP',
  MESOS_HTTP: 'HTTP',
  TCP: 'TCP',
  MESOS_TCP: 'TCP',
  COMMAND: 'COMMAND',
};

const HEALTH_KEYS = new Set([
  'protocol',
  'path',
  'portIndex',
  'port',
  'command',
  'gracePeriodSeconds',
  'intervalSeconds',
  'timeoutSeconds',
  'maxConsecutiveFailures',
  'delaySeconds',
  'ignoreHttp1xx',
]);

function healthCheckOf(v: unknown, at: string, p: Problems): Json | undefined {
  if (!isObject(v)) {
    p.add(at, 'must be an object');
    return undefined;
  }
  for (const k of Object.keys(v)) if (!HEALTH_KEYS.has(k)) p.add(`${at}/${k}`, 'unknown field');
  const protocol = v.protocol ?? 'HTTP';
  const type = typeof protocol === 'string' ? PROTOCOLS[protocol] : undefined;
  if (!type) p.add(`${at}/protocol`, `must be one of ${Object.keys(PROTOCOLS).join(', ')}`);
  if (v.ignoreHttp1xx === true) p.add(`${at}/ignoreHttp1xx`, 'is not supported');
  const cmd = v.command;
  const command = isObject(cmd) ? cmd.value : cmd;
  if (command !== undefined && command !== null && typeof command !== 'string')
    p.add(`${at}/command`, 'must be {"value": "..."}');
  const failures = v.maxConsecutiveFailures;
  const out: Json = {
    type,
    path: v.path ?? undefined,
    portIndex: v.portIndex ?? undefined,
    port: v.port ?? undefined,
    command: command ?? undefined,
    gracePeriodSeconds: v.gracePeriodSeconds ?? undefined,
    intervalSeconds: v.intervalSeconds ?? undefined,
    timeoutSeconds: v.timeoutSeconds ?? undefined,
    // Marathon's 0 means "never kill for failing checks".
    ...(failures === 0
      ? { killWhenUnhealthy: false }
      : { consecutiveFailures: failures ?? undefined }),
  };
  return Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined));
}

function portsOf(body: Json, p: Problems): PortDefinition[] | undefined {
  const defs = body.portDefinitions;
  const legacy = body.ports;
  if (!isNone(defs) && !isNone(legacy)) {
    p.add('/ports', 'set portDefinitions or ports, not both');
    return undefined;
  }
  if (!isNone(legacy)) {
    if (!Array.isArray(legacy) || !legacy.every((x) => typeof x === 'number')) {
      p.add('/ports', 'must be an array of port numbers');
      return undefined;
    }
    return legacy.map((port) => ({ port }));
  }
  if (defs === undefined || defs === null) return undefined;
  if (!Array.isArray(defs)) {
    p.add('/portDefinitions', 'must be an array');
    return undefined;
  }
  return defs.flatMap((d: unknown, i): PortDefinition[] => {
    const at = `/portDefinitions(${i})`;
    if (!isObject(d)) {
      p.add(at, 'must be an object');
      return [];
    }
    for (const k of Object.keys(d))
      if (!['port', 'name', 'protocol', 'labels'].includes(k)) p.add(`${at}/${k}`, 'unknown field');
    if (!isNone(d.labels)) p.add(`${at}/labels`, 'port labels are not supported');
    const out: Json = { port: d.port, name: d.name, protocol: d.protocol };
    return [
      Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined && x !== null)),
    ];
  });
}

function urisOf(body: Json, p: Problems): FetchUri[] | undefined {
  const fetch = body.fetch;
  const uris = body.uris;
  if (!isNone(fetch) && !isNone(uris)) {
    p.add('/uris', 'set fetch or uris, not both');
    return undefined;
  }
  if (!isNone(uris)) {
    if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) {
      p.add('/uris', 'must be an array of strings');
      return undefined;
    }
    // Marathon's uris unpack archives, as its fetcher did.
    return uris.map((value) => ({ value, extract: true }));
  }
  if (fetch === undefined || fetch === null) return undefined;
  if (!Array.isArray(fetch)) {
    p.add('/fetch', 'must be an array');
    return undefined;
  }
  return fetch.flatMap((f: unknown, i): FetchUri[] => {
    const at = `/fetch(${i})`;
    if (!isObject(f) || typeof f.uri !== 'string') {
      p.add(`${at}/uri`, 'is required');
      return [];
    }
    for (const k of Object.keys(f))
      if (!['uri', 'extract', 'executable', 'cache', 'destPath', 'outputFile'].includes(k))
        p.add(`${at}/${k}`, 'unknown field');
    const out: Json = {
      value: f.uri,
      extract: f.extract,
      executable: f.executable,
      cache: f.cache,
      outputFile: f.destPath ?? f.outputFile,
    };
    return [
      Object.fromEntries(
        Object.entries(out).filter(([, x]) => x !== undefined && x !== null),
      ) as unknown as FetchUri,
    ];
  });
}

/**
 * Maps a Marathon app definition (without its `id`, which names the object) onto an App
 * spec; a `partial` one (PATCH) may leave out the command. `null` counts as absent, as
 * Marathon clients send it for unset fields.
 */
export function specOfMarathon(body: Json, partial = false): SpecResult {
  const p = new Problems();
  const spec: Json = {};
  const handled = new Set<string>([
    'id',
    'cmd',
    'mem',
    'disk',
    'constraints',
    'healthChecks',
    'portDefinitions',
    'ports',
    'fetch',
    'uris',
    'taskKillGracePeriodSeconds',
    ...SAME,
  ]);
  for (const [key, v] of Object.entries(body)) {
    if (handled.has(key) || OUTPUT_ONLY.has(key)) continue;
    const refused = REFUSED[key];
    if (refused) {
      if (!refused.empty(v)) p.add(`/${key}`, refused.why);
    } else p.add(`/${key}`, 'unknown field: Mezzo maps no such Marathon field');
  }
  for (const key of SAME) if (body[key] !== undefined && body[key] !== null) spec[key] = body[key];
  if (body.cmd !== undefined && body.cmd !== null) spec.command = body.cmd;
  if (!partial && spec.command === undefined && spec.args === undefined)
    p.add('/cmd', 'set cmd or args (containers are not supported)');
  for (const key of ['mem', 'disk'] as const) {
    const v = body[key];
    if (v !== undefined && v !== null) spec[key] = v;
  }
  // Marathon's disk default is 0: no disk asked for.
  if (spec.disk === 0) delete spec.disk;
  if (body.taskKillGracePeriodSeconds !== undefined && body.taskKillGracePeriodSeconds !== null)
    spec.killGracePeriodSeconds = body.taskKillGracePeriodSeconds;
  if (body.constraints !== undefined && body.constraints !== null)
    spec.constraints = constraintsOf(body.constraints, p);
  const checks = body.healthChecks;
  if (checks !== undefined && checks !== null) {
    if (!Array.isArray(checks)) p.add('/healthChecks', 'must be an array');
    else if (checks.length > 1)
      p.add('/healthChecks', 'Mezzo runs one health check per instance; give at most one');
    else
      spec.healthChecks = checks.flatMap(
        (c: unknown, i) => healthCheckOf(c, `/healthChecks(${i})`, p) ?? [],
      );
  }
  const ports = portsOf(body, p);
  if (ports) spec.portDefinitions = ports;
  const uris = urisOf(body, p);
  if (uris) spec.uris = uris;
  return p.list.length > 0 ? { ok: false, problems: p.list } : { ok: true, spec };
}
