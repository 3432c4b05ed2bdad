// The Mesos APIs under the same RBAC rules as the native ones, on a controller guarded as
// `mezzo dev --static-tokens --authz-policy` guards it (test/integration/security): each
// call is made by a principal without the right (refused, in Mesos' style: the status and
// the reason as plain text) and by one with it (served). Then what is checked per
// framework: the principal that subscribed is recorded and is the only one that may make
// its calls or take it over, and an ACCEPT authorizes the launches' users (`run-as`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAMEWORK_SUBSCRIBER_ANNOTATION } from '../../../src/controller/controller.js';
import { TEST_TOKEN } from '../../support/auth.js';
import {
  mesosCall,
  mesosSubscribe,
  post,
  type MesosAnswer,
  type MesosSubscription,
} from '../../support/mesos-http.js';
import { startAgent, until } from '../controller/support.js';
import { startGuarded, TOKENS, type GuardedController } from '../security/support.js';
import { launchCall } from './support.js';
import type { Agent } from '../../../src/agent-sidecar/agent.js';

let guarded: GuardedController;
let agent: Agent;
let url: string;
const open: MesosSubscription[] = [];

before(async () => {
  // alice may subscribe frameworks in role "alice-role" only; mallory may run tasks as
  // "mallory-ok" only.
  guarded = await startGuarded(
    undefined,
    `  - users: [alice]
    verbs: [register]
    resources: [frameworks]
    names: [alice-role]
  - users: [mallory]
    verbs: [run-as]
    resources: [users]
    names: [mallory-ok]
`,
  );
  agent = await startAgent(guarded.controller.grpcAddress, 'cpus:2;mem:1024', 'mesos-rbac-a');
  await until(() => guarded.controller.core.agents.size === 1, 10_000, 'the agent');
  url = `${guarded.http}/api/v1/scheduler`;
});
after(async () => {
  for (const s of open) s.close();
  await agent.stop();
  await guarded.stop();
});

const bearer = (token: string) => `Bearer ${token}`;
/** As pymesos sends its principal and secret; the secret is the token. */
const basic = (token: string, principal = 'some-principal') =>
  `Basic ${Buffer.from(`${principal}:${token}`).toString('base64')}`;

const frameworkInfo = (name: string, role: string, id?: string) => ({
  user: 'nobody',
  name,
  roles: [role],
  failover_timeout: 60,
  ...(id ? { id: { value: id } } : {}),
});

async function subscribe(
  auth: string,
  name: string,
  role: string,
  id?: string,
): Promise<MesosSubscription> {
  const sub = await mesosSubscribe(
    url,
    { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo(name, role, id) } },
    'json',
    auth,
  );
  open.push(sub);
  return sub;
}

const operator = (auth: string, call: object) =>
  post(`${guarded.http}/api/v1`, Buffer.from(JSON.stringify(call)), {
    'content-type': 'application/json',
    authorization: auth,
  });

async function get(auth: string, path: string): Promise<MesosAnswer> {
  const res = await fetch(`${guarded.http}${path}`, { headers: { authorization: auth } });
  return { status: res.status, headers: {}, body: await res.text() };
}

/** A subscribed framework of mallory's, for the rows that act on one. */
async function mallorysFramework(name: string): Promise<{ sub: MesosSubscription; id: string }> {
  const sub = await subscribe(basic(TOKENS.mallory, 'mallory'), name, name);
  assert.equal(sub.status, 200);
  const e = await sub.next((x) => x.type === 'SUBSCRIBED', 'SUBSCRIBED');
  return { sub, id: e.subscribed?.framework_id.value ?? '' };
}

