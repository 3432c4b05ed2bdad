// Rolling upgrades of real HTTP services under minimumHealthCapacity 0.5: the number of
// healthy instances (by the agent's health checks, as the controller holds them) is
// polled throughout and never drops below half; an upgrade that never gets healthy stalls
// at the floor, and restoring the previous spec rolls it back.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_VERSION_LABEL,
  specVersion,
  type AppSpec,
} from '../../../src/frameworks/apps/app-spec.js';
import {
  app,
  editSpec,
  httpService,
  runningTasks,
  startCluster,
  statusOf,
  waitFor,
  type Cluster,
} from './support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

test('rolling upgrade keeps half healthy; a stalled upgrade is rolled back', async () => {
  const c = await startCluster([['a1', 'cpus:4;mem:2048;ports:[31000-31100]']]);
  cluster = c;
  const { store } = c;
  const v1: AppSpec = {
    command: httpService(c.scratch),
    env: { RELEASE: 'v1' },
    instances: 4,
    cpus: 0.1,
    mem: '48Mi',
    portDefinitions: [{ port: 0 }],
    healthChecks: [
      {
        type: 'HTTP',
        portIndex: 0,
        path: '/',
        gracePeriodSeconds: 2,
        intervalSeconds: 0.5,
        timeoutSeconds: 0.5,
        consecutiveFailures: 3,
      },
    ],
    // minimumHealthCapacity 0.5 of 4 = 2 must stay healthy; no instance over 4.
    upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    backoffSeconds: 0.2,
    backoffFactor: 1.5,
    maxLaunchDelaySeconds: 1,
  };
  await store.create(app('web', v1));
  const settledOn = async (spec: AppSpec) => {
    const s = await statusOf(store, 'web');
    const running = runningTasks(c, true);
    return (
      s.healthy === 4 &&
      s.deployment === undefined &&
      running.length === 4 &&
      running.every((t) => t.info.labels?.[APP_VERSION_LABEL] === specVersion(spec))
    );
  };
  await waitFor(() => settledOn(v1), 20_000, 'four healthy v1 instances');

  // Poll health on a timer for as long as the upgrades run; the minimum is the result.
  let minHealthy = Infinity;
  let deploymentSeen = false;
  const poller = setInterval(() => {
    minHealthy = Math.min(minHealthy, runningTasks(c, true).length);
  }, 10);
  try {
    const v2: AppSpec = { ...v1, env: { RELEASE: 'v2' } };
    const t0 = Date.now();
    await editSpec(store, 'web', () => v2);
    await waitFor(
      async () => {
        deploymentSeen ||= (await statusOf(store, 'web')).deployment !== undefined;
        return settledOn(v2);
      },
      30_000,
      'the upgrade to v2',
    );
    console.log(`# rolling upgrade of 4 took ${Date.now() - t0} ms; min healthy ${minHealthy}`);
    assert.ok(deploymentSeen, 'status.deployment was set during the upgrade');
    assert.ok(minHealthy >= 2, `healthy dropped to ${minHealthy} < 2 during the upgrade`);

    // v3 never passes its health check (404): the upgrade stalls at the floor.
    const v3: AppSpec = {
      ...v2,
      env: { RELEASE: 'v3' },
      healthChecks: (v2.healthChecks ?? []).map((h) => ({ ...h, path: '/missing' })),
    };
    await editSpec(store, 'web', () => v3);
    await waitFor(
      async () => (await statusOf(store, 'web')).deployment?.toVersion === specVersion(v3),
      10_000,
      'the v3 deployment recorded',
    );
    const v3Launched = () =>
      [...c.controller.core.tasks.values()].some(
        (t) => t.info.labels?.[APP_VERSION_LABEL] === specVersion(v3),
      );
    await waitFor(v3Launched, 10_000, 'v3 instances launched');
    // Roll back by restoring the previous spec: the v2 instances are kept, v3 ones go.
    await editSpec(store, 'web', () => v2);
    await waitFor(() => settledOn(v2), 30_000, 'the rollback to v2');
    console.log(`# min healthy over both upgrades and the rollback: ${minHealthy}`);
    assert.ok(minHealthy >= 2, `healthy dropped to ${minHealthy} < 2`);
    assert.equal((await statusOf(store, 'web')).version, specVersion(v2));
  } finally {
    clearInterval(poller);
  }
});
