// CustomResourceClient on the real apiserver with the real Task CRD: status writes go
// through the subresource, racing writers both land via conflict retry, a no-op mutation
// writes nothing, and a finalizer holds a delete until it is removed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CustomResourceClient } from '../../../src/kube/custom-objects.js';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';

interface TaskStatus {
  state?: string;
  exitCode?: number;
  message?: string;
}

let cp: ControlPlane;
let tasks: CustomResourceClient<Record<string, unknown>, TaskStatus>;
before(async () => {
  cp = controlPlane();
  await cp.kubectl(['apply', '-f', join(repoRoot, 'crds/tasks.yaml')]);
  await cp.waitEstablished(['crd/tasks.mezzo.dev']);
  await cp.kubectl(['create', 'namespace', 'cro']);
  tasks = new CustomResourceClient(cp.kubeConfig(), {
    group: 'mezzo.dev',
    version: 'v1alpha1',
    plural: 'tasks',
    kind: 'Task',
    namespaced: true,
  });
});
after(() => cp.stop());

const spec = { command: 'sleep 1', resources: { cpus: 0.1, mem: '16Mi' } };

test('status is written through the subresource; spec writes cannot change it', async () => {
  await tasks.create({ metadata: { name: 's1', namespace: 'cro' }, spec });
  const out = await tasks.updateStatus('s1', 'cro', () => ({ state: 'TASK_RUNNING' }));
  assert.equal(out.status?.state, 'TASK_RUNNING');
  const current = await tasks.get('s1', 'cro');
  assert.ok(current);
  // A replace of the main resource ignores status (that is what the subresource means).
  await tasks.replace({ ...current, status: { state: 'TASK_FAILED' } });
  assert.equal((await tasks.get('s1', 'cro'))?.status?.state, 'TASK_RUNNING');
});

test('racing status writers both land; a no-op mutation writes nothing', async () => {
  await tasks.create({ metadata: { name: 's2', namespace: 'cro' }, spec });
  await tasks.updateStatus('s2', 'cro', () => ({ exitCode: 0 }));
  // Ten concurrent increments: each conflict re-reads and re-applies.
  await Promise.all(
    Array.from({ length: 10 }, () =>
      tasks.updateStatus(
        's2',
        'cro',
        (cur) => ({ ...cur.status, exitCode: (cur.status?.exitCode ?? 0) + 1 }),
        20,
      ),
    ),
  );
  const after10 = await tasks.get('s2', 'cro');
  assert.ok(after10);
  assert.equal(after10.status?.exitCode, 10);
  const rv = after10.metadata.resourceVersion;
  await tasks.updateStatus('s2', 'cro', () => undefined);
  assert.equal((await tasks.get('s2', 'cro'))?.metadata.resourceVersion, rv, 'nothing written');
});

test('a finalizer holds a delete until it is removed', async () => {
  await tasks.create({ metadata: { name: 's3', namespace: 'cro' }, spec });
  await tasks.addFinalizer('s3', 'cro', 'mezzo.dev/task-killed');
  await tasks.addFinalizer('s3', 'cro', 'mezzo.dev/task-killed'); // idempotent
  await tasks.delete('s3', 'cro');
  const pending = await tasks.get('s3', 'cro');
  assert.ok(pending?.metadata.deletionTimestamp, 'marked for deletion');
  assert.deepEqual(pending.metadata.finalizers, ['mezzo.dev/task-killed']);
  await tasks.removeFinalizer('s3', 'cro', 'mezzo.dev/task-killed');
  for (let i = 0; i < 50 && (await tasks.get('s3', 'cro')); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(await tasks.get('s3', 'cro'), undefined);
  await tasks.delete('s3', 'cro'); // deleting the absent is fine
  const listed = await tasks.list();
  // Other e2e files share the control plane: look at this file's namespace only.
  assert.deepEqual(
    listed.items
      .filter((t) => t.metadata.namespace === 'cro')
      .map((t) => t.metadata.name)
      .sort(),
    ['s1', 's2'],
  );
});