test('the same calls: refused without the right, in Mesos style; served with it', async () => {
  const target = await mallorysFramework('rbac-target');
  const rows: {
    what: string;
    denied: () => Promise<{ status: number; body: string; type?: string }>;
    says: RegExp;
    allowed: () => Promise<{ status: number; body: string }>;
    status: number;
  }[] = [
    {
      what: 'SUBSCRIBE in a role (register frameworks <role>)',
      denied: async () => {
        const s = await subscribe(bearer(TOKENS.nobody), 'rbac-sub', 'rbac-sub');
        return {
          status: s.status,
          body: await s.refusal(),
          type: String(s.res.headers['content-type']),
        };
      },
      says: /"nobody".*register.*frameworks/,
      allowed: async () => {
        const s = await subscribe(basic(TOKENS.mallory), 'rbac-sub', 'rbac-sub');
        await s.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED');
        return { status: s.status, body: '' };
      },
      status: 200,
    },
    {
      what: 'operator GET_STATE (get on /api/v1)',
      denied: () => operator(bearer(TOKENS.mallory), { type: 'GET_STATE' }),
      says: /"mallory".*get.*\/api\/v1/,
      allowed: () => operator(bearer(TEST_TOKEN), { type: 'GET_STATE' }),
      status: 200,
    },
    {
      what: 'operator GET_QUOTA over Basic',
      denied: () => operator(basic(TOKENS.nobody), { type: 'GET_QUOTA' }),
      says: /"nobody".*get.*\/api\/v1/,
      allowed: () => operator(basic(TEST_TOKEN), { type: 'GET_QUOTA' }),
      status: 200,
    },
    {
      what: 'GET /master/state (get on the path)',
      denied: () => get(bearer(TOKENS.nobody), '/master/state'),
      says: /"nobody".*get.*\/master\/state/,
      allowed: () => get(bearer(TEST_TOKEN), '/master/state'),
      status: 200,
    },
    {
      what: 'GET /master/tasks',
      denied: () => get(bearer(TOKENS.mallory), '/master/tasks'),
      says: /"mallory".*\/master\/tasks/,
      allowed: () => get(bearer(TEST_TOKEN), '/master/tasks'),
      status: 200,
    },
    {
      what: 'GET /metrics/snapshot',
      denied: () => get(bearer(TOKENS.alice), '/metrics/snapshot'),
      says: /"alice".*\/metrics\/snapshot/,
      allowed: () => get(bearer(TEST_TOKEN), '/metrics/snapshot'),
      status: 200,
    },
    {
      what: "operator TEARDOWN of another's framework (teardown frameworks <id>)",
      denied: () =>
        operator(bearer(TOKENS.mallory), {
          type: 'TEARDOWN',
          teardown: { framework_id: { value: target.id } },
        }),
      says: /"mallory".*teardown.*frameworks/,
      allowed: () =>
        operator(bearer(TEST_TOKEN), {
          type: 'TEARDOWN',
          teardown: { framework_id: { value: target.id } },
        }),
      status: 200,
    },
  ];
  for (const row of rows) {
    const no = await row.denied();
    assert.equal(no.status, 403, `${row.what}: ${no.body}`);
    assert.match(no.body, row.says, row.what);
    assert.doesNotMatch(no.body, /^\{/, `${row.what}: a plain-text reason, as Mesos answers`);
    const yes = await row.allowed();
    assert.equal(yes.status, row.status, `${row.what}: ${yes.body}`);
  }
  assert.equal(
    guarded.controller.core.frameworks.has(target.id),
    false,
    'the operator TEARDOWN took the framework down',
  );
});

test('credentials: none or a bad one is 401; Basic only where Mesos clients send it', async () => {
  const cases: { what: string; answer: () => Promise<MesosAnswer>; status: number }[] = [
    {
      what: 'no credentials',
      answer: () => mesosCall(url, { type: 'SUBSCRIBE' }, 'json', undefined, ''),
      status: 401,
    },
    {
      what: 'Basic with a secret that is not a token',
      answer: () => operator(basic('not-a-token'), { type: 'GET_HEALTH' }),
      status: 401,
    },
    {
      what: 'Basic on a native route (/state)',
      answer: () => get(basic(TEST_TOKEN), '/state'),
      status: 401,
    },
    {
      what: 'Bearer on the same native route',
      answer: () => get(bearer(TEST_TOKEN), '/state'),
      status: 200,
    },
  ];
  for (const c of cases) assert.equal((await c.answer()).status, c.status, c.what);
});

test("a framework's calls and its ID are its subscriber's only", async () => {
  const { sub, id } = await mallorysFramework('rbac-owned');
  const fw = guarded.controller.core.frameworks.get(id);
  assert.equal(fw?.principal?.username, 'mallory', 'the principal is recorded');
  const start = Date.now();
  const recorded = async () =>
    (await guarded.store.get('Framework', id, 'default'))?.metadata.annotations?.[
      FRAMEWORK_SUBSCRIBER_ANNOTATION
    ];
  while ((await recorded()) === undefined) {
    assert.ok(Date.now() - start < 10_000, 'the Framework object records its subscriber');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await recorded(), 'mallory');

  const revive = { type: 'REVIVE', framework_id: { value: id } };
  const byAdmin = await mesosCall(url, revive, 'json', sub.streamId, bearer(TEST_TOKEN));
  assert.equal(byAdmin.status, 403);
  assert.match(byAdmin.body, /"mezzo:dev-admin" is not the principal that subscribed/);
  const byOwner = await mesosCall(url, revive, 'json', sub.streamId, basic(TOKENS.mallory));
  assert.equal(byOwner.status, 202);

  // A takeover by ID is refused, even to the administrator, as over gRPC.
  const takeover = await subscribe(bearer(TEST_TOKEN), 'rbac-owned', 'rbac-owned', id);
  assert.equal(takeover.status, 403);
  assert.match(await takeover.refusal(), /subscribed by another principal/);
  assert.equal(
    guarded.controller.core.frameworks.get(id)?.streamId,
    sub.streamId,
    "the owner's stream stays",
  );
  // Its subscriber fails over.
  const again = await subscribe(basic(TOKENS.mallory), 'rbac-owned', 'rbac-owned', id);
  assert.equal(again.status, 200);
  await again.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED again');
});

test('ACCEPT authorizes the users its launches run as (run-as), as the native ACCEPT', async () => {
  // The earlier frameworks let the agent's resources go (their offers are rescinded).
  for (const s of open.splice(0)) s.close();
  const launchAs = async (auth: string, name: string, taskId: string) => {
    const sub = await subscribe(auth, name, name);
    assert.equal(sub.status, 200);
    const fwId =
      (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id
        .value ?? '';
    const offer = (await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer')).offers
      ?.offers[0];
    assert.ok(offer);
    const res = await mesosCall(
      url,
      launchCall(fwId, offer, taskId, { value: 'sleep 30' }),
      'json',
      sub.streamId,
      auth,
    );
    assert.equal(res.status, 202, res.body);
    const update = await sub.next(
      (e) => e.update?.status.task_id.value === taskId,
      `the first update of ${taskId}`,
    );
    sub.close();
    return update.update?.status;
  };
  // mallory may register frameworks but not run tasks as "nobody".
  const refused = await launchAs(basic(TOKENS.mallory), 'rbac-runas-m', 'rbac-m-1');
  assert.equal(refused?.state, 'TASK_ERROR');
  assert.equal(refused.reason, 'REASON_TASK_UNAUTHORIZED');
  assert.match(refused.message ?? '', /run-as/);
  // Kept as ended (for reconciliation), never sent to the agent.
  assert.equal(guarded.controller.core.tasks.get('rbac-m-1')?.state, 'TASK_ERROR');
  const agentTasks = [...guarded.controller.core.agents.values()].flatMap((a) => [...a.tasks]);
  assert.ok(!agentTasks.includes('rbac-m-1'), 'nothing launched on the agent');
  const launched = await launchAs(bearer(TEST_TOKEN), 'rbac-runas-a', 'rbac-a-1');
  assert.notEqual(launched?.state, 'TASK_ERROR', launched?.message);
  assert.ok(guarded.controller.core.tasks.get('rbac-a-1'), 'the task was launched');
});

test('a task group is authorized as a whole: one task refused run-as, none launches', async () => {
  for (const s of open.splice(0)) s.close();
  const auth = basic(TOKENS.mallory, 'mallory');
  const sub = await subscribe(auth, 'rbac-group', 'rbac-group');
  assert.equal(sub.status, 200);
  const fwId =
    (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id.value ??
    '';
  const offer = (await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer')).offers
    ?.offers[0];
  assert.ok(offer);
  const task = (id: string, user?: string) => ({
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    command: { value: 'true', ...(user ? { user } : {}) },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  });
  // The first task's user is granted; the second runs as the framework's user, nobody.
  const res = await mesosCall(
    url,
    {
      type: 'ACCEPT',
      framework_id: { value: fwId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor: { type: 'DEFAULT', executor_id: { value: 'rbac-exec' } },
              task_group: { tasks: [task('rbac-g-ok', 'mallory-ok'), task('rbac-g-nobody')] },
            },
          },
        ],
      },
    },
    'json',
    sub.streamId,
    auth,
  );
  assert.equal(res.status, 202, res.body);
  for (const id of ['rbac-g-ok', 'rbac-g-nobody']) {
    const s = (await sub.next((e) => e.update?.status.task_id.value === id, id)).update?.status;
    assert.equal(s?.state, 'TASK_ERROR', id);
    assert.equal(s.reason, 'REASON_TASK_GROUP_UNAUTHORIZED', id);
    assert.match(s.message ?? '', /"nobody"/, `${id}: refused for the other task's user`);
    const onAgent = [...guarded.controller.core.agents.values()].some((a) => a.tasks.has(id));
    assert.equal(onAgent, false, `${id} never reached the agent`);
  }
  sub.close();
});

test('UPDATE_FRAMEWORK into a role needs register on it, as a SUBSCRIBE in it', async () => {
  const sub = await subscribe(basic(TOKENS.alice), 'rbac-update', 'alice-role');
  assert.equal(sub.status, 200);
  const id =
    (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id.value ??
    '';
  const update = (name: string, role: string) =>
    mesosCall(
      url,
      {
        type: 'UPDATE_FRAMEWORK',
        framework_id: { value: id },
        update_framework: { framework_info: frameworkInfo(name, role, id) },
      },
      'json',
      sub.streamId,
      basic(TOKENS.alice),
    );
  const denied = await update('rbac-update', 'someone-elses');
  assert.equal(denied.status, 403);
  assert.match(denied.body, /"alice" may not register frameworks.* "someone-elses"/);
  assert.deepEqual(guarded.controller.core.frameworks.get(id)?.roles, ['alice-role']);
  const renamed = await update('rbac-renamed', 'alice-role');
  assert.equal(renamed.status, 202, renamed.body);
  assert.equal(guarded.controller.core.frameworks.get(id)?.info.name, 'rbac-renamed');
  sub.close();
});
