/**
 * An App spec as Marathon's app definition (what GET answers), and Mezzo's validation
 * paths (`spec.command`) as Marathon's (`/cmd`) for the details of a 422: the way back
 * of app-json.ts.
 */
import { parseQuantity } from '../../allocator/parse.js';
import type { AppSpec } from '../../frameworks/apps/app-spec.js';

type Json = Record<string, unknown>;

/** MiB of a stored quantity (numbers are MiB already), for Marathon's number fields. */
export function mebibytes(key: 'mem' | 'disk', v: number | string | undefined): number {
  if (v === undefined) return 0;
  return parseQuantity(key, v, key) / 1000;
}

/** The App spec as Marathon's app definition fields (without id and AppInfo fields). */
export function marathonDefinition(spec: AppSpec): Json {
  const hc = spec.healthChecks?.map((h) => ({
    protocol: h.type,
    ...(h.path !== undefined ? { path: h.path } : {}),
    ...(h.portIndex !== undefined ? { portIndex: h.portIndex } : {}),
    ...(h.port !== undefined ? { port: h.port } : {}),
    ...(h.command !== undefined ? { command: { value: h.command } } : {}),
    gracePeriodSeconds: h.gracePeriodSeconds ?? 300,
    intervalSeconds: h.intervalSeconds ?? 60,
    timeoutSeconds: h.timeoutSeconds ?? 20,
    maxConsecutiveFailures: h.killWhenUnhealthy === false ? 0 : (h.consecutiveFailures ?? 3),
  }));
  return {
    ...(spec.command !== undefined ? { cmd: spec.command } : {}),
    ...(spec.args !== undefined ? { args: spec.args } : {}),
    instances: spec.instances ?? 1,
    cpus: spec.cpus ?? 0.1,
    mem: mebibytes('mem', spec.mem ?? 32),
    disk: mebibytes('disk', spec.disk),
    gpus: 0,
    env: spec.env ?? {},
    labels: spec.labels ?? {},
    constraints: (spec.constraints ?? []).map((c) =>
      c.value !== undefined ? [c.attribute, c.operator, c.value] : [c.attribute, c.operator],
    ),
    portDefinitions: (spec.portDefinitions ?? []).map((d) => ({
      port: d.port ?? 0,
      protocol: d.protocol ?? 'tcp',
      ...(d.name !== undefined ? { name: d.name } : {}),
    })),
    healthChecks: hc ?? [],
    fetch: (spec.uris ?? []).map((u) => ({
      uri: u.value,
      extract: u.extract ?? false,
      executable: u.executable ?? false,
      cache: u.cache ?? false,
      ...(u.outputFile !== undefined ? { destPath: u.outputFile } : {}),
    })),
    upgradeStrategy: {
      minimumHealthCapacity: spec.upgradeStrategy?.minimumHealthCapacity ?? 1,
      maximumOverCapacity: spec.upgradeStrategy?.maximumOverCapacity ?? 1,
    },
    backoffSeconds: spec.backoffSeconds ?? 1,
    backoffFactor: spec.backoffFactor ?? 1.15,
    maxLaunchDelaySeconds: spec.maxLaunchDelaySeconds ?? 300,
    taskKillGracePeriodSeconds: spec.killGracePeriodSeconds ?? 3,
    ...(spec.role !== undefined ? { role: spec.role } : {}),
    ...(spec.unreachableStrategy ? { unreachableStrategy: spec.unreachableStrategy } : {}),
    killSelection: 'YOUNGEST_FIRST',
  };
}

/**
 * Where a Mezzo validation line (`spec.command: ...`) points in Marathon's terms
 * (`/cmd`), for the details of a 422.
 */
export function marathonPath(mezzoPath: string): string {
  const names: Readonly<Record<string, string>> = {
    command: 'cmd',
    killGracePeriodSeconds: 'taskKillGracePeriodSeconds',
    uris: 'fetch',
    attribute: '0',
    operator: '1',
    value: '2',
    consecutiveFailures: 'maxConsecutiveFailures',
    type: 'protocol',
  };
  const parts = mezzoPath
    .replace(/^spec\.?/, '')
    .split('.')
    .filter((s) => s !== '');
  return `/${parts
    .map((s) => {
      const m = /^([A-Za-z]+)\[(\d+)\]$/.exec(s);
      return m ? `${names[m[1] ?? ''] ?? m[1] ?? ''}(${m[2] ?? ''})` : (names[s] ?? s);
    })
    .join('/')}`;
}
