// The generated CRDs against the real apiserver: they install and establish, valid
// objects are accepted, and each rule the schema and CEL carry rejects bad input at
// `kubectl apply` with its message. Printer columns show in `kubectl get`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';

let cp: ControlPlane;
before(async () => {
  cp = controlPlane();
  await cp.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
  await cp.waitEstablished(['crd/tasks.mezzo.dev', 'crd/frameworks.mezzo.dev', 'crd/roles.mezzo.dev', 'crd/agents.mezzo.dev', 'crd/apps.mezzo.dev', 'crd/schedules.mezzo.dev', 'crd/taskgrants.mezzo.dev']);
});
// What these tests made goes with them: a controller started by a later test on this
// control plane would otherwise run its built-in frameworks over these Tasks, Apps and
// Schedules (and did: the schedules framework rewrote the examples' statuses without end
// and never settled, docs/performance.md, session 24).
after(async () => {
  const gone = (args: string[]) => cp.kubectl(['delete', '--ignore-not-found', '--wait=false', ...args]);
  for (const ns of ['default', 'examples'])
    await gone(['-n', ns, 'tasks,frameworks,apps,schedules,taskgrants', '--all']).catch(() => undefined);
  await gone(['roles.mezzo.dev', 'eng', 'default']).catch(() => undefined);
  await gone(['agents.mezzo.dev', 'node-1', 'node-2']).catch(() => undefined);
  await gone(['namespace', 'examples']).catch(() => undefined);
  cp.stop();
});

const task = (name: string, spec: string) =>
  `apiVersion: mezzo.dev/v1alpha1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec}`;

test('valid objects of every kind are accepted', async () => {
  await cp.kubectl(['apply', '-f', '-'], [
    'apiVersion: mezzo.dev/v1alpha1\nkind: Role\nmetadata: {name: eng}\nspec: {weight: 2, quota: {guarantee: {cpus: 2, mem: 1Gi}, limit: {cpus: 4, mem: 8Gi}}}',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: batch}\nspec: {roles: [eng, eng/backend], scheduler: {kind: External}}',
    // Mesos' default role, which a Mesos framework that names none subscribes in.
    'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: mesos-default}\nspec: {roles: ["*"], scheduler: {kind: External}}',
    task('hello', '  command: echo hello\n  resources: {cpus: 0.5, mem: 64, ports: 1}\n  healthCheck: {type: HTTP, portIndex: 0, path: /health}\n  constraints: [{attribute: rack, operator: LIKE, value: "r[12]"}]\n'),
    'apiVersion: mezzo.dev/v1alpha1\nkind: Agent\nmetadata: {name: node-1}\nspec: {nodeName: node-1}',
    'apiVersion: mezzo.dev/v1alpha1\nkind: App\nmetadata: {name: web}\nspec: {command: "python3 -m http.server $PORT0", instances: 3, cpus: 0.1, mem: 64Mi, portDefinitions: [{port: 0}], upgradeStrategy: {minimumHealthCapacity: 0.5}}',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: extract}\nspec: {schedule: "R/2026-03-15T02:00:00Z/P1D", epsilon: PT15M, command: "echo extract", cpus: 0.1, mem: 32Mi}',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: transform}\nspec: {parents: [extract], command: "echo transform", cpus: 0.1, mem: 32Mi}',
    // The controller's grant map (agent.writeTaskStatus), keyed `<namespace>.<name>`.
    'apiVersion: mezzo.dev/v1alpha1\nkind: TaskGrants\nmetadata: {name: grants}\nspec: {grants: {team-a.hello: "node-1 0b6f3c1e-0000-4000-8000-000000000000 team-a.hello attempt 1"}}',
  ].join('\n---\n'));
  const { stdout } = await cp.kubectl(['get', 'tasks', 'hello']);
  assert.match(stdout, /^NAME\s+STATE\s+AGENT\s+CPUS\s+MEM\s+AGE/m);
  assert.match(stdout, /^hello\s+0.5\s+64/m);
  const fw = await cp.kubectl(['get', 'fw', 'batch', '-o', 'jsonpath={.spec.failoverTimeoutSeconds}']);
  assert.equal(fw.stdout, '604800', 'defaults are applied by the apiserver');
});

