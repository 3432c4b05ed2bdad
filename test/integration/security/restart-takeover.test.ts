// A framework stays its subscriber's across a controller restart: the Framework object
// records who subscribed it, so the restarted controller, which knows the framework only
// from that object until it resubscribes, refuses its ID to anyone else. Real controllers
// on one embedded store, real gRPC on loopback.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { FRAMEWORK_SUBSCRIBER_ANNOTATION } from '../../../src/controller/controller.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { until } from '../controller/support.js';
import { rawSubscribe, startGuarded, TOKENS, type GuardedController } from './support.js';

const running: GuardedController[] = [];
after(async () => {
  for (const c of running.reverse()) await c.stop();
});

test('after a restart, another principal cannot take over a framework by its ID; its subscriber can', async () => {
  const first = await startGuarded();
  running.push(first);
  const sub = await rawSubscribe(first.controller.grpcAddress, TEST_TOKEN, {
    name: 'owned',
    roles: ['default'],
  });
  assert.equal(sub.event, 'SUBSCRIBED');
  const id = [...first.controller.core.frameworks.keys()][0] ?? '';
  assert.ok(id, 'the framework is registered');
  await until(
    () => first.controller.core.frameworks.get(id)?.principal !== undefined,
    5_000,
    'the principal recorded',
  );
  const recorded = async (c: GuardedController) =>
    (await c.store.get('Framework', id, 'default'))?.metadata.annotations?.[
      FRAMEWORK_SUBSCRIBER_ANNOTATION
    ];
  const start = Date.now();
  while ((await recorded(first)) === undefined) {
    assert.ok(Date.now() - start < 10_000, 'the Framework object records its subscriber');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await recorded(first), 'mezzo:dev-admin');
  sub.close();
  running.pop();
  await first.stop();

  // The restarted controller has not seen the framework resubscribe yet.
  const second = await startGuarded(first.dir);
  running.push(second);
  assert.equal(second.controller.core.frameworks.get(id), undefined);
  const mallory = await rawSubscribe(second.controller.grpcAddress, TOKENS.mallory, {
    id,
    name: 'owned',
    roles: ['analytics'],
  });
  mallory.close();
  assert.equal(mallory.code, grpc.status.PERMISSION_DENIED);
  assert.match(mallory.details ?? '', /subscribed by another principal; user "mallory"/);
  assert.equal(second.controller.core.frameworks.get(id), undefined, 'nothing was registered');

  const owner = await rawSubscribe(second.controller.grpcAddress, TEST_TOKEN, {
    id,
    name: 'owned',
    roles: ['default'],
  });
  owner.close();
  assert.equal(owner.event, 'SUBSCRIBED', 'its subscriber fails over as before');
});
