// Proves the e2e level's control plane is real: a CRD and an object of it applied with
// kubectl are read back through @kubernetes/client-node, list and watch, and RBAC denies
// an identity that has no role.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { controlPlane, type ControlPlane } from '../support/control-plane.js';

const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.mezzo.dev}
spec:
  group: e2e.mezzo.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`;

let cp: ControlPlane;
before(() => {
  cp = controlPlane();
});
after(() => {
  cp.stop();
});

interface Widget {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: { size?: number };
}

test('kubectl-applied custom objects are seen by a client-node watch', async () => {
  await cp.kubectl(['apply', '-f', '-'], crd);
  await cp.waitEstablished(['crd/widgets.e2e.mezzo.dev']);

  const kc = cp.kubeConfig();
  const watch = new k8s.Watch(kc);
  const seen: { type: string; name: string | undefined; size: number | undefined }[] = [];
  let resolveSeen: () => void = () => undefined;
  const gotBoth = new Promise<void>((r) => (resolveSeen = r));
  const req = await watch.watch(
    '/apis/e2e.mezzo.dev/v1/namespaces/default/widgets',
    {},
    (type: string, obj: Widget) => {
      seen.push({ type, name: obj.metadata?.name, size: obj.spec?.size });
      if (seen.some((s) => s.type === 'MODIFIED')) resolveSeen();
    },
    () => undefined,
  );
  try {
    await cp.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: e2e.mezzo.dev/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    );
    await cp.kubectl(['patch', 'widget', 'w1', '--type=merge', '-p', '{"spec":{"size":5}}']);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      gotBoth,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`watch saw only ${JSON.stringify(seen)}`)), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    req.abort();
  }
  assert.deepEqual(seen.slice(0, 2), [
    { type: 'ADDED', name: 'w1', size: 3 },
    { type: 'MODIFIED', name: 'w1', size: 5 },
  ]);

  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const obj = (await api.getNamespacedCustomObject({
    group: 'e2e.mezzo.dev',
    version: 'v1',
    namespace: 'default',
    plural: 'widgets',
    name: 'w1',
  })) as Widget;
  assert.equal(obj.spec?.size, 5);

  // The schema is enforced by the real apiserver.
  await assert.rejects(
    cp.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: e2e.mezzo.dev/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 0}\n',
    ),
    /spec.size: Invalid value: 0/,
  );
});

test('RBAC is on: a service account token without roles is forbidden', async () => {
  await cp.kubectl(['create', 'serviceaccount', 'nobody']);
  const token = (await cp.kubectl(['create', 'token', 'nobody'])).stdout.trim();
  assert.equal(token.split('.').length, 3, 'TokenRequest returns a JWT');

  // Authenticate as the service account through the real token authenticator.
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'e2e', server: cp.server, caFile: cp.caCertPath }],
    users: [{ name: 'nobody', token }],
    contexts: [{ name: 'e2e', cluster: 'e2e', user: 'nobody' }],
    currentContext: 'e2e',
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await assert.rejects(core.listNamespacedConfigMap({ namespace: 'default' }), (err: unknown) => {
    assert.ok(err instanceof k8s.ApiException);
    assert.equal(err.code, 403);
    return true;
  });

  // Granting a Role makes the same call succeed.
  await cp.kubectl(['create', 'role', 'cm-reader', '--verb=list', '--resource=configmaps']);
  await cp.kubectl([
    'create',
    'rolebinding',
    'nobody-cm',
    '--role=cm-reader',
    '--serviceaccount=default:nobody',
  ]);
  // The authorizer learns of the binding through its informers: allow it a moment.
  let list: k8s.V1ConfigMapList | undefined;
  for (let i = 0; i < 50 && !list; i++) {
    list = await core.listNamespacedConfigMap({ namespace: 'default' }).catch(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return undefined;
    });
  }
  assert.ok(list, 'the RoleBinding grants list on configmaps');
  assert.ok(Array.isArray(list.items));
});
