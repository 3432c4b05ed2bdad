// The Kubernetes store's status writes on a real apiserver: a write from a copy the store
// already holds (its watch's, or its own last write) is one request, where it was a read
// and a write; a stale copy (another writer got in between) costs a conflict and a read,
// and the write still lands whole, on top of the other writer's object.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { KubernetesStore } from '../../../src/store/kubernetes.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION, type StoredObject } from '../../../src/store/types.js';
import { NotFoundError } from '../../../src/shared/errors.js';
import { until } from '../../integration/controller/support.js';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';

const NS = 'store-status-writes';
let cp: ControlPlane;
const stores: KubernetesStore[] = [];

before(async () => {
  cp = controlPlane();
  await cp.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
  await cp.waitEstablished(['crd/tasks.mezzo.dev']);
  await cp.kubectl(
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`,
  );
});

after(async () => {
  for (const s of stores) await s.close();
  await cp.kubectl(['delete', 'tasks', '--all', '-n', NS, '--wait=false']).catch(() => undefined);
  cp.stop();
});

/** A kubeconfig that counts the API requests made through it (watches aside). */
class CountingKubeConfig extends k8s.KubeConfig {
  requests = 0;
  writes = 0;
  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    this.requests++;
    if (context.getHttpMethod() !== k8s.HttpMethod.GET) this.writes++;
    await super.applySecurityAuthentication(context);
  }
}

function counted(): { store: KubernetesStore; kc: CountingKubeConfig } {
  const kc = new CountingKubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const store = new KubernetesStore(kc, new SystemClock(), silentLogger());
  stores.push(store);
  return { store, kc };
}

function task(name: string): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: { name, namespace: NS },
    spec: { command: 'true', resources: { cpus: 0.1, mem: 16 } },
  };
}

// [case, whether the store watches Tasks, whether another writer changes the object first,
//  requests the status write takes]
const cases: [string, boolean, boolean, number][] = [
  ['its own last write known', false, false, 1],
  ['its watch caught up', true, false, 1],
  ['another writer got in first', false, true, 3],
];

for (const [name, watching, raced, requests] of cases) {
  test(`status write, ${name}: ${String(requests)} request(s), the status lands`, async () => {
    const { store, kc } = counted();
    const objName = `t-${name.replace(/[^a-z]/g, '')}`;
    const created = await store.create(task(objName));
    if (watching) {
      const seen: string[] = [];
      store.watch('Task', (e) => {
        if (e.object.metadata.name === objName) seen.push(e.object.metadata.resourceVersion ?? '');
      });
      await until(
        () => seen.includes(created.metadata.resourceVersion ?? ''),
        60_000,
        'the watch to deliver the created object',
      );
    }
    if (raced) {
      const other = counted().store;
      await other.updateStatus('Task', objName, NS, { state: 'TASK_STAGING', message: 'other' });
    }
    const before = kc.requests;
    const out = await store.updateStatus('Task', objName, NS, { state: 'TASK_RUNNING' });
    assert.equal(kc.requests - before, requests);
    assert.deepEqual(out.status, { state: 'TASK_RUNNING' });
    const fresh = await counted().store.get('Task', objName, NS);
    assert.ok(fresh);
    assert.deepEqual(fresh.status, { state: 'TASK_RUNNING' });
    assert.equal(fresh.metadata.resourceVersion, out.metadata.resourceVersion);
  });
}

// The apiserver sends a custom object's keys sorted; a status built in another order is
// still the same status: writing it again is the read that confirms it, and no write.
test('the same status again, its keys in another order than the apiserver sends: no write', async () => {
  const { store, kc } = counted();
  const objName = 't-unsorted';
  await store.create(task(objName));
  const status = {
    state: 'TASK_RUNNING',
    message: 'up',
    conditions: [
      {
        type: 'Running',
        status: 'True',
        reason: 'Running',
        message: '',
        lastTransitionTime: '2026-12-04T10:00:00Z',
      },
    ],
  };
  const first = await store.updateStatus('Task', objName, NS, status);
  assert.deepEqual(Object.keys(first.status ?? {}), ['conditions', 'message', 'state']);
  const [requests, writes] = [kc.requests, kc.writes];
  const again = await store.updateStatus('Task', objName, NS, { ...status });
  assert.equal(kc.writes - writes, 0);
  assert.equal(kc.requests - requests, 1);
  assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
});

test('status write to an object deleted since the store wrote it: NotFoundError, and its copy dropped', async () => {
  // Not watching: the store's copy is only what it wrote, as when the DELETED event came
  // before that write returned. Before, the write failed with the client's raw 404 and
  // the copy stayed, so every retry started from it again (the e2e delete-wins flake).
  const { store } = counted();
  const objName = 't-deleted';
  await store.create(task(objName));
  await counted().store.delete('Task', objName, NS);
  assert.ok(store.peek('Task', objName, NS), 'the store still holds its own copy');
  await assert.rejects(
    store.updateStatus('Task', objName, NS, { state: 'TASK_RUNNING' }),
    NotFoundError,
  );
  assert.equal(store.peek('Task', objName, NS), undefined);
  // The next write reads, finds nothing, and says so the same way.
  await assert.rejects(
    store.updateStatus('Task', objName, NS, { state: 'TASK_KILLED' }),
    NotFoundError,
  );
});
