/**
 * Helpers for the apps framework's integration tests: a real controller and real agents
 * on loopback (from the controller tests' support), the apps framework on top, App
 * objects in the embedded store, and polling with deadlines.
 */
import { chmodSync, rmSync } from 'node:fs';
import { AppFramework } from '../../../src/frameworks/apps/app-framework.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION, type StoredObject } from '../../../src/store/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import type { AppSpec } from '../../../src/frameworks/apps/app-spec.js';
import type { AppStatus } from '../../../src/frameworks/apps/status.js';
import { startAgent, startController } from '../controller/support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

/** Namespace the tests' Apps live in. */
export const NS = 'team';

/** A controller, agents and the apps framework, with one cleanup for all. */
export interface Cluster {
  controller: Controller;
  store: EmbeddedStore;
  agents: Agent[];
  framework: AppFramework;
  /** A scratch directory the tests' commands may write to (pid files). */
  scratch: string;
  /**
   * Stops agent `i` (its tasks keep running, as after a crash or a cut cable) and
   * resolves with a function that starts it again on the same work dir and cgroups, so
   * that it re-registers with those tasks.
   */
  cutAgent(i: number): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Settings for {@link startCluster} beyond the agents. */
export interface ClusterOptions {
  /** The controller's agent ping interval and timeout (ms), for outage tests. */
  agentPingIntervalMs?: number;
  agentPingTimeoutMs?: number;
  offerTimeoutMs?: number;
  /** The apps framework's reconciliation period (ms). */
  reconcileIntervalMs?: number;
  /** false: the store admits Apps the CRD refuses (objects from an earlier Mezzo). */
  validateObjects?: boolean;
}

/** Starts a cluster with one agent per `[hostname, resources, attributes]`. */
export async function startCluster(
  agents: [string, string, string?][],
  opts: ClusterOptions = {},
): Promise<Cluster> {
  const { reconcileIntervalMs, ...controllerOpts } = opts;
  const { controller, store, dir } = await startController(undefined, 0, controllerOpts);
  // Each agent keeps its work dir and cgroups, so that a restart recovers its tasks.
  const homes = agents.map(([hostname]) => ({
    workDir: tempDir(`mezzo-apps-agent-${hostname}-`),
    cgroupRoot: testCgroupRoot('apps'),
  }));
  const launchAgent = (i: number): Promise<Agent> => {
    const [hostname = '', resources = '', attributes = ''] = agents[i] ?? [];
    const home = homes[i];
    if (!home) throw new Error(`no agent ${i}`);
    return startAgent(
      controller.grpcAddress,
      resources,
      hostname,
      attributes,
      home.workDir,
      home.cgroupRoot,
    );
  };
  const started: Agent[] = [];
  for (const i of agents.keys()) started.push(await launchAgent(i));
  await waitFor(() => controller.core.agents.size === agents.length, 10_000, 'agents registered');
  const framework = new AppFramework({
    address: controller.grpcAddress,
    store,
    logger: silentLogger(),
    clock: new SystemClock(),
    ...(reconcileIntervalMs !== undefined ? { reconcileIntervalMs } : {}),
  });
  await framework.start();
  const scratch = tempDir('mezzo-apps-');
  const cut = new Set<() => Promise<void>>();
  // Tasks may run as another user; they write their PID files here.
  chmodSync(scratch, 0o777);
  return {
    controller,
    store,
    agents: started,
    framework,
    scratch,
    async cutAgent(i: number) {
      const a = started[i];
      if (!a) throw new Error(`no agent ${i}`);
      await a.stop();
      const restart = async () => {
        if (!cut.delete(restart)) return;
        started[i] = await launchAgent(i);
      };
      cut.add(restart);
      return restart;
    },
    async stop() {
      // An agent left cut off comes back first, so that its tasks can be killed.
      for (const restart of [...cut]) await restart();
      framework.stop();
      for (const t of controller.core.tasks.values()) controller.core.killTask(t, 0);
      await waitFor(
        () =>
          [...controller.core.tasks.values()].every((t) =>
            ['TASK_KILLED', 'TASK_FAILED', 'TASK_FINISHED', 'TASK_LOST', 'TASK_ERROR'].includes(
              t.state,
            ),
          ),
        10_000,
        'every task ended',
      ).catch(() => undefined);
      // Nothing left behind: processes and cgroups of every agent, then the directories.
      for (const a of started) {
        await a.destroyAllTasks().catch(() => undefined);
        await a.stop().catch(() => undefined);
      }
      await controller.stop();
      for (const d of [scratch, dir, ...homes.map((h) => h.workDir)])
        rmSync(d, { recursive: true, force: true });
    },
  };
}

/** An App object. */
export function app(name: string, spec: AppSpec): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'App',
    metadata: { name, namespace: NS },
    spec: spec as unknown as Record<string, unknown>,
  };
}

/**
 * A small HTTP service on $PORT0 (python3's http.server) that first writes its PID to
 * `<scratch>/<PORT0>.pid`, so a test can kill the process behind an instance.
 */
export function httpService(scratch: string): string {
  return `echo $$ > ${scratch}/$PORT0.pid; exec python3 -m http.server $PORT0 --bind 127.0.0.1`;
}

/** The App's status (empty before the first write). */
export async function statusOf(store: EmbeddedStore, name: string): Promise<Partial<AppStatus>> {
  const obj = await store.get('App', name, NS);
  return (obj?.status as Partial<AppStatus> | undefined) ?? {};
}

/** Replaces an App's spec (read-modify-write). */
export async function editSpec(
  store: EmbeddedStore,
  name: string,
  edit: (spec: AppSpec) => AppSpec,
): Promise<void> {
  const obj = await store.get('App', name, NS);
  if (!obj) throw new Error(`app ${name} is missing`);
  obj.spec = { ...edit(obj.spec) };
  await store.update(obj);
}

/** Polls `cond` every 25 ms until it holds; rejects after `ms` naming `what`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  what: string | (() => string),
): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Tasks of the apps framework the controller holds as running, optionally only healthy. */
export function runningTasks(cluster: Cluster, healthyOnly = false) {
  return [...cluster.controller.core.tasks.values()].filter(
    (t) =>
      t.frameworkId === cluster.framework.id &&
      t.state === 'TASK_RUNNING' &&
      (!healthyOnly || t.status?.healthy === true),
  );
}
