// The self-restarting informer against the real apiserver through a proxy the test cuts:
// changes made while the connection is down arrive after it returns, deletes included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { ResilientInformer } from '../../../src/kube/informer.js';
import { Backoff } from '../../../src/kube/backoff.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { controlPlane, type ControlPlane } from '../support/control-plane.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let cp: ControlPlane;
before(async () => {
  cp = controlPlane();
  await cp.kubectl(['create', 'namespace', 'informer']);
});
after(() => cp.stop());

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('an informer restarts after its connection dies and catches up', async () => {
  const target = new URL(cp.server);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  await proxy.up();
  const kc = cp.kubeConfig();
  const cluster = kc.getCurrentCluster();
  assert.ok(cluster);
  // Same credentials, but through the proxy. The serving cert names 127.0.0.1, so TLS holds.
  kc.clusters = kc.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${proxy.port}` } : c,
  );
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const admin = cp.kubeConfig().makeApiClient(k8s.CoreV1Api);

  const seen: string[] = [];
  const errors: unknown[] = [];
  const informer = new ResilientInformer<k8s.V1ConfigMap>({
    kubeConfig: kc,
    path: '/api/v1/namespaces/informer/configmaps',
    list: () => core.listNamespacedConfigMap({ namespace: 'informer' }),
    clock: new SystemClock(),
    logger: silentLogger(),
    backoff: new Backoff({ initialMs: 100, maxMs: 400 }),
    onError: (e) => errors.push(e),
  });
  informer.on({
    add: (o) => seen.push(`add ${o.metadata?.name ?? ''}`),
    delete: (o) => seen.push(`delete ${o.metadata?.name ?? ''}`),
  });
  try {
    await admin.createNamespacedConfigMap({
      namespace: 'informer',
      body: { metadata: { name: 'before' } },
    });
    await informer.start();
    assert.deepEqual(seen, ['add before']);
    await admin.createNamespacedConfigMap({
      namespace: 'informer',
      body: { metadata: { name: 'live' } },
    });
    await until(() => seen.includes('add live'), 5_000, 'the live add');

    await proxy.cut();
    await until(() => errors.length > 0, 5_000, 'the informer to notice the cut');
    // Changes while the informer cannot reach the apiserver.
    await admin.createNamespacedConfigMap({
      namespace: 'informer',
      body: { metadata: { name: 'during' } },
    });
    await admin.deleteNamespacedConfigMap({ namespace: 'informer', name: 'before' });
    await new Promise((r) => setTimeout(r, 500)); // let a restart or two fail
    assert.ok(!seen.includes('add during'));

    await proxy.up();
    await until(
      () => seen.includes('add during') && seen.includes('delete before'),
      10_000,
      'catch-up',
    );
    assert.ok(informer.restarts >= 1, `restarted ${informer.restarts} times`);
    assert.deepEqual(
      informer
        .list('informer')
        .map((o) => o.metadata?.name)
        .sort(),
      ['during', 'live'],
    );
  } finally {
    await informer.stop();
    await proxy.cut();
  }
});
