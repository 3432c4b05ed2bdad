// Mesos' master endpoints and v1 operator API show a framework subscribed over the Mesos
// scheduler API and its running task, in Mesos' shapes, as Mesos dashboards and
// monitoring scripts read them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../controller/support.js';
import { authHeader } from '../../support/auth.js';
import {
  mesosCall,
  mesosSubscribe,
  post,
  type MesosSubscription,
} from '../../support/mesos-http.js';
import { launchCall, startCluster, type Cluster } from './support.js';

let cluster: Cluster;
let sub: MesosSubscription;
let fwId: string;
let agentId: string;

before(async () => {
  cluster = await startCluster('mesos-state-a');
  const url = `${cluster.http}/api/v1/scheduler`;
  sub = await mesosSubscribe(
    url,
    {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'nobody', name: 'state-fw', roles: ['analytics'] } },
    },
    'json',
  );
  cluster.onStop.push(() => sub.close());
  fwId =
    (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id.value ??
    '';
  const offer = (await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer')).offers
    ?.offers[0];
  assert.ok(offer);
  agentId = offer.agent_id.value;
  const res = await mesosCall(
    url,
    launchCall(fwId, offer, 'long-1', { value: 'sleep 60' }),
    'json',
    sub.streamId,
  );
  assert.equal(res.status, 202);
  await sub.acknowledgeUntil(
    url,
    fwId,
    'json',
    (e) => e.update?.status.state === 'TASK_RUNNING',
    'TASK_RUNNING',
  );
});
after(() => cluster.stop());

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${cluster.http}${path}`, { headers: authHeader() });
  // Errors are plain text, as Mesos answers them.
  if (!res.ok) return { status: res.status, body: { error: await res.text() } };
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface MesosTaskJson {
  id: string;
  state: string;
  slave_id: string;
  framework_id: string;
  resources: Record<string, unknown>;
}

test('the classic master endpoints', async () => {
  for (const path of ['/master/state', '/master/state.json', '/state.json']) {
    const { status, body } = await getJson(path);
    assert.equal(status, 200, path);
    assert.equal(body.activated_slaves, 1, path);
    const slaves = body.slaves as {
      id: string;
      resources: Record<string, unknown>;
      used_resources: { cpus: number };
    }[];
    assert.equal(slaves[0]?.id, agentId);
    assert.equal(slaves[0].resources.cpus, 2);
    assert.equal(slaves[0].used_resources.cpus, 0.1, 'the running task uses 0.1 cpus');
    const fws = body.frameworks as {
      id: string;
      name: string;
      roles: string[];
      tasks: MesosTaskJson[];
    }[];
    const fw = fws.find((f) => f.id === fwId);
    assert.equal(fw?.name, 'state-fw');
    assert.deepEqual(fw.roles, ['analytics']);
    assert.deepEqual(
      fw.tasks.map((t) => [t.id, t.state, t.slave_id, t.resources.mem]),
      [['long-1', 'TASK_RUNNING', agentId, 32]],
    );
  }
  const tasks = await getJson(`/master/tasks?framework_id=${fwId}&limit=10&order=des`);
  assert.deepEqual(
    (tasks.body.tasks as MesosTaskJson[]).map((t) => t.id),
    ['long-1'],
  );
  assert.deepEqual(
    ((await getJson('/master/tasks?framework_id=other')).body.tasks as unknown[]).length,
    0,
  );
  assert.equal((await getJson('/master/tasks?limit=lots')).status, 400);
  const frameworks = (await getJson('/master/frameworks')).body.frameworks as { id: string }[];
  assert.ok(frameworks.some((f) => f.id === fwId));
  assert.equal(((await getJson('/master/slaves')).body.slaves as unknown[]).length, 1);
  const roles = (await getJson('/master/roles')).body.roles as {
    name: string;
    frameworks: string[];
    allocated: { cpus: number };
  }[];
  const analytics = roles.find((r) => r.name === 'analytics');
  assert.deepEqual(analytics?.frameworks, [fwId]);
  assert.equal(analytics.allocated.cpus, 0.1);
  const metrics = (await getJson('/metrics/snapshot')).body;
  assert.equal(metrics['master/tasks_running'], 1);
  assert.equal(metrics['master/slaves_active'], 1);
  assert.equal(metrics['master/frameworks_connected'], 1);
  assert.equal(metrics['master/cpus_total'], 2);
  assert.equal(metrics['master/cpus_used'], 0.1);
});

test('the v1 operator API in JSON', async () => {
  const call = async (type: string, path = '/api/v1') => {
    const res = await post(`${cluster.http}${path}`, Buffer.from(JSON.stringify({ type })), {
      'content-type': 'application/json',
    });
    const body: Record<string, unknown> & { type?: string } =
      res.status === 200 ? (JSON.parse(res.body) as Record<string, unknown>) : { error: res.body };
    return { status: res.status, body };
  };
  const health = await call('GET_HEALTH');
  assert.deepEqual(health.body, { type: 'GET_HEALTH', get_health: { healthy: true } });
  assert.equal((await call('GET_HEALTH', '/api/v1/operator')).status, 200);
  const version = (await call('GET_VERSION')).body.get_version as {
    version_info: { version: string };
  };
  assert.match(version.version_info.version, /^1\./);
  const tasks = (await call('GET_TASKS')).body.get_tasks as {
    tasks: { task_id: { value: string }; state: string }[];
  };
  assert.deepEqual(
    tasks.tasks.map((t) => [t.task_id.value, t.state]),
    [['long-1', 'TASK_RUNNING']],
  );
  const agents = (await call('GET_AGENTS')).body.get_agents as {
    agents: { agent_info: { id: { value: string } } }[];
  };
  assert.deepEqual(
    agents.agents.map((a) => a.agent_info.id.value),
    [agentId],
  );
  const fws = (await call('GET_FRAMEWORKS')).body.get_frameworks as {
    frameworks: { framework_info: { id: { value: string }; roles: string[] } }[];
  };
  assert.deepEqual(
    fws.frameworks.find((f) => f.framework_info.id.value === fwId)?.framework_info.roles,
    ['analytics'],
  );
  const state = (await call('GET_STATE')).body.get_state as {
    get_tasks: { tasks: unknown[] };
    get_agents: { agents: unknown[] };
  };
  assert.equal(state.get_tasks.tasks.length, 1);
  assert.equal(state.get_agents.agents.length, 1);
  const roles = (await call('GET_ROLES')).body.get_roles as { roles: { name: string }[] };
  assert.ok(roles.roles.some((r) => r.name === 'analytics'));
  assert.equal((await call('GET_MASTER')).status, 200);
  const refused = await call('DRAIN_AGENT');
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.body), /DRAIN_AGENT is not supported/);
  const protobuf = await post(`${cluster.http}/api/v1`, Buffer.from([8, 1]), {
    'content-type': 'application/x-protobuf',
  });
  assert.equal(protobuf.status, 415);
  // The framework's teardown kills its task; the endpoints follow.
  assert.equal(
    (
      await mesosCall(
        `${cluster.http}/api/v1/scheduler`,
        { type: 'TEARDOWN', framework_id: { value: fwId } },
        'json',
        sub.streamId,
      )
    ).status,
    202,
  );
  await until(() => cluster.controller.core.frameworks.size === 0, 10_000, 'the teardown');
  const after = (await call('GET_FRAMEWORKS')).body.get_frameworks as { frameworks: unknown[] };
  assert.equal(after.frameworks.length, 0);
});
