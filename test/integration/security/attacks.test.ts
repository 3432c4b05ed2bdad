// The attacks of issue 13's first paragraph, against a controller guarded as `mezzo dev`
// guards it (real HTTP and gRPC on loopback, a real agent and task): each one that got in
// before is refused now, and with the right token everything still works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { REQUESTED_BY_ANNOTATION } from '../../../src/controller/http/requested-by.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { framework, launch, startAgent, until } from '../controller/support.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import {
  rawRegister,
  rawSubscribe,
  startGuarded,
  TOKENS,
  type GuardedController,
} from './support.js';

let c: GuardedController;
let agent: Agent;
let victim: SchedulerClient;
const victimTask = 'victim-sleeper';

before(async () => {
  c = await startGuarded();
  agent = await startAgent(c.controller.grpcAddress, 'cpus:2;mem:512', 'sec-agent');
  await until(() => c.controller.core.agents.size === 1, 10_000, 'the agent to register');
  // The victim: a framework of the admin with one running task.
  victim = framework(c.controller.grpcAddress, 'victim', ['default'], 600);
  victim.once('offers', (offers) => {
    const o = offers[0];
    if (o) void victim.accept([o.id], [launch(victimTask, o.agent_id, 'exec sleep 600', 0.1, 32)]);
  });
  await victim.start();
  await until(
    () => c.controller.core.tasks.get(victimTask)?.state === 'TASK_RUNNING',
    15_000,
    "the victim's task to run",
  );
});

after(async () => {
  victim.close();
  await agent.stop();
  await c.stop();
});

const TASK = (name: string, namespace = 'default') => ({
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace },
  spec: { command: 'id', resources: { cpus: 0.1, mem: 16 } },
});

function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${c.http}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const ROUTES: readonly [string, string, unknown?][] = [
  ['POST', '/apply', [TASK('intruder')]],
  ['DELETE', '/objects?kind=Task&name=x'],
  ['POST', `/kill?task=${victimTask}`],
  ['GET', '/state'],
  ['GET', `/logs?task=${victimTask}`],
  ['GET', '/metrics'],
  ['GET', '/objects?kind=Task'],
  ['POST', '/annotate?kind=Task&name=x', { a: 'b' }],
];

