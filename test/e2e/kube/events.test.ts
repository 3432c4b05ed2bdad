// Events on the real apiserver: kubectl describe shows them; repeats aggregate into one
// Event with a count; a different message is a new Event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { EventRecorder } from '../../../src/kube/events.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { controlPlane, type ControlPlane } from '../support/control-plane.js';

let cp: ControlPlane;
before(async () => {
  cp = controlPlane();
  await cp.kubectl(['create', 'namespace', 'events']);
  await cp.kubectl(['-n', 'events', 'create', 'configmap', 'subject']);
});
after(() => cp.stop());

test('repeated events aggregate; distinct ones do not', async () => {
  const kc = cp.kubeConfig();
  const uid = (
    await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedConfigMap({ name: 'subject', namespace: 'events' })
  ).metadata?.uid;
  const clock = new ManualClock(Date.parse('2026-11-25T00:00:00Z'));
  const rec = new EventRecorder({
    kubeConfig: kc,
    component: 'mezzo-controller',
    instance: 'test-0',
    clock,
    logger: silentLogger(),
    aggregateWindowMs: 60_000,
  });
  const target = { apiVersion: 'v1', kind: 'ConfigMap', name: 'subject', namespace: 'events', uid };
  await rec.warning(target, 'TaskFailed', 'task t1 failed: exit 1');
  clock.advance(1_000);
  await rec.warning(target, 'TaskFailed', 'task t1 failed: exit 1');
  clock.advance(1_000);
  await rec.warning(target, 'TaskFailed', 'task t1 failed: exit 1');
  await rec.normal(target, 'TaskFinished', 'task t2 finished');
  clock.advance(61_000); // outside the window: a fresh event
  await rec.warning(target, 'TaskFailed', 'task t1 failed: exit 1');

  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: 'events' });
  const rows = list.items.map((e) => `${e.type ?? ''} ${e.reason ?? ''} x${e.count ?? 0}`).sort();
  assert.deepEqual(rows, [
    'Normal TaskFinished x1',
    'Warning TaskFailed x1',
    'Warning TaskFailed x3',
  ]);
  const { stdout } = await cp.kubectl(['-n', 'events', 'describe', 'configmap', 'subject']);
  assert.match(stdout, /Warning\s+TaskFailed\s+.*mezzo-controller\s+task t1 failed: exit 1/);
});

test('a failed write is logged, never thrown', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'nowhere', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'c', cluster: 'nowhere', user: 'u' }],
    currentContext: 'c',
  });
  const warnings: string[] = [];
  const logger = silentLogger();
  logger.warn = ((msg: string) => {
    warnings.push(msg);
    return logger;
  }) as typeof logger.warn;
  const rec = new EventRecorder({
    kubeConfig: kc,
    component: 'c',
    instance: 'i',
    clock: new ManualClock(),
    logger,
  });
  await rec.normal({ apiVersion: 'v1', kind: 'Node', name: 'n1' }, 'Test', 'x');
  assert.deepEqual(warnings, ['could not record event']);
});
