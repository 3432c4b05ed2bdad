/**
 * The node test's scenarios against the chart's controller, each a function of the
 * running cluster so that chart-on-node.test.ts stays one ordered story: the CLI and TLS
 * (the chart's CA, the agents' TLS port, a rotation the servers pick up without a
 * restart), and the leader controller's pod deleted while the example SDK framework runs
 * its job. (RBAC for a pod identity: auth-on-node.ts.)
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type ControlPlane } from '../support/control-plane.js';
import { runNode } from '../support/run-node.js';
import { tempDir } from '../../support/cleanup.js';
import { chartCa, controllerDiagnostics, httpsGet, leader, RELEASE } from './chart-clients.js';
import { componentPods, eventually, podReady, type Pod } from './support.js';

const bin = join(repoRoot, 'bin/mezzo.js');

/** The `mezzo` CLI with the admin kubeconfig, as a user on the host. */
export function cli(cp: ControlPlane, args: string[], env: Record<string, string>) {
  return runNode([bin, ...args, '--kubeconfig', cp.kubeconfigPath], env);
}

/** `mezzo get tasks` and `mezzo logs` through the Lease, verifying the chart's CA. */
export async function cliThroughLease(cp: ControlPlane, token: string): Promise<void> {
  const caFile = join(tempDir('mezzo-node-ca-'), 'ca.crt');
  writeFileSync(caFile, await chartCa(cp));
  const noCa = await cli(cp, ['get', 'tasks'], { MEZZO_TOKEN: token });
  assert.equal(noCa.code, 1);
  assert.match(noCa.err, /serves TLS: pass --certificate-authority/);
  const tasks = await cli(cp, ['get', 'tasks', '--certificate-authority', caFile], {
    MEZZO_TOKEN: token,
  });
  assert.equal(tasks.code, 0, tasks.err);
  assert.match(tasks.out, /ticker\s+TASK_RUNNING/);
  const logs = await cli(cp, ['logs', 'ticker'], { MEZZO_TOKEN: token, MEZZO_CA_FILE: caFile });
  assert.equal(logs.code, 0, logs.err);
  assert.match(logs.out, /^tick 1$/m);
}

