// Mezzo on a real apiserver: the chart installed with helm, two controller replicas run
// as host processes authenticated as the chart's controller ServiceAccount (so the
// chart's RBAC is what is exercised), two agents standing in for the DaemonSet's pods.
// kubectl applies the demo; tasks run and finish; killing the leader hands over to the
// standby and the running tasks keep running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/net.js';
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';
import { runNode, type NodeRun } from '../support/run-node.js';
import { killCgroupTrees } from '../../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { authHeader, writeTestTokenFile } from '../../support/auth.js';

const bin = join(repoRoot, 'bin/mezzo.js');
const NS = 'mezzo-ha';
const cgroupPrefix = testCgroupRoot('ha');
let cp: ControlPlane;
const procs: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();
/** The two controller replicas of the first test (the others use its cluster). */
const controllers: ChildProcess[] = [];

function run(args: string[]): ChildProcessByStdio<null, Readable, Readable> {
  const p = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEZZO_LOG_FORMAT: 'json' },
  });
  logs.set(p, '');
  const keep = (d: Buffer) => logs.set(p, ((logs.get(p) ?? '') + d.toString()).slice(-20_000));
  p.stdout.on('data', keep);
  p.stderr.on('data', keep);
  procs.push(p);
  return p;
}

async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stateOf(port: number): Promise<Record<string, unknown> | undefined> {
  return fetch(`http://127.0.0.1:${port}/state`, { headers: authHeader() })
    .then((r) => r.json() as Promise<Record<string, unknown>>)
    .catch(() => undefined);
}

before(async () => {
  cp = controlPlane();
  await cp.helm([
    'install',
    'ha',
    join(repoRoot, 'charts/mezzo'),
    '--namespace',
    NS,
    '--create-namespace',
    '--wait=false',
  ]);
  // Earlier files leave Tasks behind in the shared control plane; this test places its own.
  await cp.kubectl(['delete', 'tasks', '--all', '-A']);
});

after(() => {
  for (const p of procs) p.kill('SIGKILL');
  // Tasks outlive agents by design: kill what this test started through its cgroups.
  killCgroupTrees(cgroupPrefix);
  cp.stop();
});

