// The Task mirror on a real apiserver (the Kubernetes store, its watch and its copies):
// a task change its object would not show costs no request, and a status another writer
// patches onto a running task's object is written over once, with no write loop after
// (the mirror's own write comes back through the watch and must start nothing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { KubernetesStore } from '../../../src/store/kubernetes.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { needCgroups } from '../../integration/agent/support/harness.js';
import { startAgent, until } from '../../integration/controller/support.js';
import { startKubeController } from '../support/kube-controller.js';
import { controlPlane, withCrdsAndNamespace, type ControlPlane } from '../support/control-plane.js';

const NS = 'status-drift';
let cp: ControlPlane;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  cp = controlPlane();
  await withCrdsAndNamespace(cp, ['crd/tasks.mezzo.dev', 'crd/frameworks.mezzo.dev'], NS);
  // Earlier files leave Tasks in the shared control plane, and this file's default
  // framework places every Task it sees, oldest first: they go (their finalizers may wait
  // for a controller that is gone, hence no wait), and the agent has room for more.
  await cp.kubectl(['delete', 'tasks', '--all', '-A', '--wait=false']);
});

after(async () => {
  for (const c of cleanup.reverse()) await c();
  await cp.kubectl(['delete', 'tasks', '--all', '-n', NS, '--wait=false']).catch(() => undefined);
  cp.stop();
});

/** A kubeconfig that counts the requests made through it for Task d1 (watches aside). */
class CountingKubeConfig extends k8s.KubeConfig {
  requests: string[] = [];
  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    const url = context.getUrl();
    if (/\/tasks\/d1(\/|\?|$)/.test(url))
      this.requests.push(`${context.getHttpMethod()} ${url.replace(/^.*\/tasks\//, '')}`);
    await super.applySecurityAuthentication(context);
  }
}

async function objectState(): Promise<string | undefined> {
  const { stdout } = await cp.kubectl([
    'get',
    'task',
    'd1',
    '-n',
    NS,
    '-o',
    'jsonpath={.status.state}',
  ]);
  return stdout;
}

test('a status patched onto a running task is written over once; unchanged ones cost nothing', async (t) => {
  if (!needCgroups(t)) return;
  const clock = new SystemClock();
  const logger = silentLogger();
  const kc = new CountingKubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const store = new KubernetesStore(kc, clock, logger);
  cleanup.push(() => store.close());
  const { controller, stop } = await startKubeController(store, NS);
  cleanup.push(stop);
  const agent = await startAgent(controller.grpcAddress, 'cpus:32;mem:32768', 'drift-a');
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
  await cp.kubectl(
    ['apply', '-n', NS, '-f', '-'],
    'apiVersion: mezzo.dev/v1alpha1\nkind: Task\nmetadata: {name: d1}\nspec: {command: "exec sleep 300", resources: {cpus: 0.1, mem: 16}}\n',
  );
  const task = () =>
    [...controller.core.tasks.values()].find(
      (x) => x.info.name === 'd1' && x.id.startsWith(`${NS}.`),
    );
  await until(() => task()?.state === 'TASK_RUNNING', 30_000, 'the task RUNNING');
  const rec = task();
  assert.ok(rec?.status);
  await until(() => rec.mirrored === rec.version, 10_000, 'RUNNING written');
  assert.equal(await objectState(), 'TASK_RUNNING');

  // The agent's RUNNING once more (a resend): the version moves, the object would not.
  const before = kc.requests.length;
  controller.core.applyStatus({ ...rec.status });
  await until(() => rec.mirrored === rec.version, 10_000, 'the change synced');
  assert.deepEqual(kc.requests.slice(before), [], 'no request for it');

  // Another writer says it failed; the mirror puts the task's status back.
  await cp.kubectl([
    'patch',
    'task',
    'd1',
    '-n',
    NS,
    '--subresource=status',
    '--type=merge',
    '-p',
    '{"status":{"state":"TASK_FAILED","message":"forged"}}',
  ]);
  await until(() => kc.requests.length > before, 10_000, 'the status written again');
  const deadline = Date.now() + 10_000;
  while ((await objectState()) !== 'TASK_RUNNING' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(await objectState(), 'TASK_RUNNING', 'put back');
  // The watch brings the mirror's own write back: that starts no other write.
  await new Promise((r) => setTimeout(r, 1_000));
  assert.deepEqual(kc.requests.slice(before), ['PUT d1/status'], 'one write in all');
});