// Each case: the object, and the message kubectl must print.
const rejected: [string, string, RegExp][] = [
  ['no command', task('t1', '  resources: {cpus: 1, mem: 1Gi}\n'), /set exactly one of command .* or args/],
  ['both command and args', task('t2', '  command: x\n  args: [x]\n  resources: {cpus: 1, mem: 1Gi}\n'), /set exactly one of command/],
  // An integer 0 passes the schema's minimum on the apiserver (int64(0.01) == 0): the CEL rule rejects it.
  ['zero cpus', task('t3', '  command: x\n  resources: {cpus: 0, mem: 1Gi}\n'), /spec.resources.cpus: Invalid value: "number": cpus must be at least 0.01, the smallest share Mezzo allocates/],
  ['missing mem', task('t4', '  command: x\n  resources: {cpus: 1}\n'), /spec.resources.mem: Required value/],
  ['bad quantity', task('t5', '  command: x\n  resources: {cpus: 1, mem: lots}\n'), /spec.resources.mem/],
  ['MAX_PER without number', task('t6', '  command: x\n  resources: {cpus: 1, mem: 1Gi}\n  constraints: [{attribute: rack, operator: MAX_PER, value: many}]\n'), /MAX_PER needs a positive whole number/],
  ['health port out of range', task('t7', '  command: x\n  resources: {cpus: 1, mem: 1Gi, ports: 1}\n  healthCheck: {type: TCP, portIndex: 1}\n'), /portIndex must name one of the task's resources.ports/],
  ['unknown constraint operator', task('t8', '  command: x\n  resources: {cpus: 1, mem: 1Gi}\n  constraints: [{attribute: rack, operator: NEAR}]\n'), /Unsupported value: "NEAR"/],
  ['limit below guarantee', 'apiVersion: mezzo.dev/v1alpha1\nkind: Role\nmetadata: {name: r1}\nspec: {quota: {guarantee: {cpus: 4}, limit: {cpus: 2}}}', /a quota limit must not be below its guarantee/],
  ['bad role path', 'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: f1}\nspec: {roles: ["eng//x"]}', /spec.roles\[0\]/],
  ['a star inside a role', 'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: f4}\nspec: {roles: ["eng/*"]}', /spec.roles\[0\]/],
  ['framework without roles', 'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: f2}\nspec: {roles: []}', /spec.roles/],
  ['builtin without name', 'apiVersion: mezzo.dev/v1alpha1\nkind: Framework\nmetadata: {name: f3}\nspec: {roles: [a], scheduler: {kind: BuiltIn}}', /a BuiltIn scheduler needs a name/],
  [
    'mem below 1Mi',
    task('t9', '  command: x\n  resources: {cpus: 1, mem: 100Ki}\n'),
    /spec.resources.mem: Invalid value: "": mem must be between 1Mi and 16Ti \(a plain number counts MiB\)/,
  ],
  [
    'limit below guarantee in memory',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Role\nmetadata: {name: r2}\nspec: {quota: {guarantee: {mem: 2Gi}, limit: {mem: 1024}}}',
    /a quota limit must not be below its guarantee/,
  ],
  [
    'app health capacity above 1',
    'apiVersion: mezzo.dev/v1alpha1\nkind: App\nmetadata: {name: a1}\nspec: {command: x, cpus: 1, mem: 1Gi, upgradeStrategy: {minimumHealthCapacity: 1.5}}',
    /minimumHealthCapacity: Invalid value: 1.5/,
  ],
  [
    'schedule without schedule or parents',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s1}\nspec: {command: x, cpus: 1, mem: 1Gi}',
    /set a schedule or at least one parent/,
  ],
  [
    'schedule with a bad epsilon',
    'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s2}\nspec: {schedule: "0 3 * * *", epsilon: 15m, command: x, cpus: 1, mem: 1Gi}',
    /spec.epsilon/,
  ],
  // Issue 12: each of these was stored by the embedded store before; `mezzo apply` now
  // prints the same lines (test/unit/api/apply.test.ts).
  ['mem 0', task('t10', '  command: x\n  resources: {cpus: 1, mem: 0}\n'), /spec.resources.mem: Invalid value: "": mem must be between 1Mi and 16Ti/],
  ['cpus 0.0001', task('t11', '  command: x\n  resources: {cpus: 0.0001, mem: 64}\n'), /spec.resources.cpus: Invalid value: "number": cpus must be at least 0.01/],
  ['ports 1e9', task('t12', '  command: x\n  resources: {cpus: 1, mem: 64, ports: 1000000000}\n'), /spec.resources.ports: Invalid value: 1000000000: spec.resources.ports in body should be less than or equal to 100/],
  ['negative ports', task('t13', '  command: x\n  resources: {cpus: 1, mem: 64, ports: -1}\n'), /spec.resources.ports: Invalid value: -1: spec.resources.ports in body should be greater than or equal to 0/],
  ['gpus -1', task('t14', '  command: x\n  resources: {cpus: 1, mem: 64, gpus: -1}\n'), /spec.resources.gpus: Invalid value: -1: spec.resources.gpus in body should be greater than or equal to 0/],
  ['app without command', 'apiVersion: mezzo.dev/v1alpha1\nkind: App\nmetadata: {name: a2}\nspec: {instances: 1}', /spec: Invalid value: "object": set exactly one of command or args/],
  ['schedule parents a string', 'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s3}\nspec: {parents: a, command: x}', /spec.parents: Invalid value: "string": spec.parents in body must be of type array: "string"/],
  ['schedule every millisecond', 'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s4}\nspec: {schedule: "R/2026-01-01T00:00:00Z/PT0.001S", command: x}', /spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s \(PT1S\)/],
  ['schedule neither interval nor cron', 'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s5}\nspec: {schedule: "every day", command: x}', /must be an ISO 8601 repeating interval R\[n\]\/<start>\/<period>/],
  ['schedule zero retry backoff', 'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s6}\nspec: {schedule: "0 3 * * *", retryBackoff: PT0S, command: x}', /spec.retryBackoff: Invalid value: "string": must be longer than zero/],
  ['schedule duplicate parents', 'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: s7}\nspec: {parents: [a, a], command: x}', /spec.parents\[1\]: Duplicate value: "a"/],
  ['role weight 0', 'apiVersion: mezzo.dev/v1alpha1\nkind: Role\nmetadata: {name: r3}\nspec: {weight: 0}', /spec.weight: Invalid value: "number": weight must be at least 0.0001/],
  ['health check every 0 s', task('t15', '  command: x\n  resources: {cpus: 1, mem: 64}\n  healthCheck: {type: COMMAND, command: "true", intervalSeconds: 0}\n'), /spec.healthCheck.intervalSeconds: Invalid value: "number": must be at least 0.1 seconds/],
  ['unknown field', task('t16', '  command: x\n  resources: {cpus: 1, mem: 64, cpu: 2}\n'), /unknown field "spec.resources.cpu"/],
];

