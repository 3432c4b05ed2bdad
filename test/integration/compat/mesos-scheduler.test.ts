// Mesos' v1 scheduler HTTP API on a real controller and a real agent, spoken over raw HTTP
// as a Mesos framework does: subscribe, take an offer, launch a task, acknowledge its
// updates until TASK_FINISHED, reconcile and tear down — in JSON and in protobuf.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller } from '../../../src/controller/controller.js';
import { until } from '../controller/support.js';
import { launchCall, startCluster, type Cluster } from './support.js';
import { mesosCall, mesosSubscribe, type MesosTestEvent } from '../../support/mesos-http.js';

let cluster: Cluster;
let controller: Controller;
let url: string;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  cluster = await startCluster('mesos-http-a');
  cluster.onStop.push(async () => {
    for (const c of cleanup) await c();
  });
  controller = cluster.controller;
  url = `${cluster.http}/api/v1/scheduler`;
});
after(() => cluster.stop());

const subscribeCall = (name: string) => ({
  type: 'SUBSCRIBE',
  subscribe: {
    framework_info: {
      user: 'nobody',
      name,
      roles: [name],
      failover_timeout: 60,
      capabilities: [{ type: 'MULTI_ROLE' }],
    },
  },
});

for (const format of ['json', 'protobuf'] as const) {
  test(`a framework's whole life over ${format}`, async () => {
    const role = `mesos-${format}`;
    const sub = await mesosSubscribe(url, subscribeCall(role), format);
    cleanup.push(() => sub.close());
    assert.equal(sub.status, 200);
    assert.ok(sub.streamId, 'Mesos-Stream-Id is issued');
    const subscribed = await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED');
    const fwId = subscribed.subscribed?.framework_id.value ?? '';
    assert.ok(controller.core.frameworks.get(fwId)?.connected, 'the core has the framework');
    assert.ok((subscribed.subscribed?.heartbeat_interval_seconds ?? 0) > 0);

    const offers = await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer');
    const offer = offers.offers?.offers[0];
    assert.ok(offer);
    const cpus = offer.resources.find((r) => r.name === 'cpus');
    assert.ok(cpus, 'cpus offered');
    assert.equal(cpus.type, 'SCALAR');
    assert.ok((cpus.scalar?.value ?? 0) > 0, 'cpus offered as a Mesos scalar');

    const call = (body: object) =>
      mesosCall(url, { framework_id: { value: fwId }, ...body }, format, sub.streamId);
    const taskId = `t-${format}`;
    const accepted = await mesosCall(
      url,
      launchCall(fwId, offer, taskId, {
        value: 'echo "$GREETING"',
        environment: { variables: [{ name: 'GREETING', value: 'hi' }] },
      }),
      format,
      sub.streamId,
    );
    assert.equal(accepted.status, 202, accepted.body);

    // Every update carrying a uuid is acknowledged, as the API requires (the last one
    // too: acknowledgeUntil acknowledges before it looks).
    const isFinished = (e: MesosTestEvent) =>
      e.update?.status.task_id.value === taskId && e.update.status.state === 'TASK_FINISHED';
    await sub.acknowledgeUntil(url, fwId, format, isFinished, 'TASK_FINISHED');
    const states = sub.events.flatMap((e) =>
      e.update?.status.task_id.value === taskId ? [e.update.status.state] : [],
    );
    assert.deepEqual(states.at(-1), 'TASK_FINISHED', `states ${states.join(',')}`);
    await until(
      () => controller.core.completed.has(fwId, taskId),
      10_000,
      'the task to complete once acknowledged',
    );

    // Explicit reconciliation: an answer without uuid (nothing to acknowledge).
    const before = sub.events.length;
    const rec = await call({
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: taskId } }] },
    });
    assert.equal(rec.status, 202);
    const answer = await sub.next(
      (e) => sub.events.indexOf(e) >= before && e.type === 'UPDATE',
      'a reconciliation answer',
    );
    const answered = answer.update?.status;
    assert.equal(answered?.task_id.value, taskId);
    assert.equal(answered.uuid, undefined, 'a reconciliation answer needs no acknowledgement');

    const down = await call({ type: 'TEARDOWN' });
    assert.equal(down.status, 202);
    await until(() => sub.ended, 10_000, 'the stream to end');
    assert.equal(controller.core.frameworks.get(fwId), undefined, 'the framework is removed');
  });
}
