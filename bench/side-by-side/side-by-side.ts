/**
 * Side by side with kube-scheduler (issue 17 item 4), on one etcd + kube-apiserver
 * (test/e2e/control-plane.sh, v1.34.4), in one run:
 *
 * - kube-scheduler (built from the same k8s.io/kubernetes as the apiserver) with KWOK
 *   simulating N nodes and pod lifecycle (scripts/kwok-tools.sh): M pods of one shape
 *   created at once, timed creation → phase Running through a pod watch;
 * - Mezzo: `mezzo controller` on the Kubernetes store with `mezzo sim-agents` registering
 *   N agents of the nodes' shape: M Tasks of the pods' shape created at once, timed
 *   creation → status TASK_RUNNING through a Task watch.
 *
 * Each scheduler runs at its default client limits (kube-scheduler: 50 QPS, burst 100;
 * Mezzo: none) and at each equal limit of `--limits` (default 50/100: kube-scheduler's own
 * default, so its default run is that run too). Objects are created by this process,
 * `--create-in-flight` requests at once (default 32), with no client limit, the same way
 * for both: more in flight makes the creates faster than either scheduler, a backlog.
 *
 * Each run also reports the requests the apiserver served meanwhile, by verb and resource
 * (its apiserver_request_total), in all and per object: the bench's creates are one POST
 * per object on either side; kube-scheduler's binding is `POST pods/binding`, KWOK's pod
 * status `PATCH pods/status`; Mezzo's controller makes every other row of its runs.
 *
 * Flags: `--nodes=1000 --objects=5000` (`--quick`: 100 and 1,000), `--limits=50/100,…`
 * (qps/burst), `--limit-s=600` (a run stops waiting then), `--only=kube|mezzo`,
 * `--cpu-prof` (the Mezzo controller writes a V8 CPU profile per run into the log
 * directory), `--store-workers=N` (the controller's store writes in flight),
 * `--max-offers-per-pass=K` (the controller's per-pass offer bound; default none),
 * `--offer-allowance=adaptive|off` (the controller's; default its own, adaptive),
 * `--create-in-flight=32`, `--agent-status-writes` (the simulated agents write their
 * Tasks' RUNNING status with tokens bound to their own nodes, under the chart's admission
 * policy, each agent under a kubelet's default client limit of 50/100, as KWOK writes pod
 * status with no client limit; the controller runs with `--agent-status-writes`).
 * Prints one JSON object; logs stay in .tmp/side-by-side/<time>/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { RateLimit } from '../../src/kube/rate-limit.js';
import { controlPlane, repoRoot, type ControlPlane } from '../../test/e2e/support/control-plane.js';
import { round } from './lib/figures.js';
import { KUBE_SCHEDULER_DEFAULT, KubeSchedulerSide } from './lib/kube-scheduler-side.js';
import { MezzoSide } from './lib/mezzo-side.js';
import type { RunResult } from './lib/run-result.js';
import { SHAPE } from './lib/shape.js';

function flag(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

function parseLimits(s: string): RateLimit[] {
  return s
    .split(',')
    .filter((x) => x !== '')
    .map((x) => {
      const [qps, burst] = x.split('/').map(Number);
      if (!qps || !burst) throw new Error(`--limits: ${x} is not qps/burst`);
      return { qps, burst };
    });
}

const sameLimit = (a: RateLimit, b: RateLimit) => a.qps === b.qps && a.burst === b.burst;

/** Mezzo over kube-scheduler: above 1, Mezzo is faster (latency ratios: kube's over Mezzo's). */
function compare(label: string, kube: RunResult | undefined, mezzo: RunResult | undefined) {
  if (!kube || !mezzo) return undefined;
  const k = kube.to_running;
  const m = mezzo.to_running;
  return {
    limits: label,
    kube_scheduler: {
      per_second: k.per_second,
      p50_ms: k.latency_ms.p50,
      p99_ms: k.latency_ms.p99,
      completed: kube.completed,
      requests_per_object: kube.requests.per_object,
    },
    mezzo: {
      per_second: m.per_second,
      p50_ms: m.latency_ms.p50,
      p99_ms: m.latency_ms.p99,
      completed: mezzo.completed,
      requests_per_object: mezzo.requests.per_object,
    },
    throughput_ratio: round(m.per_second / k.per_second),
    p50_ratio: round(k.latency_ms.p50 / m.latency_ms.p50),
    p99_ratio: round(k.latency_ms.p99 / m.latency_ms.p99),
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const nodes = Number(flag('nodes', quick ? '100' : '1000'));
  const objects = Number(flag('objects', quick ? '1000' : '5000'));
  const limits = parseLimits(flag('limits', '50/100'));
  const limitMs = Number(flag('limit-s', '600')) * 1000;
  const only = flag('only', '');
  const inFlight = Number(flag('create-in-flight', '32'));
  const agentStatusWrites = process.argv.includes('--agent-status-writes');
  if (!Number.isInteger(inFlight) || inFlight < 1)
    throw new Error('--create-in-flight: a whole number of 1 or more');
  const logDir = join(
    repoRoot,
    '.tmp/side-by-side',
    new Date().toISOString().replace(/[:.]/g, '-'),
  );
  mkdirSync(logDir, { recursive: true });
  const kwokDir = execFileSync('bash', [join(repoRoot, 'scripts/kwok-tools.sh'), 'print-dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const progress = (r: RunResult) => process.stderr.write(`${JSON.stringify(r)}\n`);
  const load0 = loadavg()[0] ?? 0;
  let cp: ControlPlane | undefined;
  const kubeRuns: RunResult[] = [];
  const mezzoRuns: RunResult[] = [];
  try {
    cp = controlPlane();
    if (only !== 'mezzo') {
      const kube = await KubeSchedulerSide.setUp(cp, kwokDir, nodes, SHAPE, logDir);
      try {
        // kube-scheduler's default is also an equal limit when --limits names it.
        const runs = [undefined, ...limits.filter((l) => !sameLimit(l, KUBE_SCHEDULER_DEFAULT))];
        for (const limit of runs) {
          const r = await kube.run(objects, limit, limitMs, inFlight);
          progress(r);
          kubeRuns.push(r);
        }
      } finally {
        await kube.tearDown();
      }
    }
    if (only !== 'kube') {
      const nodeFlags = process.argv.includes('--cpu-prof')
        ? ['--cpu-prof', `--cpu-prof-dir=${join(logDir, 'prof')}`]
        : [];
      const workers = flag('store-workers', '');
      const bound = flag('max-offers-per-pass', '');
      const allowance = flag('offer-allowance', '');
      const controllerFlags = [
        ...(allowance === '' ? [] : [`--offer-allowance=${allowance}`]),
        ...(workers === '' ? [] : [`--store-workers=${workers}`]),
        ...(bound === '' ? [] : [`--max-offers-per-pass=${bound}`]),
      ];
      const mezzo = await MezzoSide.setUp(cp, {
        nodes,
        shape: SHAPE,
        logDir,
        nodeFlags,
        controllerFlags,
        agentStatusWrites,
      });
      for (const limit of [undefined, ...limits]) {
        const r = await mezzo.run(objects, limit, limitMs, inFlight);
        progress(r);
        mezzoRuns.push(r);
      }
    }
  } finally {
    cp?.stop();
  }
  const kubeAt = (l: RateLimit) =>
    kubeRuns.find((r) => r.limit.qps === l.qps && r.limit.burst === l.burst);
  const mezzoAt = (l: RateLimit) =>
    mezzoRuns.find(
      (r) => r.limit.source === 'equal' && r.limit.qps === l.qps && r.limit.burst === l.burst,
    );
  const comparison = [
    ...limits.map((l) =>
      compare(`both ${String(l.qps)} QPS, burst ${String(l.burst)}`, kubeAt(l), mezzoAt(l)),
    ),
    compare(
      'each at its default (kube-scheduler 50/100, Mezzo no limit)',
      kubeRuns.find((r) => r.limit.source === 'default'),
      mezzoRuns.find((r) => r.limit.source === 'default'),
    ),
  ].filter((c) => c !== undefined);
  const out = {
    benchmark: 'side-by-side',
    versions: {
      kubernetes: process.env.MEZZO_K8S_VERSION ?? 'v1.34.4',
      kwok: kwokDir.replace(/.*kwok-/, ''),
    },
    nodes,
    objects,
    shape: SHAPE,
    create_in_flight: inFlight,
    mezzo_store_workers: flag('store-workers', '') || 'default (64)',
    mezzo_max_offers_per_pass: flag('max-offers-per-pass', '') || 'default (no bound)',
    mezzo_offer_allowance: flag('offer-allowance', '') || 'default (adaptive)',
    mezzo_agent_status_writes: agentStatusWrites,
    machine: { cpus: cpus().length, load_start: round(load0), load_end: round(loadavg()[0] ?? 0) },
    log_dir: logDir,
    runs: [...kubeRuns, ...mezzoRuns],
    comparison,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
