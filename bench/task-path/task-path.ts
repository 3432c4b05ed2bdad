/**
 * Task-path benchmark (issue 17): N Task objects created at once, placed by the default
 * framework on real agents (real processes in real cgroups; needs root), timed as the
 * store shows them: creation → status RUNNING, and → FINISHED. The controller, the
 * built-in frameworks and the agents run in this process as `mezzo dev` runs them
 * (default allocation interval, the store mirror, the default framework's Spread policy).
 *
 * Flags: `--tasks=200,1000` (sizes, one run each), `--agents=1`, `--seconds=2` (each task
 * is `sleep <seconds>`; `--seconds=0` runs `true`), `--limit-s=180` (a run stops waiting
 * after this; its figures then count what got there), `--store=embedded|kube` (kube: a
 * real apiserver from test/e2e/control-plane.sh, started for the run or taken from
 * MEZZO_E2E_DIR), `--quick` (200 tasks only), `--create-in-flight=K` (the bench's create
 * requests at once; default all). On the Kubernetes store: `--kube-api-qps=Q` and
 * `--kube-api-burst=B`, the client limit of Mezzo's store (the controller's and built-in
 * frameworks' requests, as `mezzo controller` takes them; default none); the bench creates
 * and watches through a client of its own without a limit, and reports the requests the
 * apiserver served during the run (`requests`, `requests_per_task`; watches left out, the
 * bench's creates in them). Prints one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '../../src/controller/controller.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { KubernetesStore } from '../../src/store/kubernetes.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';
import { startBuiltinFrameworks } from '../../src/frameworks/builtin.js';
import { Agent, defaultConfig, parseResources } from '../../src/agent-sidecar/index.js';
import { API_VERSION, type Store, type StoredObject } from '../../src/store/types.js';
import { testCgroupRoot, removeTestResources } from '../../test/support/cleanup.js';
import { controlPlane, repoRoot, type ControlPlane } from '../../test/e2e/support/control-plane.js';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
// The side-by-side bench reports the same figures the same way.
import { figures, round } from '../side-by-side/lib/figures.js';
import {
  apiserverRequests,
  requestDelta,
  requestsPerObject,
  type RequestCounts,
} from '../side-by-side/lib/requests.js';
import { kubeConfigsFor, rateLimitFromFlags } from '../../src/kube/rate-limit.js';

// The bench's controller, agents and clients share one admin token (found through the env).
const token = newToken();
process.env.MEZZO_TOKEN = token;

function flag(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

const TERMINAL = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
]);

/** How one run goes. */
interface RunOptions {
  n: number;
  agents: number;
  seconds: number;
  limitMs: number;
  namespace: string;
  /** Create requests in flight at once. */
  createInFlight: number;
  /** The apiserver's request counts, on the Kubernetes store. */
  requests?: () => Promise<RequestCounts>;
}

/** Mezzo's store, and the one the bench creates and watches through (the same one embedded). */
interface Stores {
  mezzo: Store;
  bench: Store;
}