for (const [name, yaml, message] of rejected) {
  test(`rejected at apply: ${name}`, async () => {
    await assert.rejects(cp.kubectl(['apply', '-f', '-'], yaml), (err: unknown) => {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      assert.match(stderr, message);
      return true;
    });
  });
}

test('port ranges whose end is below their begin are rejected in Agent status', async () => {
  await cp.kubectl(['apply', '-f', '-'], 'apiVersion: mezzo.dev/v1alpha1\nkind: Agent\nmetadata: {name: node-2}\nspec: {nodeName: node-2}');
  await assert.rejects(
    cp.kubectl(['patch', 'agent', 'node-2', '--subresource=status', '--type=merge', '-p', '{"status":{"total":{"ports":[{"begin":32000,"end":31000}]}}}']),
    /port range end must not be below its begin/,
  );
});

test('a task spec is immutable', async () => {
  await cp.kubectl(['apply', '-f', '-'], task('frozen', '  command: sleep 1\n  resources: {cpus: 1, mem: 1Gi}\n'));
  await assert.rejects(
    cp.kubectl(['patch', 'task', 'frozen', '--type=merge', '-p', '{"spec":{"command":"sleep 2"}}']),
    /a task's spec is immutable/,
  );
});

// Every YAML under examples/ whose documents are mezzo.dev objects (not the simulator's
// scenarios or the batch framework's job files).
function kubernetesExamples(dir = join(repoRoot, 'examples')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return kubernetesExamples(path);
    if (!/\.ya?ml$/.test(e.name)) return [];
    const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJSON() as unknown);
    return docs.every((d) => (d as { apiVersion?: string } | null)?.apiVersion === 'mezzo.dev/v1alpha1')
      ? [path]
      : [];
  });
}

test('every Kubernetes example in examples/ is accepted by kubectl apply', async () => {
  await cp.kubectl(['create', 'namespace', 'examples']);
  const files = kubernetesExamples();
  // demo.yaml, the apps and the schedules at least.
  assert.ok(files.some((f) => f.endsWith('demo.yaml')));
  assert.ok(files.some((f) => f.includes('/apps/')));
  assert.ok(files.some((f) => f.includes('/schedules/')));
  for (const file of files) {
    const { stdout } = await cp.kubectl(['apply', '-n', 'examples', '-f', file]);
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).filter((d) => d.toJSON() !== null);
    assert.equal(stdout.trim().split('\n').length, objects.length, `${file}: ${stdout}`);
    for (const line of stdout.trim().split('\n'))
      assert.match(line, /\.mezzo\.dev\/\S+ (created|configured|unchanged)$/, file);
  }
});
