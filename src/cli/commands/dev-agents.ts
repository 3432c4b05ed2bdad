/**
 * The agents of `mezzo dev`: one by default, as before; with `--agents N`, N real agents
 * on this machine, each with its own work dir (`agent-<i>`), cgroup root (`<root>-<i>`),
 * hostname (`<host>-<i>`), a share of the machine (cpus, memory and the port range split
 * N ways) and a `zone` attribute dealt over zones a, b, c, so that placement constraints
 * (UNIQUE hostname, zone locality) behave as on a cluster.
 */
import os from 'node:os';
import { join } from 'node:path';
import type { AccessControl } from '../../auth/types.js';
import {
  Agent,
  defaultConfig,
  parseResources,
  type AgentConfig,
} from '../../agent-sidecar/index.js';
import { capacityResources } from '../../agent-sidecar/config.js';
import type { Resource } from '../../gen/mezzo/v1/Resource.js';
import { ValidationError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { zoneOf } from '../../sim/zones.js';

/** The most agents `mezzo dev --agents` runs. */
export const MAX_DEV_AGENTS = 64;
/** Zones the dev agents are dealt over (at most one per agent). */
const DEV_ZONES = 3;
/** The port range the agents share out. */
const PORTS = { begin: 31000, end: 32000 };

/** What the dev agents are started with. */
export interface DevAgentsOptions {
  readonly count: number;
  readonly workDir: string;
  readonly controller: string;
  readonly tokenFile: string;
  readonly cgroupRoot: string;
  /** Mesos text for every agent's resources; unset: the machine split N ways. */
  readonly resources?: string;
  readonly logger: Logger;
  readonly access: AccessControl;
}

/** Parses `--agents`: a whole number from 1 to {@link MAX_DEV_AGENTS}. */
export function parseAgentCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_DEV_AGENTS)
    throw new ValidationError('--agents', `"${text}" is not a number from 1 to ${MAX_DEV_AGENTS}`);
  return n;
}

/** Agent `i`'s (from 1) share of this machine when `n` agents split it. */
export function machineShare(i: number, n: number): Resource[] {
  const [cpus, mem] = capacityResources(
    os.cpus().length / n,
    Math.floor(os.totalmem() / 1048576 / n),
    0.5 / n,
    Math.floor(512 / n),
  );
  const size = Math.floor((PORTS.end - PORTS.begin + 1) / n);
  const begin = PORTS.begin + (i - 1) * size;
  return [
    ...(cpus && mem ? [cpus, mem] : []),
    { name: 'ports', type: 'RANGES', ranges: [{ begin, end: begin + size - 1 }] },
  ];
}

/** The configuration of dev agent `i` (from 1) of `o.count`. */
export function devAgentConfig(o: DevAgentsOptions, i: number): AgentConfig {
  const common = {
    controllers: [o.controller],
    tokenFile: o.tokenFile,
    httpPort: 0,
    allowRoot: true,
  };
  if (o.count === 1) {
    // One agent: exactly what `mezzo dev` always ran.
    return defaultConfig({
      ...common,
      workDir: join(o.workDir, 'agent'),
      cgroupRoot: o.cgroupRoot,
      ...(o.resources ? { resources: parseResources(o.resources) } : {}),
    });
  }
  return defaultConfig({
    ...common,
    workDir: join(o.workDir, `agent-${String(i)}`),
    cgroupRoot: `${o.cgroupRoot}-${String(i)}`,
    hostname: `${os.hostname()}-${String(i)}`,
    attributes: [{ name: 'zone', text: zoneOf(i - 1, Math.min(DEV_ZONES, o.count)) }],
    resources: o.resources ? parseResources(o.resources) : machineShare(i, o.count),
  });
}

/** Starts the dev agents; on a failure, those already started are stopped. */
export async function startDevAgents(o: DevAgentsOptions): Promise<Agent[]> {
  const agents: Agent[] = [];
  try {
    for (let i = 1; i <= o.count; i++) {
      const agent = new Agent(devAgentConfig(o, i), { logger: o.logger, access: o.access });
      await agent.start();
      agents.push(agent);
    }
  } catch (err) {
    for (const a of agents) await a.stop();
    throw err;
  }
  return agents;
}