async function run(stores: Stores, o: RunOptions): Promise<Record<string, unknown>> {
  const { n, agents, seconds, limitMs, namespace } = o;
  const store = stores.mezzo;
  const clock = new SystemClock();
  const logger = silentLogger();
  const controller = new Controller({
    clock,
    logger,
    metrics: new MetricsRegistry(),
    store,
    access: devAccess(token),
    grpcPort: 0,
    httpPort: 0,
    taskNamespace: namespace,
  });
  await controller.start();
  const dirs: string[] = [];
  const started: Agent[] = [];
  // Room for every task on each agent: the bench measures placement, not packing.
  const perTask = { cpus: 0.01, mem: 8 };
  for (let i = 0; i < agents; i++) {
    const workDir = mkdtempSync(join(tmpdir(), 'mezzo-bench-tp-'));
    dirs.push(workDir);
    const agent = new Agent(
      defaultConfig({
        workDir,
        controllers: [controller.grpcAddress],
        cgroupRoot: testCgroupRoot('tp'),
        httpPort: 0,
        hostname: `bench-${String(i)}`,
        resources: parseResources(
          `cpus:${String(Math.ceil(n * perTask.cpus) + 1)};mem:${String(n * perTask.mem + 64)}`,
        ),
        usageIntervalSeconds: 30,
        allowRoot: true,
      }),
      { logger },
    );
    await agent.start();
    started.push(agent);
  }
  while (controller.core.agents.size < agents) await new Promise((r) => setTimeout(r, 20));
  const stopFrameworks = await startBuiltinFrameworks({
    address: controller.grpcAddress,
    store,
    logger,
    clock,
    namespace,
  });
  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const finished = new Map<string, number>();
  const prefix = `tp-${String(process.pid)}-${String(n)}-`;
  const unwatch = stores.bench.watch('Task', (e) => {
    const name = e.object.metadata.name;
    if (!name.startsWith(prefix)) return;
    const state = (e.object.status as { state?: string } | undefined)?.state;
    if (!state) return;
    const now = performance.now();
    // A short task can go RUNNING→FINISHED between two mirror writes: it ran by then.
    if ((state === 'TASK_RUNNING' || TERMINAL.has(state)) && !running.has(name))
      running.set(name, now);
    if (TERMINAL.has(state) && !finished.has(name)) finished.set(name, now);
  });
  const cmd = seconds > 0 ? `sleep ${String(seconds)}` : 'true';
  const requestsBefore = await o.requests?.();
  const t0 = performance.now();
  let next = 0;
  // `createInFlight` creators, each taking the next object as its last create returns.
  await Promise.all(
    Array.from({ length: Math.min(n, o.createInFlight) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const name = `${prefix}${String(i).padStart(5, '0')}`;
        const obj: StoredObject = {
          apiVersion: API_VERSION,
          kind: 'Task',
          metadata: { name, namespace },
          spec: { command: cmd, resources: perTask },
        };
        created.set(name, performance.now());
        await stores.bench.create(obj);
      }
    }),
  );
  const createdMs = performance.now() - t0;
  const deadline = t0 + limitMs;
  // The controller's own view, to tell the agent's pace from the store mirror's.
  const coreRunning = new Map<string, number>();
  const coreLaunched = new Map<string, number>();
  while (finished.size < n && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const now = performance.now();
    for (const t of controller.core.tasks.values()) {
      const name = t.info.name ?? '';
      if (!name.startsWith(prefix)) continue;
      if (!coreLaunched.has(name)) coreLaunched.set(name, now);
      if (t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING') continue;
      if (!coreRunning.has(name)) coreRunning.set(name, now);
    }
  }
  const out = {
    tasks: n,
    agents,
    command: cmd,
    all_created_ms: round(createdMs),
    completed: finished.size === n,
    limit_s: limitMs / 1000,
    to_running: figures(t0, created, running),
    /** Accepted: the controller holds the task (the framework placed it). */
    to_launched_in_controller: figures(t0, created, coreLaunched),
    /** RUNNING as the controller knew it (polled every 50 ms), before its store write. */
    to_running_in_controller: figures(t0, created, coreRunning),
    to_finished: figures(t0, created, finished),
  };
  if (requestsBefore && o.requests) {
    const delta = requestDelta(requestsBefore, await o.requests());
    Object.assign(out, { requests: delta, requests_per_task: requestsPerObject(delta, n) });
  }
  unwatch();
  stopFrameworks();
  for (const t of controller.core.tasks.values()) controller.core.killTask(t, 0);
  for (const a of started) {
    await a.destroyAllTasks().catch(() => undefined);
    await a.stop();
  }
  await controller.stop();
  // Leave the store as found: the next size starts from nothing.
  for (const o of await stores.bench.list('Task')) {
    if (!o.metadata.name.startsWith(prefix)) continue;
    o.metadata.finalizers = [];
    await stores.bench.update(o).catch(() => undefined);
    await stores.bench.delete('Task', o.metadata.name, o.metadata.namespace).catch(() => undefined);
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  return out;
}

async function main(): Promise<void> {
  const sizes = process.argv.includes('--quick')
    ? [200]
    : flag('tasks', '200,1000')
        .split(',')
        .map(Number)
        .filter((x) => x > 0);
  const agents = Number(flag('agents', '1'));
  const seconds = Number(flag('seconds', '2'));
  const limitMs = Number(flag('limit-s', '180')) * 1000;
  const kind = flag('store', 'embedded');
  const createInFlight = Number(flag('create-in-flight', 'Infinity'));
  const qps = flag('kube-api-qps', '');
  const burst = flag('kube-api-burst', '');
  const limit = rateLimitFromFlags(
    qps === '' ? undefined : Number(qps),
    burst === '' ? undefined : Number(burst),
  );
  if (limit && kind !== 'kube') throw new Error('--kube-api-qps needs --store=kube');
  let cp: ControlPlane | undefined;
  const results: Record<string, unknown>[] = [];
  const common = { agents, seconds, limitMs, namespace: 'default', createInFlight };
  try {
    for (const n of sizes) {
      let stores: Stores;
      let requests: (() => Promise<RequestCounts>) | undefined;
      let dir: string | undefined;
      if (kind === 'kube') {
        const plane = (cp ??= controlPlane());
        await plane.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
        const clock = new SystemClock();
        const { mezzo } = kubeConfigsFor(['mezzo'], limit, clock, (kc) => {
          kc.loadFromFile(plane.kubeconfigPath);
        });
        stores = {
          mezzo: new KubernetesStore(mezzo, clock, silentLogger()),
          bench: new KubernetesStore(plane.kubeConfig(), clock, silentLogger()),
        };
        requests = () => apiserverRequests(plane);
      } else {
        dir = mkdtempSync(join(tmpdir(), 'mezzo-bench-tp-store-'));
        const store = new EmbeddedStore(join(dir, 'state.json'), new SystemClock());
        stores = { mezzo: store, bench: store };
      }
      try {
        const r = await run(stores, { ...common, n, ...(requests ? { requests } : {}) });
        if (limit) Object.assign(r, { kube_api_qps: limit.qps, kube_api_burst: limit.burst });
        // Progress for a long run; the JSON on stdout comes at the end.
        process.stderr.write(`${JSON.stringify(r)}\n`);
        results.push(r);
      } finally {
        await stores.mezzo.close();
        if (stores.bench !== stores.mezzo) await stores.bench.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    cp?.stop();
    await removeTestResources();
  }
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'task-path', store: kind, runs: results }, null, 2)}\n`,
  );
}

await main();
