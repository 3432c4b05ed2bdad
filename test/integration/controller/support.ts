/**
 * Helpers for controller integration tests: a real controller on loopback with an
 * embedded store, real agents (the agent-sidecar, with cgroups when the machine has
 * them), and frameworks built on the SDK.
 */
import { join } from 'node:path';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import {
  Agent,
  defaultConfig,
  parseResources,
  parseAttributes,
  type AgentConfig,
} from '../../../src/agent-sidecar/index.js';
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import type { AccessControl } from '../../../src/auth/types.js';
import type { Operation } from '../../../src/gen/mezzo/v1/Operation.js';
import { authHeader, testAccess, TEST_TOKEN } from '../../support/auth.js';
import { startSimAgents, type SimAgents } from '../../../src/sim/index.js';

/** Starts a controller on loopback; `dir` keeps its store (for restarts). */
export async function startController(
  dir = tempDir('mezzo-ctl-'),
  grpcPort = 0,
  opts: {
    agentPingIntervalMs?: number;
    agentPingTimeoutMs?: number;
    offerTimeoutMs?: number;
    allocationIntervalMs?: number;
    /** Whether offers a pass follow each framework's answers (the controller's default). */
    adaptiveOffers?: boolean;
    /** How long a launched task may stay STAGING before its object shows it. */
    stagingGraceMs?: number;
    /** Bytes a framework's event stream may hold unread before it is ended. */
    maxUnreadEventBytes?: number;
    /**
     * false: the store admits objects the CRDs refuse, as objects admitted under an
     * earlier Mezzo's rules (for tests of the frameworks' defenses).
     */
    validateObjects?: boolean;
    /** Authentication and authorization of callers; absent: everyone may do everything. */
    access?: AccessControl;
    /** The store to run on instead of one at `dir` (a test's faulty one). */
    store?: EmbeddedStore;
  } = {},
): Promise<{ controller: Controller; dir: string; store: EmbeddedStore }> {
  const clock = new SystemClock();
  const { validateObjects, store: given, ...controllerOpts } = opts;
  const store =
    given ??
    new EmbeddedStore(join(dir, 'state.json'), clock, { validate: validateObjects ?? true });
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access: testAccess,
    grpcPort,
    httpPort: 0,
    allocationIntervalMs: 200,
    ...controllerOpts,
  });
  await controller.start();
  return { controller, dir, store };
}

/** Starts a real agent connected to `address` (or any of several controller replicas). */
export async function startAgent(
  address: string | string[],
  resources: string,
  hostname: string,
  attributes = '',
  workDir = tempDir(`mezzo-agent-${hostname}-`),
  cgroupRoot = testCgroupRoot('ctl'),
  overrides: Partial<AgentConfig> = {},
): Promise<Agent> {
  const agent = new Agent(
    defaultConfig({
      workDir,
      controllers: typeof address === 'string' ? [address] : address,
      cgroupRoot,
      httpPort: 0,
      hostname,
      resources: parseResources(resources),
      attributes: parseAttributes(attributes),
      usageIntervalSeconds: 5,
      updateRetryMinSeconds: 0.2,
      updateRetryMaxSeconds: 2,
      reconnectMinSeconds: 0.05,
      reconnectMaxSeconds: 0.5,
      killGraceSeconds: 1,
      ...overrides,
    }),
    { logger: silentLogger() },
  );
  await agent.start();
  return agent;
}

/** Waits for an async condition, polling; `what` names it (with detail) on a timeout. */
export async function eventually(
  cond: () => Promise<boolean>,
  ms: number,
  what: () => string,
): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A task as an agent's /state shows it. */
export interface AgentTaskView {
  taskId: string;
  sandbox: string;
  state?: string;
  pendingUpdates: number;
}

/** The tasks an agent's /state lists. */
export async function agentTasks(agent: Agent): Promise<AgentTaskView[]> {
  const res = await fetch(`http://127.0.0.1:${String(agent.port)}/state`, {
    headers: authHeader(),
  });
  return ((await res.json()) as { tasks: AgentTaskView[] }).tasks;
}

/** Waits for a condition, polling. */
export async function until(
  cond: () => boolean,
  ms: number,
  what: string | (() => string),
): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) {
      // A function describes what was seen by then, not when the wait began.
      const seen = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${ms} ms waiting for ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A controller (its options as {@link startController}'s) with `agents.count` simulated
 * agents of one shape registered with it; both are stopped by `cleanup`, in reverse.
 */
export async function startWithSimAgents(
  opts: Parameters<typeof startController>[2],
  agents: { count: number; cpus: number; memMiB: number; prefix: string },
  cleanup: (() => Promise<void> | void)[],
): Promise<{ controller: Controller; sim: SimAgents }> {
  const { controller } = await startController(undefined, 0, opts);
  cleanup.push(() => controller.stop());
  const sim = await startSimAgents({
    controller: controller.grpcAddress,
    token: TEST_TOKEN,
    zones: 1,
    ...agents,
  });
  cleanup.push(() => sim.close());
  await sim.allRegistered();
  return { controller, sim };
}

/** An SDK framework. */
export function framework(
  address: string,
  name: string,
  roles: string[],
  failoverTimeoutSeconds = 60,
  id = '',
): SchedulerClient {
  return new SchedulerClient({
    address,
    framework: {
      id,
      name,
      user: 'nobody',
      roles,
      failover_timeout_seconds: failoverTimeoutSeconds,
    },
  });
}

/** A LAUNCH operation for one shell task with the given resources text. */
export function launch(
  taskId: string,
  agentId: string,
  command: string,
  cpus: number,
  mem: number,
) {
  return {
    type: 'LAUNCH' as const,
    tasks: [
      {
        task_id: taskId,
        name: taskId,
        agent_id: agentId,
        command: { shell: true, value: command },
        resources: [
          { name: 'cpus', type: 'SCALAR' as const, scalar: cpus },
          { name: 'mem', type: 'SCALAR' as const, scalar: mem },
        ],
      },
    ],
  };
}

/**
 * Accepts the framework's first offer with the operations `ops` makes for its agent, and
 * declines every later offer for a minute.
 */
export function acceptFirstOffer(
  fw: SchedulerClient,
  ops: (agentId: string) => Operation[],
  refuseSeconds = 0,
): void {
  let accepted = false;
  fw.on('offers', (offers) => {
    for (const o of offers) {
      if (accepted) {
        fw.decline([o.id], 60).catch(() => undefined);
        continue;
      }
      accepted = true;
      fw.accept([o.id], ops(o.agent_id), refuseSeconds).catch(() => undefined);
    }
  });
}