/** The agents' HTTP port serves TLS with the chart's agent certificate. */
export async function agentPortOverTls(cp: ControlPlane, token: string): Promise<void> {
  const [agent] = await componentPods(cp, RELEASE.ns, 'agent');
  const ip = agent?.status.podIP;
  assert.ok(ip, 'the agent pod has an address');
  const ca = await chartCa(cp);
  const health = await httpsGet(`${ip}:5052`, '/healthz', { ca, serverName: RELEASE.agentName });
  assert.equal(health.status, 200, health.body);
  assert.match(health.peer.subject, /CN=mezzo-agent/);
  const state = await httpsGet(`${ip}:5052`, '/state', {
    ca,
    serverName: RELEASE.agentName,
    token,
  });
  assert.equal(state.status, 200, state.body);
  // Plain HTTP on the same port gets no answer a client could take for the agent's.
  const plain = await fetch(`http://${ip}:5052/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  assert.notEqual(plain, 200);
}

/**
 * The chart's Secret replaced (deleted, then `helm upgrade` makes a new CA and pair): the
 * same controller pods serve the new certificate without a restart, verified with the new
 * CA. Returns how long the switch took.
 */
export async function rotateWithoutRestart(
  cp: ControlPlane,
  upgrade: () => Promise<unknown>,
): Promise<number> {
  const before = await componentPods(cp, RELEASE.ns, 'controller');
  const { http } = await leader(cp);
  const oldCa = await chartCa(cp);
  const old = await httpsGet(http, '/readyz', { ca: oldCa, serverName: RELEASE.controllerName });
  await cp.kubectl(['delete', 'secret', RELEASE.tlsSecret, '-n', RELEASE.ns]);
  const started = Date.now();
  await upgrade();
  const newCa = await chartCa(cp);
  assert.notDeepEqual(newCa, oldCa, 'helm made a new CA');
  const fresh = await eventually(
    async () => {
      const r = await httpsGet(http, '/readyz', { ca: newCa, serverName: RELEASE.controllerName });
      return r.peer.fingerprint256 !== old.peer.fingerprint256 ? r : undefined;
    },
    240_000,
    'the leader serving the new certificate',
  );
  const took = Date.now() - started;
  assert.equal(fresh.status, 200);
  // The old CA no longer verifies the leader.
  await assert.rejects(
    httpsGet(http, '/readyz', { ca: oldCa, serverName: RELEASE.controllerName }),
  );
  const after = await componentPods(cp, RELEASE.ns, 'controller');
  assert.deepEqual(
    after.map((p) => [p.metadata.uid, p.status.containerStatuses?.[0]?.restartCount]).sort(),
    before.map((p) => [p.metadata.uid, p.status.containerStatuses?.[0]?.restartCount]).sort(),
    'no controller pod was replaced or restarted',
  );
  return took;
}

/**
 * The leader controller's pod deleted (by a scale-down that picks it) while the word-count
 * framework runs from the host against both controller pods: the standby leads and serves,
 * the framework resubscribes and its job completes. Returns the time from the delete to
 * the new leader serving.
 */
export async function leaderFailover(cp: ControlPlane, token: string): Promise<number> {
  const pods = await componentPods(cp, RELEASE.ns, 'controller');
  const first = await leader(cp);
  const old = pods.find((p) => first.holder.includes(p.metadata.name));
  const standby = pods.find((p) => p !== old);
  assert.ok(old && standby, `the leader ${first.holder} and a standby`);
  const ca = await chartCa(cp);
  const caFile = join(tempDir('mezzo-node-wc-'), 'ca.crt');
  writeFileSync(caFile, ca);
  // Inputs and outputs on the agent's hostPath work dir: the same path on the host and in
  // the agent pod, where the tasks fetch their shard and write their part.
  const work = '/var/lib/mezzo/e2e-wordcount';
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'out'), { recursive: true });
  chmodSync(join(work, 'out'), 0o777);
  cpSync(join(repoRoot, 'examples/wordcount/input'), join(work, 'input'), { recursive: true });
  cpSync(join(repoRoot, 'examples/wordcount/job.yaml'), join(work, 'job.yaml'));
  // The job is killed if the scenario fails, so that nothing of it outlives the test.
  const stop = new AbortController();
  try {
    const addrs = pods.map((p: Pod) => `${String(p.status.podIP)}:5051`).join(',');
    const job = runNode(
      [
        join(repoRoot, 'dist/examples/wordcount/main.js'),
        '--controller',
        addrs,
        '--ca-file',
        caFile,
        '--server-name',
        RELEASE.controllerName,
        '--job',
        join(work, 'job.yaml'),
        '--out',
        join(work, 'out'),
        '--locality-wait',
        '0',
        '--task-delay',
        '20',
      ],
      { MEZZO_TOKEN: token },
      { signal: stop.signal },
    );
    // Deleted once the job's tasks run, so that they run across the failover.
    await eventually(
      async () => {
        const st = await httpsGet(first.http, '/state', {
          ca,
          serverName: RELEASE.controllerName,
          token,
        });
        const s = JSON.parse(st.body) as { tasks: { name: string; state: string }[] };
        return s.tasks.some((t) => t.name.startsWith('wordcount') && t.state === 'TASK_RUNNING')
          ? true
          : undefined;
      },
      120_000,
      'a word-count task running',
    );
    // The leader's pod goes by a scale-down that picks it (the lowest deletion cost), not
    // by a plain delete: a delete makes the Deployment start a third pod at once, which
    // races the standby for the released Lease, and a framework given the two pods'
    // addresses cannot follow a leader to a pod that did not exist when it started.
    await cp.kubectl([
      'annotate',
      'pod',
      '-n',
      RELEASE.ns,
      old.metadata.name,
      'controller.kubernetes.io/pod-deletion-cost=-1000',
    ]);
    const deletedAt = Date.now();
    await cp.kubectl(['scale', 'deployment', '-n', RELEASE.ns, RELEASE.deployment, '--replicas=1']);
    let seen = '';
    await eventually(
      async () => {
        const now = await leader(cp);
        seen = `holder ${now.holder || '(none)'}, http ${now.http || '(none)'}`;
        if (!now.holder.includes(standby.metadata.name)) return undefined;
        const r = await httpsGet(now.http, '/state', {
          ca,
          serverName: RELEASE.controllerName,
          token,
        });
        seen += `, /state ${String(r.status)}`;
        return r.status === 200 ? true : undefined;
      },
      120_000,
      'the standby leading and serving',
    ).catch(async (err: unknown) => {
      const why = `${String(err)}; last seen: ${seen}`;
      stop.abort();
      const framework = (await job).err.slice(-3000);
      throw new Error(
        `${why}\n${await controllerDiagnostics(cp)}\n--- the framework's stderr\n${framework}`,
      );
    });
    const tookMs = Date.now() - deletedAt;
    const done = await job;
    assert.equal(done.code, 0, `${done.out}\n${done.err}`);
    const result = JSON.parse(done.out) as { ok: boolean; resubscriptions: number };
    assert.equal(result.ok, true);
    assert.ok(result.resubscriptions >= 1, `the framework resubscribed: ${done.err}`);
    assert.equal(
      (await componentPods(cp, RELEASE.ns, 'controller')).some(
        (p) => p.metadata.uid === old.metadata.uid,
      ),
      false,
      'the scale-down removed the leader, not the standby',
    );
    // Back to two replicas; both Ready again before the next step.
    await cp.kubectl(['scale', 'deployment', '-n', RELEASE.ns, RELEASE.deployment, '--replicas=2']);
    await eventually(
      async () => {
        const now = await componentPods(cp, RELEASE.ns, 'controller');
        return now.length === 2 && now.every(podReady) ? true : undefined;
      },
      180_000,
      'two Ready controller pods again',
    );
    return tookMs;
  } finally {
    stop.abort();
    rmSync(work, { recursive: true, force: true });
  }
}