test('without a token, or with a wrong one, every route but the probes is 401', async () => {
  for (const token of [undefined, 'not-a-token', `${TEST_TOKEN}x`]) {
    for (const [method, path, body] of ROUTES) {
      const res = await call(method, path, token, body);
      assert.equal(res.status, 401, `${method} ${path} with token ${String(token)}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="mezzo"');
      const err = ((await res.json()) as { error: { code: string } }).error;
      assert.equal(err.code, 'UNAUTHENTICATED');
    }
  }
  assert.equal((await call('GET', '/healthz')).status, 200);
  assert.equal((await call('GET', '/readyz')).status, 200);
  // Nothing was created, and the victim's task runs on.
  assert.equal(await c.store.get('Task', 'intruder', 'default'), undefined);
  assert.equal(c.controller.core.tasks.get(victimTask)?.state, 'TASK_RUNNING');
  const metrics = await (await call('GET', '/metrics', TEST_TOKEN)).text();
  assert.match(metrics, /mezzo_authn_failures_total\{transport="http"\} [1-9]/);
});

test('an identity without grants gets 403 naming what it lacks for apply, kill and delete', async () => {
  const cases: [string, string, unknown, RegExp][] = [
    [
      'POST',
      '/apply',
      [TASK('intruder')],
      /^user "nobody" may not create tasks\.mezzo\.dev "intruder" in namespace "default"/,
    ],
    [
      'POST',
      `/kill?task=${victimTask}`,
      undefined,
      new RegExp(`^user "nobody" may not kill tasks\\.mezzo\\.dev "${victimTask}"`),
    ],
    [
      'DELETE',
      '/objects?kind=App&name=web',
      undefined,
      /^user "nobody" may not delete apps\.mezzo\.dev "web" in namespace "default"/,
    ],
    ['GET', '/state', undefined, /^user "nobody" may not get \/state/],
  ];
  for (const [method, path, body, message] of cases) {
    const res = await call(method, path, TOKENS.nobody, body);
    assert.equal(res.status, 403, `${method} ${path}`);
    const err = ((await res.json()) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'FORBIDDEN');
    assert.match(err.message, message);
  }
  // alice may create tasks in team-a only.
  const denied = await call('POST', '/apply', TOKENS.alice, [TASK('a1', 'default')]);
  assert.equal(denied.status, 403);
  assert.equal(await c.store.get('Task', 'intruder', 'default'), undefined);
  assert.equal(c.controller.core.tasks.get(victimTask)?.state, 'TASK_RUNNING');
  const metrics = await (await call('GET', '/metrics', TEST_TOKEN)).text();
  assert.match(metrics, /mezzo_authz_denied_total\{verb="kill",resource="tasks"\} 1/);
});

test('writes record who asked for them', async () => {
  for (const [token, user, ns] of [
    [TOKENS.alice, 'alice', 'team-a'],
    [TEST_TOKEN, 'mezzo:dev-admin', 'default'],
  ] as const) {
    const res = await call('POST', '/apply', token, [TASK(`by-${user.replace(':', '-')}`, ns)]);
    assert.equal(res.status, 200, await res.clone().text());
    const obj = await c.store.get('Task', `by-${user.replace(':', '-')}`, ns);
    assert.equal(obj?.metadata.annotations?.[REQUESTED_BY_ANNOTATION], user);
  }
  // A caller cannot claim to be someone else through the annotation itself.
  const forged = TASK('forged', 'team-a');
  const withClaim = {
    ...forged,
    metadata: { ...forged.metadata, annotations: { [REQUESTED_BY_ANNOTATION]: 'mezzo:dev-admin' } },
  };
  assert.equal((await call('POST', '/apply', TOKENS.alice, [withClaim])).status, 200);
  const obj = await c.store.get('Task', 'forged', 'team-a');
  assert.equal(obj?.metadata.annotations?.[REQUESTED_BY_ANNOTATION], 'alice');
});

test('subscribing without a token is UNAUTHENTICATED; without the role right, PERMISSION_DENIED', async () => {
  const address = c.controller.grpcAddress;
  for (const [token, code, details] of [
    [undefined, grpc.status.UNAUTHENTICATED, /no bearer token/],
    ['wrong', grpc.status.UNAUTHENTICATED, /not known/],
    [
      TOKENS.nobody,
      grpc.status.PERMISSION_DENIED,
      /user "nobody" may not register frameworks\.mezzo\.dev "default"/,
    ],
  ] as const) {
    const r = await rawSubscribe(address, token, { name: 'intruder', roles: ['default'] });
    r.close();
    assert.equal(r.code, code, `token ${String(token)}: ${String(r.details)}`);
    assert.match(r.details ?? '', details);
  }
  const ok = await rawSubscribe(address, TOKENS.mallory, { name: 'm', roles: ['analytics'] });
  ok.close();
  assert.equal(ok.event, 'SUBSCRIBED');
});

test("subscribing with another principal's framework ID is refused and the victim's task runs on", async () => {
  const r = await rawSubscribe(c.controller.grpcAddress, TOKENS.mallory, {
    id: victim.id,
    name: 'victim',
    roles: ['default'],
  });
  r.close();
  assert.equal(r.code, grpc.status.PERMISSION_DENIED);
  assert.match(r.details ?? '', /subscribed by another principal; user "mallory"/);
  const fw = c.controller.core.frameworks.get(victim.id);
  assert.equal(fw?.connected, true);
  assert.equal(fw.principal?.username, 'mezzo:dev-admin');
  assert.equal(c.controller.core.tasks.get(victimTask)?.state, 'TASK_RUNNING');
});

test('agents: no token is UNAUTHENTICATED, a node-bound identity only registers its own node', async () => {
  const address = c.controller.grpcAddress;
  const none = await rawRegister(address, undefined, { hostname: 'fake' });
  assert.equal(none.code, grpc.status.UNAUTHENTICATED);
  const nobody = await rawRegister(address, TOKENS.nobody, { hostname: 'fake' });
  assert.equal(nobody.code, grpc.status.PERMISSION_DENIED);
  assert.match(nobody.details ?? '', /may not register agents\.mezzo\.dev "fake"/);
  const other = await rawRegister(address, TOKENS.nodeA, { hostname: 'x', node_name: 'node-b' });
  assert.equal(other.code, grpc.status.PERMISSION_DENIED);
  assert.match(
    other.details ?? '',
    /may not register an agent for node "node-b": the token is bound to node node-a/,
  );
  // Taking over the real agent's ID is refused too, even for its own node name.
  const takeover = await rawRegister(address, TOKENS.nodeA, {
    hostname: 'x',
    node_name: 'node-a',
    id: agent.id,
  });
  assert.equal(takeover.code, grpc.status.PERMISSION_DENIED);
  assert.equal(c.controller.core.agents.size, 1);
  const own = await rawRegister(address, TOKENS.nodeA, { hostname: 'x', node_name: 'node-a' });
  assert.ok(own.registered, String(own.details));
  assert.equal(c.controller.core.tasks.get(victimTask)?.state, 'TASK_RUNNING');
});
