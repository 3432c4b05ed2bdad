/**
 * The options of a simulation of many agents, their defaults and their validation: a
 * bad option is a {@link ValidationError} naming it, before any agent connects.
 */
import { ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Attribute } from '../gen/mezzo/v1/Attribute.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';
import type { SimDuration } from './sim-task.js';
import { zoneOf } from './zones.js';

/** The most agents one simulation runs. */
export const MAX_SIM_AGENTS = 200_000;

/** What {@link startSimAgents} is asked for. */
export interface SimAgentsOptions {
  /** Controller addresses `host:port`; each agent rotates through them on failure. */
  controller: string | readonly string[];
  /** The bearer token the agents present; see also {@link SimAgentsOptions.tokenFile}. */
  token?: string;
  /** A file holding the token (looked up until found, then kept); neither: as every client finds it. */
  tokenFile?: string;
  /** The CA (PEM file) the controller's certificate is verified with; unset: plaintext. */
  controllerCaFile?: string;
  /** How many agents. */
  count: number;
  /** Each agent's cpus (default 4). */
  cpus?: number;
  /** Each agent's memory in MiB (default 8192). */
  memMiB?: number;
  /** Each agent's disk in MiB (default 102400). */
  diskMiB?: number;
  /** Each agent's port range (default 31000–32000). */
  ports?: { begin: number; end: number };
  /** Hostnames are `<prefix>-1` … `<prefix>-<count>` (default `sim`). */
  prefix?: string;
  /** The `zone` attribute is dealt round-robin over this many zones `a`, `b`… (default 3; 0: none). */
  zones?: number;
  /** Further attributes every agent declares. */
  attributes?: Readonly<Record<string, string>>;
  /** Run time of a task without the duration label, seconds or `forever` (default 0). */
  defaultDurationSeconds?: number | 'forever';
  /** Agents whose streams share one gRPC channel (one HTTP/2 connection; default 1000). */
  agentsPerChannel?: number;
  /** Status update resend bounds in seconds, as the real agent's (default 10, 600). */
  updateRetryMinSeconds?: number;
  updateRetryMaxSeconds?: number;
  /** Reconnect backoff bounds in seconds, as the real agent's (default 0.2, 10). */
  reconnectMinSeconds?: number;
  reconnectMaxSeconds?: number;
  /** Where the agents log (default: nowhere). */
  logger?: Logger;
  /**
   * Agents write their tasks' RUNNING status to the apiserver themselves, as real agents
   * with `--write-task-status`: the kubeconfig names the apiserver and its CA, and each
   * agent presents the token `nodeTokensFile` (JSON, node name → token) gives its
   * hostname, a token bound to a pod on that node. Agents without one write nothing.
   */
  statusWrites?: { kubeconfig: string; nodeTokensFile: string };
}

/** The options with every default filled in and checked. */
export interface SimPlan {
  readonly controllers: string[];
  readonly count: number;
  readonly resources: Resource[];
  readonly prefix: string;
  readonly zones: number;
  readonly attributes: Attribute[];
  readonly defaultDuration: SimDuration;
  readonly agentsPerChannel: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly reconnectMinSeconds: number;
  readonly reconnectMaxSeconds: number;
}

function positive(value: number, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw new ValidationError(path, `must be a number above 0 and at most ${String(max)}`);
  return value;
}

function wholeNumber(value: number, path: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ValidationError(path, `must be a whole number from ${String(min)} to ${String(max)}`);
  return value;
}

/** Checks `o` and fills in the defaults. */
export function planSimulation(o: SimAgentsOptions): SimPlan {
  const controllers = typeof o.controller === 'string' ? [o.controller] : [...o.controller];
  if (controllers.length === 0 || controllers.some((c) => !/^[^\s]+:\d{1,5}$/.test(c)))
    throw new ValidationError('controller', 'give one or more host:port addresses');
  const count = wholeNumber(o.count, 'count', 1, MAX_SIM_AGENTS);
  const cpus = positive(o.cpus ?? 4, 'cpus', 1e6);
  const memMiB = positive(o.memMiB ?? 8192, 'mem', 1e12);
  const diskMiB = positive(o.diskMiB ?? 102_400, 'disk', 1e12);
  const ports = o.ports ?? { begin: 31000, end: 32000 };
  wholeNumber(ports.begin, 'ports', 1, 65535);
  wholeNumber(ports.end, 'ports', ports.begin, 65535);
  const prefix = o.prefix ?? 'sim';
  if (!/^[a-z0-9]([a-z0-9.-]{0,48}[a-z0-9])?$/.test(prefix))
    throw new ValidationError('prefix', 'must be a DNS label of up to 50 characters');
  const zones = wholeNumber(o.zones ?? 3, 'zones', 0, 10_000);
  const attributes: Attribute[] = [];
  for (const [name, text] of Object.entries(o.attributes ?? {})) {
    if (name === 'zone' && zones > 0)
      throw new ValidationError('attributes', 'zone is set by --zones; give --zones 0 to set it');
    attributes.push({ name, text });
  }
  const d = o.defaultDurationSeconds ?? 0;
  const defaultDuration =
    d === 'forever' ? d : Math.round(positiveOrZero(d, 'default-duration') * 1000);
  const retryMin = positive(o.updateRetryMinSeconds ?? 10, 'update-retry-min', 86_400);
  const retryMax = positive(o.updateRetryMaxSeconds ?? 600, 'update-retry-max', 86_400);
  if (retryMax < retryMin)
    throw new ValidationError('update-retry-max', 'must be at least the minimum');
  const reconnectMin = positive(o.reconnectMinSeconds ?? 0.2, 'reconnect-min', 3600);
  const reconnectMax = positive(o.reconnectMaxSeconds ?? 10, 'reconnect-max', 3600);
  return {
    controllers,
    count,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: cpus },
      { name: 'mem', type: 'SCALAR', scalar: memMiB },
      { name: 'disk', type: 'SCALAR', scalar: diskMiB },
      { name: 'ports', type: 'RANGES', ranges: [ports] },
    ],
    prefix,
    zones,
    attributes,
    defaultDuration,
    agentsPerChannel: wholeNumber(o.agentsPerChannel ?? 1000, 'agents-per-channel', 1, 100_000),
    retryMinMs: retryMin * 1000,
    retryMaxMs: retryMax * 1000,
    reconnectMinSeconds: reconnectMin,
    reconnectMaxSeconds: Math.max(reconnectMin, reconnectMax),
  };
}

function positiveOrZero(value: number, path: string): number {
  if (!Number.isFinite(value) || value < 0 || value > 8_640_000)
    throw new ValidationError(path, 'must be seconds from 0 to 8640000, or "forever"');
  return value;
}

/** The hostname and attributes of agent number `i` (from 0). */
export function agentIdentity(
  plan: SimPlan,
  i: number,
): { hostname: string; attributes: Attribute[] } {
  const attributes =
    plan.zones > 0
      ? [{ name: 'zone', text: zoneOf(i, plan.zones) }, ...plan.attributes]
      : plan.attributes;
  return { hostname: `${plan.prefix}-${String(i + 1)}`, attributes };
}
