/**
 * Helpers for the default framework's integration tests: a real controller and a real
 * agent on loopback, the default framework on top (restartable with its framework ID),
 * Task objects in the embedded store, and what the controller knows of each task.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION, type Store, type StoredObject } from '../../../src/store/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import type { TaskRecord } from '../../../src/controller/records.js';
import { startAgent, startController, until } from '../controller/support.js';

/** Polling with a deadline (cond may be async), shared with the apps tests. */
export { waitFor as eventually } from '../apps/support.js';

/** Namespace of the tests' Task objects. */
export const NS = 'team';

/** A controller, one agent, and a default framework that can be restarted. */
export interface Cluster {
  controller: Controller;
  store: EmbeddedStore;
  agent: Agent;
  framework: DefaultFramework;
  /** Stops the framework and starts a new one with its ID on `store` (default: the same). */
  restartFramework(store?: Store): Promise<DefaultFramework>;
  stop(): Promise<void>;
}

/**
 * Starts a cluster; `reconcileIntervalMs` is the framework's reconciliation period,
 * `validateObjects: false` lets the store admit Tasks the CRD refuses (objects from an
 * earlier Mezzo), `policy` is the framework's placement policy and `offerHoldMs` how long
 * it holds an offer unused (default: the framework's own), `allocationIntervalMs` the
 * controller's periodic pass (default: the controller support's).
 */
export async function startCluster(
  reconcileIntervalMs = 60_000,
  validateObjects = true,
  policy: 'Spread' | 'BinPack' = 'Spread',
  offerHoldMs?: number,
  allocationIntervalMs?: number,
): Promise<Cluster> {
  const { controller, store, dir } = await startController(undefined, 0, {
    validateObjects,
    ...(allocationIntervalMs !== undefined ? { allocationIntervalMs } : {}),
  });
  const agentDir = mkdtempSync(join(tmpdir(), 'mezzo-default-agent-'));
  const agent = await startAgent(
    controller.grpcAddress,
    'cpus:2;mem:512;ports:[31000-31020]',
    'default-a1',
    '',
    agentDir,
  );
  await until(() => controller.core.agents.size === 1, 10_000, 'the agent to register');
  const make = (s: Store, frameworkId?: string) =>
    new DefaultFramework({
      address: controller.grpcAddress,
      store: s,
      logger: silentLogger(),
      reconcileIntervalMs,
      policy,
      ...(offerHoldMs !== undefined ? { offerHoldMs } : {}),
      ...(frameworkId ? { frameworkId } : {}),
    });
  let framework = make(store);
  await framework.start();
  return {
    controller,
    store,
    agent,
    get framework() {
      return framework;
    },
    async restartFramework(s: Store = store) {
      const id = framework.id;
      framework.stop();
      framework = make(s, id);
      await framework.start();
      return framework;
    },
    async stop() {
      framework.stop();
      for (const t of controller.core.tasks.values()) controller.core.killTask(t, 0);
      await until(
        () => [...controller.core.tasks.values()].every((t) => !live(t)),
        10_000,
        'every task to end',
      ).catch(() => undefined);
      // Nothing left behind: the agent's processes and cgroups, then its directory.
      await agent.destroyAllTasks().catch(() => undefined);
      await agent.stop();
      await controller.stop();
      for (const d of [agentDir, dir]) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A Task object for the default framework. */
export function task(name: string, spec: Record<string, unknown> = {}): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: { name, namespace: NS },
    spec: { command: 'exec sleep 300', resources: { cpus: 0.1, mem: 16 }, ...spec },
  };
}

/** Whether the controller holds a task as not ended. */
export function live(t: TaskRecord): boolean {
  return ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'].includes(t.state);
}

/** The controller's record of the task launched for Task object `name`. */
export function taskFor(c: Cluster, name: string): TaskRecord | undefined {
  return [...c.controller.core.tasks.values()].find((t) => t.info.name === name);
}

/** A Task object's status fields the tests read. */
export interface TaskView {
  state?: string;
  taskId?: string;
  reason?: string;
  message?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** The status of Task object `name`. */
export async function statusOf(store: Store, name: string): Promise<TaskView> {
  return ((await store.get('Task', name, NS))?.status as TaskView | undefined) ?? {};
}

/** Removes every finalizer and deletes: the object is gone at once, as a forced delete. */
export async function forceDelete(store: Store, name: string): Promise<void> {
  const obj = await store.get('Task', name, NS);
  if (!obj) return;
  obj.metadata.finalizers = [];
  await store.update(obj);
  await store.delete('Task', name, NS);
}

/** `store` as the Store interface, with `update` replaced (to force an interleaving). */
export function withUpdate(
  store: Store,
  update: (obj: StoredObject) => Promise<StoredObject>,
): Store {
  return {
    list: (kind) => store.list(kind),
    get: (kind, name, namespace) => store.get(kind, name, namespace),
    create: (obj) => store.create(obj),
    update,
    updateStatus: (kind, name, namespace, status) =>
      store.updateStatus(kind, name, namespace, status),
    delete: (kind, name, namespace) => store.delete(kind, name, namespace),
    watch: (kind, handler) => store.watch(kind, handler),
    close: () => store.close(),
  };
}
