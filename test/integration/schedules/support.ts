/**
 * Helpers for the schedules framework's integration tests: a real controller and a real
 * agent on loopback (tasks are real processes), and schedules framework instances that
 * read time from a ManualClock, so that an outage of ten minutes is one `advance()`.
 */
import { chmodSync, rmSync } from 'node:fs';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import {
  ScheduleFramework,
  type ScheduleFrameworkOptions,
} from '../../../src/frameworks/schedules/schedule-framework.js';
import type { ManualClock } from '../../../src/shared/clock.js';
import { createLogger, silentLogger } from '../../../src/shared/logger.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import { API_VERSION, type StoredObject } from '../../../src/store/types.js';
import { startAgent, startController, until } from '../controller/support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

/** A controller, an agent and the store they share. */
export interface Stack {
  controller: Controller;
  agent: Agent;
  store: EmbeddedStore;
  /** Where the controller keeps its store (a new controller there takes over). */
  controllerDir: string;
  /** Starts the agent again on `address` (same work dir and cgroup root: it recovers its tasks). */
  restartAgent(address: string): Promise<Agent>;
  /** A fresh directory the jobs write into, to check what ran. */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a controller and one agent with room for a few small jobs; `validateObjects:
 * false` lets the store admit Schedules the CRD refuses (objects from an earlier Mezzo).
 */
export async function startStack(opts: { validateObjects?: boolean } = {}): Promise<Stack> {
  const { controller, store, dir: controllerDir } = await startController(undefined, 0, opts);
  const agentDir = tempDir('mezzo-sched-agent-');
  const cgroupRoot = testCgroupRoot('sched');
  const resources = 'cpus:2;mem:512;disk:1024';
  let agent = await startAgent(
    controller.grpcAddress,
    resources,
    'sched1',
    '',
    agentDir,
    cgroupRoot,
  );
  await until(() => controller.core.agents.size === 1, 5_000, 'the agent to register');
  const dir = tempDir('mezzo-sched-');
  // Tasks run as the framework's user (nobody), not as the test's root.
  chmodSync(dir, 0o777);
  return {
    controller,
    get agent() {
      return agent;
    },
    store,
    controllerDir,
    dir,
    async restartAgent(address: string) {
      agent = await startAgent(address, resources, 'sched1', '', agentDir, cgroupRoot);
      return agent;
    },
    async stop() {
      for (const t of controller.core.tasks.values()) controller.core.killTask(t, 0);
      // Nothing left behind: the agent's processes and cgroups, then the directories.
      await agent.destroyAllTasks().catch(() => undefined);
      await agent.stop();
      await controller.stop();
      for (const d of [dir, agentDir, controllerDir]) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Recorded events, for assertions on owner notifications. */
export type EventLog = { reason: string; message: string; name: string }[];

/** A schedules framework on `clock`, resubscribing as `frameworkId` when given. */
export async function startFramework(
  stack: Stack,
  clock: ManualClock,
  events: EventLog = [],
  frameworkId?: string,
  knobs: Pick<
    ScheduleFrameworkOptions,
    'reconcileIntervalMs' | 'reconcileRetryMs' | 'lostAfter'
  > = {},
): Promise<ScheduleFramework> {
  const fw = new ScheduleFramework({
    ...knobs,
    address: stack.controller.grpcAddress,
    store: stack.store,
    // MEZZO_TEST_DEBUG=1 shows the framework's log lines.
    logger: process.env.MEZZO_TEST_DEBUG ? createLogger({ level: 'debug' }) : silentLogger(),
    clock,
    ...(frameworkId ? { frameworkId } : {}),
    recordEvent: (target, _type, reason, message) => {
      events.push({ reason, message, name: target.name });
    },
  });
  await fw.start();
  return fw;
}

/** A Schedule object in namespace `etl`. */
export function schedule(name: string, spec: Record<string, unknown>): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Schedule',
    metadata: { name, namespace: 'etl' },
    spec: { cpus: 0.1, mem: 16, ...spec },
  };
}

/** The status fields the tests read. */
export interface ScheduleStatusView {
  nextRun?: string;
  lastSuccess?: string;
  lastFailure?: string;
  successCount?: number;
  errorCount?: number;
  running?: { id: string; phase: string; task: string }[];
  history?: {
    id: string;
    attempt: number;
    trigger: string;
    result: string;
    scheduledTime: string;
    startedAt: string;
    finishedAt: string;
    message?: string;
  }[];
  missed?: { scheduledTime: string; reason: string }[];
  pendingRetry?: { at: string; attempt: number };
  handledRunNow?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** A Schedule's status. */
export async function statusOf(stack: Stack, name: string): Promise<ScheduleStatusView> {
  const obj = await stack.store.get('Schedule', name, 'etl');
  return obj?.status ?? {};
}

/** Polls `cond` (async) until it holds, failing after `ms` with `what`. */
export async function eventually(
  cond: () => Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
