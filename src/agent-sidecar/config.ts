/**
 * Agent configuration: the flags of `mezzo agent`, parsed into one typed object, and the
 * Mesos text forms of `--resources` (`cpus:2;mem:1024;ports:[31000-32000]`) and
 * `--attributes` (`rack:r1;zone:a`).
 */
import os from 'node:os';
import { ValidationError } from '../shared/errors.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';
import type { Attribute } from '../gen/mezzo/v1/Attribute.js';

/** The agent port's serving certificate: PEM files, re-read every `reloadSeconds`. */
export interface AgentHttpTls {
  certFile: string;
  keyFile: string;
  reloadSeconds: number;
}

/** Everything an {@link Agent} needs; see docs/agent.md for each knob. */
export interface AgentConfig {
  /** Controller addresses `host:port`; the agent rotates through them on failure. */
  controllers: string[];
  /**
   * A file holding the agent's bearer token for the controller, re-read at every connect
   * (a rotated ServiceAccount token works); unset: `$MEZZO_TOKEN`, `$MEZZO_TOKEN_FILE`,
   * or a local `mezzo dev`'s token. The same token opens the agent's own /state and
   * /metrics unless the agent is given its own access control.
   */
  tokenFile?: string;
  /** The CA (PEM file) the controller's certificate is verified with; unset: plaintext. */
  controllerCaFile?: string;
  /** Root of the agent's state: meta/ (checkpoints), sandboxes/, cache/. */
  workDir: string;
  resources: Resource[];
  attributes: Attribute[];
  hostname: string;
  nodeName: string;
  /** Bind address of the HTTP port (/metrics, /healthz). */
  httpHost: string;
  /** HTTP port; 0 picks a free one. */
  httpPort: number;
  /** Serve the HTTP port over TLS with this certificate; unset: plain HTTP. */
  httpTls?: AgentHttpTls;
  /** Name of the cgroup (under each controller's mount) that holds the task cgroups. */
  cgroupRoot: string;
  /** Default Unix user for tasks. */
  defaultUser: string;
  /** Whether a task may run as root (user "root" or uid 0). */
  allowRoot: boolean;
  /** Run tasks in their own pid and mount namespaces. */
  pidNamespace: boolean;
  /** pids.max per task; 0 for no limit. */
  pidsLimit: number;
  /** CFS period in microseconds. */
  cfsPeriodUs: number;
  /** Default SIGTERM→SIGKILL grace, seconds. */
  killGraceSeconds: number;
  /** Terminal tasks' sandboxes are removed this long after all their updates were acked. */
  gcAgeSeconds: number;
  /** Fetcher cache size bound, bytes. */
  fetcherCacheBytes: number;
  /** Interval between resource-usage reports, seconds. */
  usageIntervalSeconds: number;
  /**
   * First and largest status-update retry delay, seconds (Mesos: 10 s, 10 min). The first
   * is raised to a margin over the measured acknowledgement latency; each resend doubles it.
   */
  updateRetryMinSeconds: number;
  updateRetryMaxSeconds: number;
  /** Reconnect backoff, seconds. */
  reconnectMinSeconds: number;
  reconnectMaxSeconds: number;
  /** How often reattached (non-child) task processes are polled for exit, ms. */
  reapIntervalMs: number;
  /**
   * Launches in progress at once (from the first checkpoint to RUNNING); later ones wait
   * in arrival order. Enough to keep the disk and the launcher busy, few enough that the
   * first tasks of a burst run before the last are prepared.
   */
  launchConcurrency: number;
}

/** Defaults for everything except addresses, work dir and resources. */
export function defaultConfig(partial: Partial<AgentConfig> & { workDir: string }): AgentConfig {
  return {
    controllers: [],
    resources: defaultResources(),
    attributes: [],
    hostname: os.hostname(),
    nodeName: process.env.NODE_NAME ?? '',
    httpHost: '127.0.0.1',
    httpPort: 0,
    cgroupRoot: 'mezzo',
    defaultUser: 'nobody',
    allowRoot: false,
    pidNamespace: false,
    pidsLimit: 1024,
    cfsPeriodUs: 100_000,
    killGraceSeconds: 3,
    gcAgeSeconds: 7 * 24 * 3600,
    fetcherCacheBytes: 1024 * 1024 * 1024,
    usageIntervalSeconds: 10,
    updateRetryMinSeconds: 10,
    updateRetryMaxSeconds: 600,
    reconnectMinSeconds: 0.2,
    reconnectMaxSeconds: 10,
    reapIntervalMs: 250,
    launchConcurrency: 32,
    ...partial,
  };
}

