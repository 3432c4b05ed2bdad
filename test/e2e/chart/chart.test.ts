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

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** The rules of ClusterRole `name` that name any of `resources`. */
function rulesOn(objs: K8sObject[], name: string, resources: string[]): Rule[] {
  const role = find(objs, 'ClusterRole', name) as K8sObject & { rules: Rule[] };
  return role.rules.filter((r) => r.resources?.some((x) => resources.includes(x)));
}

/** The ClusterRoles and Roles rendered that hold a rule on `resource`, as `kind/name`. */
function rolesOn(objs: K8sObject[], resource: string): string[] {
  return objs
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .filter((o) =>
      (o as K8sObject & { rules?: Rule[] }).rules?.some((r) => r.resources?.includes(resource)),
    )
    .map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The first container's arguments of `kind`/`name`. */
function argsOf(objs: K8sObject[], kind: string, name: string): string[] {
  const o = find(objs, kind, name) as K8sObject & {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  return o.spec.template.spec.containers[0]?.args ?? [];
}

test('agent.writeTaskStatus: off by default; on, the admission policy, its RBAC and both flags', async () => {
  const off = await render();
  assert.deepEqual(
    off.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy')).map((o) => o.kind),
    [],
  );
  assert.deepEqual(rolesOn(off, 'taskgrants'), []);
  assert.deepEqual(rolesOn(off, 'configmaps'), []);
  assert.deepEqual(
    off.filter((o) => o.metadata.name === 'mezzo-task-grants').map((o) => o.kind),
    [],
  );
  assert.deepEqual(rulesOn(off, 'mezzo-agent', ['tasks', 'tasks/status']), []);
  assert.ok(!argsOf(off, 'Deployment', 'mezzo-controller').includes('--agent-status-writes'));
  assert.ok(!argsOf(off, 'DaemonSet', 'mezzo-agent').includes('--write-task-status'));

  const on = await render('agent.writeTaskStatus=true');
  const policy = find(on, 'ValidatingAdmissionPolicy', 'mezzo-agent-task-status') as K8sObject & {
    spec: {
      failurePolicy: string;
      paramKind: unknown;
      matchConstraints: { resourceRules: { resources: string[]; operations: string[] }[] };
      matchConditions: { expression: string }[];
      validations: { message?: string; messageExpression?: string }[];
    };
  };
  assert.equal(policy.spec.failurePolicy, 'Fail');
  // A custom resource, not a ConfigMap: kube-apiserver stops a built-in parameter kind's
  // informer for good once no binding names it for a moment (kubernetes/kubernetes#130887).
  assert.deepEqual(policy.spec.paramKind, { apiVersion: 'mezzo.dev/v1alpha1', kind: 'TaskGrants' });
  assert.deepEqual(policy.spec.matchConstraints.resourceRules, [
    {
      apiGroups: ['mezzo.dev'],
      apiVersions: ['*'],
      operations: ['UPDATE'],
      resources: ['tasks/status'],
    },
  ]);
  assert.deepEqual(
    policy.spec.matchConditions.map((c) => c.expression),
    ["request.userInfo.username == 'system:serviceaccount:mezzo-system:mezzo-agent'"],
  );
  assert.equal(policy.spec.validations.length, 6);
  const binding = find(on, 'ValidatingAdmissionPolicyBinding', 'mezzo-agent-task-status');
  assert.deepEqual(binding.spec, {
    policyName: 'mezzo-agent-task-status',
    validationActions: ['Deny'],
    // The one TaskGrants object, in the release (the controller's) namespace.
    paramRef: {
      name: 'mezzo-task-grants',
      namespace: 'mezzo-system',
      parameterNotFoundAction: 'Deny',
    },
  });
  // The controller's TaskGrants rights are a Role in its own namespace, nothing
  // cluster-wide, and no chart role has any ConfigMap right. RBAC cannot narrow `create`
  // by name: get/patch on the grant object, create on any TaskGrants of that namespace.
  assert.deepEqual(rolesOn(on, 'taskgrants'), ['Role/mezzo-task-grants']);
  assert.deepEqual(rolesOn(on, 'configmaps'), []);
  const role = find(on, 'Role', 'mezzo-task-grants') as K8sObject & { rules: Rule[] };
  assert.equal(role.metadata.namespace, 'mezzo-system');
  assert.deepEqual(role.rules, [
    {
      apiGroups: ['mezzo.dev'],
      resources: ['taskgrants'],
      resourceNames: ['mezzo-task-grants'],
      verbs: ['get', 'patch'],
    },
    { apiGroups: ['mezzo.dev'], resources: ['taskgrants'], verbs: ['create'] },
  ]);
  const roleBinding = find(on, 'RoleBinding', 'mezzo-task-grants') as K8sObject & {
    roleRef: unknown;
    subjects: unknown;
  };
  assert.equal(roleBinding.metadata.namespace, 'mezzo-system');
  assert.deepEqual(roleBinding.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name: 'mezzo-task-grants',
  });
  assert.deepEqual(roleBinding.subjects, [
    { kind: 'ServiceAccount', name: 'mezzo-controller', namespace: 'mezzo-system' },
  ]);
  assert.deepEqual(rulesOn(on, 'mezzo-agent', ['tasks', 'tasks/status']), [
    { apiGroups: ['mezzo.dev'], resources: ['tasks/status'], verbs: ['get', 'patch'] },
  ]);
  assert.ok(argsOf(on, 'Deployment', 'mezzo-controller').includes('--agent-status-writes'));
  assert.ok(argsOf(on, 'DaemonSet', 'mezzo-agent').includes('--write-task-status'));

  // The policy names the agent's ServiceAccount as the chart names it.
  const named = await render('agent.writeTaskStatus=true', 'agent.serviceAccount.name=node-agent');
  assert.match(
    JSON.stringify(find(named, 'ValidatingAdmissionPolicy', 'mezzo-agent-task-status')),
    /'system:serviceaccount:mezzo-system:node-agent'/,
  );
  await assert.rejects(
    render('agent.writeTaskStatus=true', 'agent.enabled=false'),
    /agent.writeTaskStatus needs agent.enabled/,
  );
  await assert.rejects(render('agent.writeTaskStatus=yes'), /agent\/writeTaskStatus/);
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
  for (const name of [
    'tasks',
    'frameworks',
    'roles',
    'agents',
    'apps',
    'schedules',
    'taskgrants',
  ]) {
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
    // agent.writeTaskStatus is off by default: no Task status for agents, no grants.
    ['mezzo-agent', ['patch', 'tasks.mezzo.dev', '--subresource=status', '-n', 'team-a'], 'no'],
    ['mezzo-controller', ['create', 'taskgrants.mezzo.dev', '-n', 'mezzo-system'], 'no'],
    [
      'mezzo-controller',
      ['patch', 'taskgrants.mezzo.dev/mezzo-task-grants', '-n', 'mezzo-system'],
      'no',
    ],
    ['mezzo-controller', ['create', 'taskgrants.mezzo.dev', '-n', 'team-a'], 'no'],
    ['mezzo-controller', ['create', 'configmaps', '-n', 'mezzo-system'], 'no'],
    ['mezzo-agent', ['get', 'taskgrants.mezzo.dev', '-n', 'mezzo-system'], 'no'],
  ];
  for (const [sa, args, want] of cases) {
    assert.equal(await can(sa, ...args), want, `${sa} ${args.join(' ')}`);
  }
  const { stdout } = await cp.helm(['status', 'mezzo', '--namespace', 'mezzo-system']);
  assert.match(stdout, /STATUS: deployed/);
  assert.match(stdout, /Lease mezzo-controller/);
});