test('helm-installed Mezzo runs tasks from kubectl and survives the leader dying', async () => {
  // The chart's controller identity, through a real ServiceAccount token.
  const token = (
    await cp.kubectl(['-n', NS, 'create', 'token', 'ha-mezzo-controller', '--duration=1h'])
  ).stdout.trim();
  const dir = tempDir('mezzo-ha-');
  const kubeconfig = join(dir, 'controller.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: e2e, cluster: {server: "${cp.server}", certificate-authority: "${cp.caCertPath}"}}]\nusers: [{name: sa, user: {token: "${token}"}}]\ncontexts: [{name: e2e, context: {cluster: e2e, user: sa}}]\ncurrent-context: e2e\n`,
  );
  const tokenFile = writeTestTokenFile(dir);
  const [h1, g1, h2, g2] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const controller = (id: string, http: number, grpc: number) =>
    run([
      'controller',
      '--store',
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      NS,
      '--lease-name',
      'ha-mezzo-controller',
      '--identity',
      id,
      '--host',
      '127.0.0.1',
      '--http-port',
      String(http),
      '--grpc-port',
      String(grpc),
      '--lease-duration',
      '3',
      '--renew-deadline',
      '2',
      '--retry-period',
      '0.5',
      '--agent-ping-timeout',
      '5',
      '--token-file',
      tokenFile,
    ]);
  const c1 = controller('c1', h1, g1);
  const c2 = controller('c2', h2, g2);
  controllers.push(c1, c2);
  const leaderPort = async () => {
    for (const [p, proc] of [
      [h1, c1],
      [h2, c2],
    ] as const) {
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      const s = await stateOf(p);
      if (s && 'frameworks' in s) return p;
    }
    return undefined;
  };
  const firstLeader = await until(leaderPort, 20_000, 'a leader');
  // The other replica stands by and names the leader.
  const standbyState = await until(
    async () => {
      const st = await stateOf(firstLeader === h1 ? h2 : h1);
      return st?.role === 'standby' && st.leader !== '' ? st : undefined;
    },
    10_000,
    'the standby',
  );
  assert.equal(standbyState.leader, `127.0.0.1:${firstLeader === h1 ? g1 : g2}`);

  for (const [i, host] of ['node-a', 'node-b'].entries()) {
    run([
      'agent',
      '--controller',
      `127.0.0.1:${g1},127.0.0.1:${g2}`,
      '--work-dir',
      mkdtempSync(join(dir, `agent-${host}-`)),
      '--resources',
      `cpus:2;mem:1024;ports:[${31000 + i * 100}-${31099 + i * 100}]`,
      '--hostname',
      host,
      '--node-name',
      host,
      '--port',
      '0',
      '--cgroup-root',
      `${cgroupPrefix}-${host}`,
      '--no-node-labels',
    ]);
  }
  await until(
    async () =>
      ((await stateOf(firstLeader))?.agents as unknown[] | undefined)?.length === 2 || undefined,
    20_000,
    'two agents',
  );
  // The controller mirrors agents into Agent objects.
  const agentsOut = await until(
    async () => {
      const out = (await cp.kubectl(['get', 'agents'])).stdout;
      return /node-a\s+Active/.test(out) && /node-b\s+Active/.test(out) ? out : undefined;
    },
    20_000,
    'Agent objects',
  );
  assert.match(agentsOut, /NODE\s+STATE/);

  await cp.kubectl(['create', 'namespace', 'ha-demo']);
  await cp.kubectl(['apply', '-n', 'ha-demo', '-f', join(repoRoot, 'examples/demo.yaml')]);
  const tasks = async () => (await cp.kubectl(['get', 'tasks', '-n', 'ha-demo'])).stdout;
  const shown = await until(
    async () => {
      const out = await tasks();
      return /hello\s+TASK_FINISHED/.test(out) &&
        /ticker\s+TASK_RUNNING/.test(out) &&
        /web\s+TASK_RUNNING/.test(out)
        ? out
        : undefined;
    },
    30_000,
    'demo tasks RUNNING and FINISHED in kubectl get tasks',
  );
  assert.match(shown, /ticker\s+TASK_RUNNING\s+node-[ab]/);

  // Kill the leader outright; the standby takes over within the 3 s lease.
  const leaderProc = firstLeader === h1 ? c1 : c2;
  const otherPort = firstLeader === h1 ? h2 : h1;
  leaderProc.kill('SIGKILL');
  const killedAt = Date.now();
  await until(
    async () =>
      ((await stateOf(otherPort)) && 'frameworks' in ((await stateOf(otherPort)) ?? {})) ||
      undefined,
    15_000,
    'the standby to lead',
  );
  const takeover = Date.now() - killedAt;
  // Agents re-register with the new leader and report the tasks still running.
  const s = await until(
    async () => {
      const st = await stateOf(otherPort);
      const ts = (st?.tasks ?? []) as { name: string; state: string }[];
      return ts.some((t) => t.name === 'ticker' && t.state === 'TASK_RUNNING') &&
        ts.some((t) => t.name === 'web' && t.state === 'TASK_RUNNING')
        ? st
        : undefined;
    },
    30_000,
    'the new leader to see the running tasks',
  );
  assert.ok(s);
  assert.match(await tasks(), /ticker\s+TASK_RUNNING/);
  process.stderr.write(`# leader take-over after SIGKILL: ${takeover} ms\n`);

  // kubectl delete of a running task kills it before the object goes away.
  await cp.kubectl(['delete', 'task', 'ticker', '-n', 'ha-demo', '--wait=true', '--timeout=30s']);
  const killed = await until(
    async () => {
      const ts = ((await stateOf(otherPort))?.tasks ?? []) as { name: string; state: string }[];
      return ts.find((t) => t.name === 'ticker' && t.state === 'TASK_KILLED');
    },
    10_000,
    'the ticker task killed',
  );
  assert.ok(killed);

  // A failing task shows as a Warning event on its Task object.
  await cp.kubectl(
    ['apply', '-n', 'ha-demo', '-f', '-'],
    'apiVersion: mezzo.dev/v1alpha1\nkind: Task\nmetadata: {name: doomed}\nspec: {command: "exit 3", resources: {cpus: 0.1, mem: 16}}\n',
  );
  const described = await until(
    async () => {
      const out = (await cp.kubectl(['describe', 'task', 'doomed', '-n', 'ha-demo'])).stdout;
      return /Warning\s+TaskFailed\s+.*TASK_FAILED/.test(out) ? out : undefined;
    },
    20_000,
    'the TaskFailed event',
  );
  assert.match(described, /Exit Code:\s+3/);
});

