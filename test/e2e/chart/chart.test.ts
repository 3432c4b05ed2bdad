// The Helm chart: lint, rendering with defaults and overrides, schema rejection, and a
// real `helm install` whose RBAC is checked for least privilege with `kubectl auth can-i`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';

const chart = join(repoRoot, 'charts/mezzo');
const KUBE = '--kube-version=1.34.4';
let cp: ControlPlane;
before(() => {
  cp = controlPlane();
});
after(() => cp.stop());

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

async function render(...sets: string[]): Promise<K8sObject[]> {
  const args = ['template', 'mezzo', chart, '--namespace', 'mezzo-system', KUBE];
  for (const s of sets) args.push('--set', s);
  const { stdout } = await cp.helm(args);
  return parseAllDocuments(stdout)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function find(objs: K8sObject[], kind: string, name: string): K8sObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} rendered`);
  return o;
}

test('helm lint --strict passes', async () => {
  const { stdout } = await cp.helm(['lint', chart, '--strict', KUBE]);
  assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

test('defaults render an HA controller and a privileged agent DaemonSet', async () => {
  const objs = await render();
  const dep = find(objs, 'Deployment', 'mezzo-controller') as K8sObject & {
    spec: { replicas: number; template: { spec: { serviceAccountName: string } } };
  };
  assert.equal(dep.spec.replicas, 2);
  assert.equal(dep.spec.template.spec.serviceAccountName, 'mezzo-controller');
  find(objs, 'PodDisruptionBudget', 'mezzo-controller');
  const ds = find(objs, 'DaemonSet', 'mezzo-agent') as K8sObject & {
    spec: {
      template: {
        spec: {
          hostPID: boolean;
          containers: {
            securityContext: { privileged: boolean };
            volumeMounts: { mountPath: string }[];
            args: string[];
          }[];
        };
      };
    };
  };
  const pod = ds.spec.template.spec;
  assert.equal(pod.hostPID, true);
  const c = pod.containers[0];
  assert.ok(c);
  assert.equal(c.securityContext.privileged, true);
  assert.ok(c.volumeMounts.some((m) => m.mountPath === '/sys/fs/cgroup'));
  assert.ok(c.args.includes('--controller=mezzo-controller.mezzo-system.svc:5051'));
  assert.equal(objs.filter((o) => o.kind === 'ServiceMonitor').length, 0);
});

test('overrides: one replica drops the PDB; ServiceMonitor and digest are honoured', async () => {
  const objs = await render(
    'controller.replicaCount=1',
    'serviceMonitor.enabled=true',
    `image.digest=sha256:${'a'.repeat(64)}`,
    'agent.enabled=false',
  );
  assert.equal(objs.filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
  assert.equal(objs.filter((o) => o.kind === 'DaemonSet').length, 0);
  find(objs, 'ServiceMonitor', 'mezzo-controller');
  const dep = find(objs, 'Deployment', 'mezzo-controller');
  assert.match(JSON.stringify(dep), /ghcr\.io\/mezzo-dev\/mezzo@sha256:a{64}/);
});

/** The controller container's arguments as rendered with `sets`. */
async function controllerArgs(...sets: string[]): Promise<string[]> {
  const dep = find(await render(...sets), 'Deployment', 'mezzo-controller') as K8sObject & {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  return dep.spec.template.spec.containers[0]?.args ?? [];
}

test('controller.kubeApi sets the client limit; none by default', async () => {
  const none = await controllerArgs();
  assert.ok(!none.some((a) => a.startsWith('--kube-api-')), none.join(' '));
  const limited = await controllerArgs('controller.kubeApi.qps=50', 'controller.kubeApi.burst=100');
  assert.ok(limited.includes('--kube-api-qps=50') && limited.includes('--kube-api-burst=100'));
  await assert.rejects(render('controller.kubeApi.qps=0'), /controller\/kubeApi\/qps/);
  await assert.rejects(render('controller.kubeApi.burst=1.5'), /controller\/kubeApi\/burst/);
  await assert.rejects(
    render('controller.kubeApi.burst=100'),
    /burst needs controller.kubeApi.qps/,
  );
});

test('controller.maxOffersPerPass reaches the controller; no bound by default', async () => {
  assert.ok((await controllerArgs()).includes('--max-offers-per-pass=0'));
  assert.ok(
    (await controllerArgs('controller.maxOffersPerPass=2')).includes('--max-offers-per-pass=2'),
  );
  await assert.rejects(render('controller.maxOffersPerPass=-1'), /controller\/maxOffersPerPass/);
  await assert.rejects(render('controller.maxOffersPerPass=1.5'), /controller\/maxOffersPerPass/);
});

test('controller.offerAllowance reaches the controller; adaptive by default', async () => {
  assert.ok((await controllerArgs()).includes('--offer-allowance=adaptive'));
  assert.ok(
    (await controllerArgs('controller.offerAllowance=off')).includes('--offer-allowance=off'),
  );
  await assert.rejects(render('controller.offerAllowance=all'), /controller\/offerAllowance/);
});

test('controller.maxUnreadEventBytes reaches the controller; 16 MiB by default', async () => {
  assert.ok((await controllerArgs()).includes('--max-unread-event-bytes=16777216'));
  assert.ok(
    (await controllerArgs('controller.maxUnreadEventBytes=67108864')).includes(
      '--max-unread-event-bytes=67108864',
    ),
  );
  await assert.rejects(
    render('controller.maxUnreadEventBytes=1024'),
    /controller\/maxUnreadEventBytes/,
  );
});

test('controller.frameworkCallRate and frameworkCallBurst reach the controller; 1,000 and 2,000 by default', async () => {
  const args = await controllerArgs();
  assert.ok(args.includes('--framework-call-rate=1000'));
  assert.ok(args.includes('--framework-call-burst=2000'));
  const off = await controllerArgs('controller.frameworkCallRate=0');
  assert.ok(off.includes('--framework-call-rate=0'), 'unpaced');
  await assert.rejects(render('controller.frameworkCallBurst=0'), /controller\/frameworkCallBurst/);
  await assert.rejects(render('controller.frameworkCallRate=-5'), /controller\/frameworkCallRate/);
});

test('the values schema rejects bad values with the offending path', async () => {
  await assert.rejects(render('controller.replicaCount=0'), /controller\/replicaCount/);
  await assert.rejects(render('logLevel=loud'), /logLevel/);
  await assert.rejects(render('agent.workDir=relative/path'), /agent\/workDir/);
  await assert.rejects(render('controller.unknownKey=1'), /unknownKey/);
});

test('helm install on the real apiserver: CRDs, objects, and least-privilege RBAC', async () => {
  await cp.helm([
    'install',
    'mezzo',
    chart,
    '--namespace',
    'mezzo-system',
    '--create-namespace',
    '--wait=false',
  ]);
  const crds = (await cp.kubectl(['get', 'crd', '-o', 'name'])).stdout;
  for (const name of ['tasks', 'frameworks', 'roles', 'agents']) {
    assert.match(
      crds,
      new RegExp(`customresourcedefinition.apiextensions.k8s.io/${name}.mezzo.dev`),
    );
  }
  await cp.kubectl([
    '-n',
    'mezzo-system',
    'get',
    'deployment/mezzo-controller',
    'daemonset/mezzo-agent',
    'service/mezzo-controller',
  ]);

  const can = async (sa: string, ...args: string[]) => {
    const r = await cp
      .kubectl(['auth', 'can-i', ...args, `--as=system:serviceaccount:mezzo-system:${sa}`])
      .catch((e: unknown) => e as { stdout: string });
    return r.stdout.trim();
  };
  // Table: [service account, verb and resource, expected answer]
  const cases: [string, string[], string][] = [
    ['mezzo-controller', ['watch', 'tasks.mezzo.dev', '-A'], 'yes'],
    [
      'mezzo-controller',
      ['patch', 'tasks.mezzo.dev', '--subresource=status', '-n', 'team-a'],
      'yes',
    ],
    ['mezzo-controller', ['create', 'agents.mezzo.dev'], 'yes'],
    ['mezzo-controller', ['create', 'events', '-n', 'team-a'], 'yes'],
    ['mezzo-controller', ['update', 'leases.coordination.k8s.io', '-n', 'mezzo-system'], 'yes'],
    ['mezzo-controller', ['update', 'leases.coordination.k8s.io', '-n', 'kube-system'], 'no'],
    ['mezzo-controller', ['create', 'pods', '-n', 'team-a'], 'no'],
    ['mezzo-controller', ['get', 'secrets', '-n', 'mezzo-system'], 'no'],
    ['mezzo-agent', ['get', 'nodes'], 'yes'],
    ['mezzo-agent', ['list', 'nodes'], 'no'],
    ['mezzo-agent', ['list', 'tasks.mezzo.dev', '-A'], 'no'],
  ];
  for (const [sa, args, want] of cases) {
    assert.equal(await can(sa, ...args), want, `${sa} ${args.join(' ')}`);
  }
  const { stdout } = await cp.helm(['status', 'mezzo', '--namespace', 'mezzo-system']);
  assert.match(stdout, /STATUS: deployed/);
  assert.match(stdout, /Lease mezzo-controller/);
});