/**
 * The node's capacity minus a reserve: all cores but `reserveCpus`, memory but
 * `reserveMemMiB`, ports 31000-32000. Used when `--resources` is not given.
 */
export function defaultResources(reserveCpus = 0.5, reserveMemMiB = 512): Resource[] {
  return capacityResources(
    os.cpus().length,
    Math.floor(os.totalmem() / 1048576),
    reserveCpus,
    reserveMemMiB,
  );
}

/**
 * Resources from a capacity (the host's, or the Kubernetes node's allocatable) minus a
 * reserve for the system, with the default port range.
 */
export function capacityResources(
  capacityCpus: number,
  capacityMemMiB: number,
  reserveCpus: number,
  reserveMemMiB: number,
): Resource[] {
  const cpus = Math.max(0.1, capacityCpus - reserveCpus);
  const mem = Math.max(32, Math.floor(capacityMemMiB) - reserveMemMiB);
  return [
    scalar('cpus', round3(cpus)),
    scalar('mem', mem),
    { name: 'ports', type: 'RANGES', ranges: [{ begin: 31000, end: 32000 }] },
  ];
}

function scalar(name: string, value: number): Resource {
  return { name, type: 'SCALAR', scalar: value };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Parses Mesos' text form: `name(role):value;...` where value is a scalar (`2.5`), ranges
 * (`[31000-32000,33000-33010]`) or a set (`{a,b}`). Roles become a STATIC reservation.
 */
export function parseResources(text: string): Resource[] {
  const out: Resource[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new ValidationError('--resources', `"${part}" is not name:value`);
    let name = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    let role = '';
    const m = /^([^()]+)\(([^()]*)\)$/.exec(name);
    if (m?.[1] !== undefined) {
      name = m[1];
      role = m[2] ?? '';
    }
    const reservations = role && role !== '*' ? [{ type: 'STATIC' as const, role }] : [];
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) throw new ValidationError('--resources', `bad ranges "${value}"`);
      const ranges = value
        .slice(1, -1)
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => {
          const [b, e] = r.split('-').map((s) => Number(s.trim()));
          if (b === undefined || !Number.isInteger(b) || b < 0) {
            throw new ValidationError('--resources', `bad range "${r}" in ${name}`);
          }
          const end = e ?? b;
          if (!Number.isInteger(end) || end < b) {
            throw new ValidationError('--resources', `bad range "${r}" in ${name}`);
          }
          return { begin: b, end };
        });
      out.push({ name, type: 'RANGES', ranges, reservations });
    } else if (value.startsWith('{')) {
      if (!value.endsWith('}')) throw new ValidationError('--resources', `bad set "${value}"`);
      const set = value
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      out.push({ name, type: 'SET', set, reservations });
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || value === '') {
        throw new ValidationError('--resources', `"${name}" has a bad scalar "${value}"`);
      }
      out.push({ name, type: 'SCALAR', scalar: round3(n), reservations });
    }
  }
  return out;
}

/** Parses `name:value;name:value` into attributes. */
export function parseAttributes(text: string): Attribute[] {
  const out: Attribute[] = [];
  for (const raw of text.split(/[;,]/)) {
    const part = raw.trim();
    if (!part) continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new ValidationError('--attributes', `"${part}" is not name:value`);
    out.push({ name: part.slice(0, colon).trim(), text: part.slice(colon + 1).trim() });
  }
  return out;
}

/** A task's resources as the containerizer needs them. */
export interface TaskLimits {
  cpus: number;
  memBytes: number;
  ports: number[];
}

/** Sums scalar cpus/mem and lists the port values of a task's resources. */
export function taskLimits(resources: readonly Resource[] | undefined): TaskLimits {
  let cpus = 0;
  let mem = 0;
  const ports: number[] = [];
  for (const r of resources ?? []) {
    if (r.name === 'cpus') cpus += Number(r.scalar ?? 0);
    else if (r.name === 'mem') mem += Number(r.scalar ?? 0);
    else if (r.name === 'ports') {
      for (const range of r.ranges ?? []) {
        for (let p = Number(range.begin ?? 0); p <= Number(range.end ?? 0); p++) ports.push(p);
      }
    }
  }
  return { cpus, memBytes: Math.round(mem * 1048576), ports };
}