/** Runs the mezzo CLI to its end; resolves with its exit code and output. */
function cli(args: string[]): Promise<NodeRun> {
  return runNode([bin, ...args]);
}

test('the CLI and an SDK framework find the Kubernetes-hosted leader through a kubeconfig', async () => {
  const via = ['--kubeconfig', cp.kubeconfigPath, '--controller-namespace', NS];
  const lease = ['--lease', 'ha-mezzo-controller'];
  // The leader now is the replica that took over in the test above.
  const agents = await cli(['get', 'agents', ...via, ...lease]);
  assert.equal(agents.code, 0, agents.err);
  assert.match(agents.out, /node-a\s+active/);
  assert.match(agents.out, /node-b\s+active/);

  const ran = await cli([
    'run',
    ...via,
    ...lease,
    '--cpus',
    '0.1',
    '--mem',
    '16',
    '--',
    '/bin/sh',
    '-c',
    'echo through-the-lease; exit 4',
  ]);
  assert.match(ran.out, /through-the-lease/);
  assert.equal(ran.code, 4, 'mezzo run mirrors the exit code');

  const missing = await cli(['get', 'agents', ...via, '--lease', 'no-such-lease']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /Lease no-such-lease not found/);

  // The example batch framework, pointed at the leader's gRPC address from the Lease.
  const grpcAddr = (
    await cp.kubectl([
      'get',
      'lease',
      '-n',
      NS,
      'ha-mezzo-controller',
      '-o',
      'jsonpath={.metadata.annotations.mezzo\\.dev/leader-address}',
    ])
  ).stdout.trim();
  const out = tempDir('mezzo-ha-wc-');
  const job = spawn(
    process.execPath,
    [
      join(repoRoot, 'dist/examples/wordcount/main.js'),
      '--controller',
      grpcAddr,
      '--job',
      join(repoRoot, 'examples/wordcount/job.yaml'),
      '--out',
      out,
      '--flaky',
      '1',
      '--locality-wait',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(job);
  let summary = '';
  let progress = '';
  job.stdout.on('data', (d: Buffer) => (summary += d.toString()));
  job.stderr.on('data', (d: Buffer) => (progress += d.toString()));
  const code = await new Promise<number | null>((resolve) => job.on('exit', resolve));
  assert.equal(code, 0, `${summary}\n${progress}`);
  const result = JSON.parse(summary) as { ok: boolean; retries: number; tasksLaunched: number };
  assert.equal(result.ok, true);
  // 8 shards, the flaky one twice: 9 launches.
  assert.equal(result.retries, 1);
  assert.equal(result.tasksLaunched, 9);
});

test('kubectl users run Marathon-style apps and Chronos-style pipelines', async () => {
  await cp.kubectl(['create', 'namespace', 'ha-apps']);
  await cp.kubectl([
    'apply',
    '-n',
    'ha-apps',
    '-f',
    join(repoRoot, 'examples/apps/hello-http.yaml'),
  ]);
  // Two instances, each serving HTTP on its assigned port and passing its health check.
  const apps = await until(
    async () => {
      const out = (await cp.kubectl(['get', 'apps', '-n', 'ha-apps'])).stdout;
      return /hello-http\s+2\s+2\s+2\b/.test(out) ? out : undefined;
    },
    60_000,
    'hello-http with 2 instances running and healthy in kubectl get apps',
  );
  assert.match(apps, /^NAME\s+INSTANCES\s+RUNNING\s+HEALTHY/m);
  const instances = (
    await cp.kubectl([
      'get',
      'tasks',
      '-A',
      '-l',
      'mezzo.dev/app-name=hello-http,mezzo.dev/app-namespace=ha-apps',
      '-o',
      'name',
    ])
  ).stdout;
  assert.equal(instances.trim().split('\n').length, 2, instances);

  // The pipeline: a run-now annotation on extract; transform and load follow as children.
  const etlDir = tempDir('mezzo-etl-');
  chmodSync(etlDir, 0o777);
  const etl = readFileSync(join(repoRoot, 'examples/schedules/etl.yaml'), 'utf8').replaceAll(
    '/tmp/mezzo-etl',
    etlDir,
  );
  await cp.kubectl(['apply', '-n', 'ha-apps', '-f', '-'], etl);
  await cp.kubectl([
    'annotate',
    'schedule',
    'extract',
    '-n',
    'ha-apps',
    `mezzo.dev/run-now=${new Date().toISOString()}`,
  ]);
  const loaded = await until(
    async () => {
      const out = (
        await cp.kubectl([
          'get',
          'schedule',
          'load',
          '-n',
          'ha-apps',
          '-o',
          'jsonpath={.status.successCount}',
        ])
      ).stdout;
      return out.trim() === '1' ? out : undefined;
    },
    60_000,
    'extract → transform → load to succeed once',
  );
  assert.ok(loaded);
  // raw.txt has 3 rows: alpha, beta, gamma.
  assert.equal(readFileSync(join(etlDir, 'loaded.txt'), 'utf8').trim(), '3');
  assert.equal(readFileSync(join(etlDir, 'clean.txt'), 'utf8'), 'ALPHA\nBETA\nGAMMA\n');

  // kubectl cannot see across objects, so a dependency cycle is applied; the Schedules'
  // status says what is wrong and neither runs.
  await cp.kubectl(
    ['apply', '-n', 'ha-apps', '-f', '-'],
    [
      'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: ping}\nspec: {schedule: "R/2026-01-01T00:00:00Z/PT1M", parents: [pong], command: "true", cpus: 0.1, mem: 16Mi}',
      'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: pong}\nspec: {parents: [ping], command: "true", cpus: 0.1, mem: 16Mi}',
    ].join('\n---\n'),
  );
  const cycle = await until(
    async () => {
      const out = (
        await cp.kubectl([
          'get',
          'schedule',
          'ping',
          '-n',
          'ha-apps',
          '-o',
          'jsonpath={.status.conditions[0].message}',
        ])
      ).stdout;
      return out.startsWith('dependency cycle') ? out : undefined;
    },
    30_000,
    'the cycle reported on the Schedule',
  );
  assert.match(cycle, /ping -> pong -> ping|pong -> ping -> pong/);
});

test('SIGTERM: the leader hands the lease back and exits 0', async () => {
  // Releasing the lease on the way out ends leadership too; that is not the lost lease
  // a controller exits 1 for.
  const live = controllers.filter((p) => p.exitCode === null && p.signalCode === null);
  assert.equal(live.length, 1, 'the standby that took over is running');
  const [leader] = live;
  assert.ok(leader);
  const code = new Promise<number | null>((r) => leader.once('exit', (c) => r(c)));
  leader.kill('SIGTERM');
  assert.equal(await code, 0, logs.get(leader)?.slice(-2_000));
  assert.doesNotMatch(logs.get(leader) ?? '', /lost the lease/);
  const holder = await cp.kubectl([
    'get',
    'lease',
    'ha-mezzo-controller',
    '-n',
    NS,
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  assert.equal(holder.stdout, '', 'the lease handed back');
});
