// The operator API's calls beyond the state reads: GET_FLAGS, GET_METRICS, GET_QUOTA (from
// a Role object applied over HTTP) and SUBSCRIBE, whose RecordIO stream is read while a
// framework subscribes over the scheduler API, launches a task, and is torn down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { authHeader } from '../../support/auth.js';
import {
  mesosCall,
  mesosSubscribe,
  post,
  RecordIoReader,
  type MesosSubscription,
} from '../../support/mesos-http.js';
import { until } from '../controller/support.js';
import { launchCall, startCluster, type Cluster } from './support.js';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster('mesos-operator-a');
});
after(() => cluster.stop());

interface OperatorEvent {
  type: string;
  [field: string]: unknown;
}

async function call(type: string): Promise<Record<string, unknown>> {
  const res = await post(`${cluster.http}/api/v1`, Buffer.from(JSON.stringify({ type })), {
    'content-type': 'application/json',
  });
  assert.equal(res.status, 200, `${type}: ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

test('GET_FLAGS, GET_METRICS and GET_QUOTA', async () => {
  const flags = (await call('GET_FLAGS')).get_flags as { flags: { name: string; value: string }[] };
  const flag = (name: string) => flags.flags.find((f) => f.name === name)?.value;
  assert.equal(
    flag('allocation_interval'),
    '0.2secs',
    'the controller of the test allocates every 200 ms',
  );
  assert.equal(flag('authenticate_http_frameworks'), 'true');

  const metrics = (await call('GET_METRICS')).get_metrics as {
    metrics: { name: string; value: number }[];
  };
  const metric = (name: string) => metrics.metrics.find((m) => m.name === name)?.value;
  assert.equal(metric('master/slaves_active'), 1);
  assert.equal(metric('master/cpus_total'), 2);

  const before = (await call('GET_QUOTA')).get_quota as { status: { configs: unknown[] } };
  assert.deepEqual(before.status.configs, []);
  const applied = await post(
    `${cluster.http}/apply`,
    Buffer.from(
      JSON.stringify([
        {
          apiVersion: 'mezzo.dev/v1alpha1',
          kind: 'Role',
          metadata: { name: 'batch' },
          spec: { weight: 2, quota: { guarantee: { cpus: 1 }, limit: { cpus: 2, mem: '1Gi' } } },
        },
      ]),
    ),
    { 'content-type': 'application/json' },
  );
  assert.equal(applied.status, 200, applied.body);
  const quota = (await call('GET_QUOTA')).get_quota as {
    status: { configs: { role: string; guarantees: unknown; limits: unknown }[] };
  };
  assert.deepEqual(quota.status.configs, [
    {
      role: 'batch',
      guarantees: { cpus: { value: 1 } },
      limits: { cpus: { value: 2 }, mem: { value: 1024 } },
    },
  ]);
});

/** An operator SUBSCRIBE: the events as they come. */
class OperatorStream {
  readonly events: OperatorEvent[] = [];
  constructor(readonly res: IncomingMessage) {
    const reader = new RecordIoReader();
    res.on('data', (c: Buffer) => {
      for (const r of reader.push(c))
        this.events.push(JSON.parse(r.toString('utf8')) as OperatorEvent);
    });
  }
  async next(pred: (e: OperatorEvent) => boolean, what: string): Promise<OperatorEvent> {
    await until(() => this.events.some(pred), 15_000, what);
    const found = this.events.find(pred);
    assert.ok(found);
    return found;
  }
}

function operatorSubscribe(): Promise<OperatorStream> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.http}/api/v1`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader() } },
      (res) => {
        assert.equal(res.statusCode, 200);
        resolve(new OperatorStream(res));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ type: 'SUBSCRIBE' }));
  });
}

test('operator SUBSCRIBE: the state, then frameworks and tasks as they change', async () => {
  const stream = await operatorSubscribe();
  cluster.onStop.push(() => {
    stream.res.destroy();
  });
  const first = await stream.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED');
  const state = (first.subscribed as { get_state: { get_agents: { agents: unknown[] } } })
    .get_state;
  assert.equal(state.get_agents.agents.length, 1);

  const url = `${cluster.http}/api/v1/scheduler`;
  const sub: MesosSubscription = await mesosSubscribe(
    url,
    {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'nobody', name: 'watched', roles: ['watched'] } },
    },
    'json',
  );
  cluster.onStop.push(() => sub.close());
  const fwId =
    (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id.value ??
    '';
  const added = await stream.next((e) => e.type === 'FRAMEWORK_ADDED', 'FRAMEWORK_ADDED');
  assert.deepEqual(
    (added.framework_added as { framework: { framework_info: { id: unknown } } }).framework
      .framework_info.id,
    { value: fwId },
  );
  const offer = (await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer')).offers
    ?.offers[0];
  assert.ok(offer);
  const launched = await mesosCall(
    url,
    launchCall(fwId, offer, 'watched-1', { value: 'sleep 60' }),
    'json',
    sub.streamId,
  );
  assert.equal(launched.status, 202);
  const taskAdded = await stream.next((e) => e.type === 'TASK_ADDED', 'TASK_ADDED');
  assert.deepEqual((taskAdded.task_added as { task: { task_id: unknown } }).task.task_id, {
    value: 'watched-1',
  });
  await sub.acknowledgeUntil(
    url,
    fwId,
    'json',
    (e) => e.update?.status.state === 'TASK_RUNNING',
    'TASK_RUNNING',
  );
  const updated = (state: string) =>
    stream.next(
      (e) => e.type === 'TASK_UPDATED' && (e.task_updated as { state: string }).state === state,
      `TASK_UPDATED ${state}`,
    );
  await updated('TASK_RUNNING');
  const teardown = await mesosCall(
    url,
    { type: 'TEARDOWN', framework_id: { value: fwId } },
    'json',
    sub.streamId,
  );
  assert.equal(teardown.status, 202);
  await updated('TASK_KILLED');
  const removed = await stream.next((e) => e.type === 'FRAMEWORK_REMOVED', 'FRAMEWORK_REMOVED');
  assert.deepEqual(
    (removed.framework_removed as { framework_info: { id: unknown } }).framework_info.id,
    { value: fwId },
  );
  assert.deepEqual(
    stream.events.filter((e) => e.type === 'AGENT_ADDED' || e.type === 'AGENT_REMOVED'),
    [],
    'the one agent stayed',
  );
});
