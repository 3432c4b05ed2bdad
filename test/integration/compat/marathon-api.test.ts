// Marathon's v2 REST API over plain HTTP on a real controller (loopback, embedded store,
// a token file and a policy as `mezzo dev` takes them): status codes and Marathon's error
// shape for bad input (which changes nothing), the id mapping, refusals of fields Mezzo
// has no equivalent for, embed, PATCH as a partial update that keeps the version,
// versions and rollback, queue and deployments, the same RBAC questions as the native
// API (401 without a token, 403 for a caller without the right), and the event stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { authHeader } from '../../support/auth.js';
import { specVersion, type AppSpec } from '../../../src/frameworks/apps/app-spec.js';
import { LEADER_NOT_ABDICATED } from '../../../src/compat/marathon/server-routes.js';
import {
  MARATHON_TOKENS,
  startMarathonController,
  type MarathonController,
} from './marathon-support.js';

let m: MarathonController;
before(async () => {
  m = await startMarathonController();
});
after(() => m.stop());

type Json = Record<string, unknown>;

async function send(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<{ status: number; json: Json; text: string; res: Response }> {
  const res = await m.call(path, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(token !== undefined ? { token } : {}),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    json = {};
  }
  return { status: res.status, json, text, res };
}

const app = (id: string, extra: Json = {}) => ({
  id,
  cmd: 'sleep 100',
  cpus: 0.1,
  mem: 32,
  ...extra,
});

async function storedApps(): Promise<string[]> {
  return (await m.store.list('App')).map((a) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`);
}

// Bad input: [what, method, path, body, status, path in details (or message pattern)].
const refusals: [string, string, string, unknown, number, string | RegExp][] = [
  [
    'a container',
    'POST',
    '/v2/apps',
    app('/c1', { container: { type: 'DOCKER', docker: { image: 'x' } } }),
    422,
    '/container',
  ],
  [
    'residency',
    'POST',
    '/v2/apps',
    app('/c2', { residency: { taskLostBehavior: 'WAIT_FOREVER' } }),
    422,
    '/residency',
  ],
  ['an unknown field', 'POST', '/v2/apps', app('/c3', { foo: 1 }), 422, '/foo'],
  ['an id with a dot in a segment', 'POST', '/v2/apps', app('/a.b/c'), 422, '/id'],
  ['an id with an upper-case letter', 'POST', '/v2/apps', app('/Web'), 422, '/id'],
  ['no id', 'POST', '/v2/apps', { cmd: 'true' }, 422, '/id'],
  ['neither cmd nor args', 'POST', '/v2/apps', { id: '/c4', cpus: 1 }, 422, '/cmd'],
  ['cmd and args', 'POST', '/v2/apps', app('/c5', { args: ['sleep', '1'] }), 422, '/'],
  ['negative cpus', 'POST', '/v2/apps', app('/c6', { cpus: -1 }), 422, '/cpus'],
  [
    'two health checks',
    'POST',
    '/v2/apps',
    app('/c7', { healthChecks: [{ protocol: 'TCP' }, { protocol: 'TCP' }] }),
    422,
    '/healthChecks',
  ],
  [
    'a health check protocol Mezzo lacks',
    'POST',
    '/v2/apps',
    app('/c8', { healthChecks: [{ protocol: 'HTTPS' }] }),
    422,
    '/healthChecks(0)/protocol',
  ],
  [
    'a constraint not in array form',
    'POST',
    '/v2/apps',
    app('/c9', { constraints: [{ field: 'hostname' }] }),
    422,
    '/constraints(0)',
  ],
  [
    'an unknown constraint operator',
    'POST',
    '/v2/apps',
    app('/c10', { constraints: [['hostname', 'NEAR']] }),
    422,
    '/constraints(0)/1',
  ],
  [
    'secrets',
    'POST',
    '/v2/apps',
    app('/c11', { secrets: { s: { source: 'x' } } }),
    422,
    '/secrets',
  ],
  ['malformed JSON', 'POST', '/v2/apps', '{"id":', 400, /JSON/],
  ['a list body', 'POST', '/v2/apps', [app('/c12')], 400, /object/],
  ['a bad flag', 'DELETE', '/v2/apps/c13?force=maybe', undefined, 400, /force/],
  ['an unknown embed', 'GET', '/v2/apps?embed=apps.everything', undefined, 400, /embed/],
  ['an unknown app', 'GET', '/v2/apps/nope', undefined, 404, /does not exist/],
  ['an id that names no App', 'GET', '/v2/apps/a.b', undefined, 404, /does not exist/],
  ['PATCH of an unknown app', 'PATCH', '/v2/apps/nope', { instances: 2 }, 404, /does not exist/],
  ['an unknown deployment', 'DELETE', '/v2/deployments/nope', undefined, 404, /does not exist/],
  ['a kill of unknown tasks', 'POST', '/v2/tasks/delete', { ids: ['nope'] }, 404, /does not exist/],
  ['a kill body without ids', 'POST', '/v2/tasks/delete', { id: 'x' }, 400, /ids/],
  ['wipe', 'DELETE', '/v2/apps/c14/tasks/t1?wipe=true', undefined, 422, /wipe/],
];
for (const [what, method, path, body, status, where] of refusals) {
  test(`${method} ${path}: ${what} is a ${status} in Marathon's shape, nothing stored`, async () => {
    const before = await storedApps();
    const r = await send(method, path, body);
    assert.equal(r.status, status, r.text);
    assert.equal(typeof r.json.message, 'string', r.text);
    if (typeof where === 'string') {
      const details = r.json.details as { path: string; errors: string[] }[];
      assert.ok(
        details.some((d) => d.path === where && d.errors.length > 0),
        r.text,
      );
    } else assert.match(String(r.json.message), where);
    assert.deepEqual(await storedApps(), before);
  });
}

// Not served, as the endpoint table in docs/compat/marathon.md says: [method, path, status].
const unserved: [string, string, number][] = [
  ['DELETE', '/v2/apps', 405],
  ['GET', '/v2/groups', 404],
  ['GET', '/v2/pods', 404],
  ['DELETE', '/v2/queue/x/delay', 404],
];
for (const [method, path, status] of unserved) {
  test(`${method} ${path} is not served: ${status}`, async () => {
    // Without a content type, as a plain HTTP client sends these.
    const res = await fetch(`${m.http}${path}`, { method, headers: authHeader() });
    assert.equal(res.status, status, await res.text());
  });
}

test('POST creates the App /team/web names (default/team.web): 201, Location, AppInfo; a second is a 409', async () => {
  const r = await send(
    'POST',
    '/v2/apps',
    app('/team/web', {
      instances: 2,
      constraints: [['hostname', 'UNIQUE']],
      labels: { team: 'a' },
      portDefinitions: [{ port: 0, name: 'http' }],
      healthChecks: [
        { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, maxConsecutiveFailures: 0 },
      ],
      fetch: [{ uri: 'https://example.com/a.tgz', extract: true }],
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
      backoffSeconds: 2,
      backoffFactor: 1.5,
      maxLaunchDelaySeconds: 30,
    }),
  );
  assert.equal(r.status, 201, r.text);
  assert.equal(r.res.headers.get('location'), '/v2/apps/team/web');
  assert.equal(r.json.id, '/team/web');
  assert.equal(r.json.tasksRunning, 0);
  assert.deepEqual(r.json.constraints, [['hostname', 'UNIQUE']]);
  assert.equal((r.json.deployments as unknown[]).length, 1);
  const stored = await m.store.get('App', 'team.web', 'default');
  const spec = stored?.spec as AppSpec;
  assert.deepEqual(spec.constraints, [{ attribute: 'hostname', operator: 'UNIQUE' }]);
  assert.deepEqual(spec.healthChecks?.[0], {
    type: 'HTTP',
    path: '/',
    portIndex: 0,
    killWhenUnhealthy: false,
  });
  assert.deepEqual(spec.uris, [{ value: 'https://example.com/a.tgz', extract: true }]);
  assert.equal(spec.backoffFactor, 1.5);
  assert.equal((await send('POST', '/v2/apps', app('/team/web'))).status, 409);
});

test('PUT /v2/apps with one valid and one invalid app is a 422 and writes neither', async () => {
  const r = await send('PUT', '/v2/apps', [app('/bulk/ok'), app('/bulk/bad', { cpus: -1 })]);
  assert.equal(r.status, 422, r.text);
  assert.equal(await m.store.get('App', 'bulk.ok', 'default'), undefined);
  const ok = await send('PUT', '/v2/apps', [app('/bulk/ok'), app('/bulk/ok2')]);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(await m.store.get('App', 'bulk.ok2', 'default'));
});

test('PATCH is a partial update: instances change, the rest and the version stay', async () => {
  await send('POST', '/v2/apps', app('/patchme', { env: { A: '1' } }));
  const before = await m.store.get('App', 'patchme', 'default');
  const r = await send('PATCH', '/v2/apps/patchme', { instances: 4 });
  assert.equal(r.status, 200, r.text);
  assert.equal(typeof r.json.deploymentId, 'string');
  const afterApp = await m.store.get('App', 'patchme', 'default');
  const a = afterApp?.spec as AppSpec;
  assert.equal(a.instances, 4);
  assert.deepEqual(a.env, { A: '1' });
  assert.equal(specVersion(a), specVersion(before?.spec as AppSpec));
  // PUT is partial too by default (Marathon's partialUpdate=true): cmd changes, instances stay.
  assert.equal((await send('PUT', '/v2/apps/patchme', { cmd: 'sleep 5' })).status, 200);
  const put = (await m.store.get('App', 'patchme', 'default'))?.spec as AppSpec;
  assert.equal(put.command, 'sleep 5');
  assert.equal(put.instances, 4);
});

test('versions list newest first; a version reads back; PUT {version} rolls back', async () => {
  await send('POST', '/v2/apps', app('/versioned', { cmd: 'echo one' }));
  await send('PUT', '/v2/apps/versioned', { cmd: 'echo two' });
  const v = await send('GET', '/v2/apps/versioned/versions');
  const versions = v.json.versions as string[];
  assert.equal(versions.length, 2, v.text);
  const old = await send('GET', `/v2/apps/versioned/versions/${versions[1] ?? ''}`);
  assert.equal(old.json.cmd, 'echo one');
  const back = await send('PUT', '/v2/apps/versioned', { version: versions[1] });
  assert.equal(back.status, 200, back.text);
  assert.equal(
    ((await m.store.get('App', 'versioned', 'default'))?.spec as AppSpec).command,
    'echo one',
  );
});

test('restart makes a new version of the same definition; DELETE of its deployment rolls back', async () => {
  await send('POST', '/v2/apps', app('/restarted', { labels: { a: 'b' } }));
  const before = (await m.store.get('App', 'restarted', 'default'))?.spec as AppSpec;
  const r = await send('POST', '/v2/apps/restarted/restart');
  assert.equal(r.status, 200, r.text);
  const restarted = (await m.store.get('App', 'restarted', 'default'))?.spec as AppSpec;
  const labels = restarted.labels ?? {};
  assert.equal(labels.a, 'b');
  assert.match(labels.MEZZO_RESTARTED_AT ?? '', /^\d{4}-/);
  assert.notEqual(specVersion(restarted), specVersion(before));
  const deps = (await send('GET', '/v2/deployments')).json as unknown as Json[];
  const dep = deps.find((d) => (d.affectedApps as string[]).includes('/restarted'));
  assert.equal(dep?.id, r.json.deploymentId);
  const back = await send('DELETE', `/v2/deployments/${String(r.json.deploymentId)}`);
  assert.equal(back.status, 200, back.text);
  const rolled = (await m.store.get('App', 'restarted', 'default'))?.spec as AppSpec;
  assert.equal(specVersion(rolled), specVersion(before));
  const forced = await send(
    'DELETE',
    `/v2/deployments/${String(back.json.deploymentId)}?force=true`,
  );
  assert.equal(forced.status, 422, forced.text);
});

test('GET /v2/apps: embed=apps.tasks adds tasks; id= and label= filter', async () => {
  await send('POST', '/v2/apps', app('/filter/x', { labels: { tier: 'web' } }));
  const plain = await send('GET', '/v2/apps?id=/filter');
  const apps = plain.json.apps as Json[];
  assert.deepEqual(
    apps.map((a) => a.id),
    ['/filter/x'],
  );
  assert.equal('tasks' in (apps[0] ?? {}), false);
  const embedded = await send('GET', '/v2/apps?id=/filter&embed=apps.tasks&embed=apps.counts');
  assert.deepEqual((embedded.json.apps as Json[])[0]?.tasks, []);
  const labelled = await send('GET', '/v2/apps?label=tier==web');
  assert.deepEqual(
    (labelled.json.apps as Json[]).map((a) => a.id),
    ['/filter/x'],
  );
  const other = await send('GET', '/v2/apps?label=tier!=web');
  assert.equal(
    (other.json.apps as Json[]).some((a) => a.id === '/filter/x'),
    false,
  );
});

test('queue says why instances wait; deployments list the start; DELETE removes the App', async () => {
  await send('POST', '/v2/apps', app('/queued', { instances: 3 }));
  const q = await send('GET', '/v2/queue?embed=lastUnusedOffers');
  const item = (q.json.queue as Json[]).find((i) => (i.app as Json).id === '/queued');
  assert.ok(item, q.text);
  assert.equal(item.count, 3, q.text);
  assert.ok(Array.isArray((item.processedOffersSummary as Json).rejectSummaryLastOffers));
  const d = await send('GET', '/v2/deployments');
  const dep = (d.json as unknown as Json[]).find((x) =>
    (x.affectedApps as string[]).includes('/queued'),
  );
  assert.ok(dep, d.text);
  const del = await send('DELETE', '/v2/apps/queued');
  assert.equal(del.status, 200, del.text);
  assert.equal(await m.store.get('App', 'queued', 'default'), undefined);
  assert.equal((await send('GET', '/v2/apps/queued')).status, 404);
});

// [caller, method, path, body, status]: the native API's questions (create/get/list apps).
const rbac: [string, string | null, string, string, unknown, number][] = [
  ['no token', null, 'GET', '/v2/apps', undefined, 401],
  ['nobody', MARATHON_TOKENS.nobody, 'GET', '/v2/apps', undefined, 403],
  ['nobody', MARATHON_TOKENS.nobody, 'POST', '/v2/apps', app('/rbac'), 403],
  ['viewer', MARATHON_TOKENS.viewer, 'GET', '/v2/apps', undefined, 200],
  ['viewer', MARATHON_TOKENS.viewer, 'POST', '/v2/apps', app('/rbac'), 403],
  ['viewer', MARATHON_TOKENS.viewer, 'GET', '/v2/apps?embed=apps.tasks', undefined, 403],
  ['viewer', MARATHON_TOKENS.viewer, 'DELETE', '/v2/apps/team/web', undefined, 403],
  ['viewer', MARATHON_TOKENS.viewer, 'GET', '/v2/tasks', undefined, 403],
  ['nobody', MARATHON_TOKENS.nobody, 'GET', '/v2/info', undefined, 403],
  ['no token', null, 'GET', '/ping', undefined, 200],
];
for (const [who, token, method, path, body, status] of rbac) {
  test(`${who}: ${method} ${path} is ${status}, nothing changed`, async () => {
    const before = await storedApps();
    const r = await send(method, path, body, token);
    assert.equal(r.status, status, r.text);
    assert.deepEqual(await storedApps(), before);
  });
}

test('/v2/info, /v2/leader and /ping answer as Marathon does', async () => {
  const info = await send('GET', '/v2/info');
  assert.equal(info.json.name, 'marathon');
  assert.equal(typeof info.json.marathon_config, 'object');
  assert.match(String((await send('GET', '/v2/leader')).json.leader), /^127\.0\.0\.1:\d+$/);
  assert.equal((await send('GET', '/ping', undefined, null)).text, 'pong');
});

test('DELETE /v2/leader (abdication) is refused with the reason; the leader stays', async () => {
  const r = await send('DELETE', '/v2/leader');
  assert.equal(r.status, 405, r.text);
  assert.equal(r.json.message, LEADER_NOT_ABDICATED);
  assert.equal(r.res.headers.get('allow'), 'GET, HEAD');
  assert.match(String((await send('GET', '/v2/leader')).json.leader), /^127\.0\.0\.1:\d+$/);
  // Without a token it is 401, as every Marathon route.
  assert.equal((await send('DELETE', '/v2/leader', undefined, null)).status, 401);
});

test('/v2/events streams api_post_event, deployment_info and app_terminated_event lines', async () => {
  const ac = new AbortController();
  const res = await m.call(
    '/v2/events?event_type=api_post_event&event_type=app_terminated_event&event_type=deployment_info',
    {
      signal: ac.signal,
    },
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.ok(res.body);
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let text = '';
  const want = ['api_post_event', 'deployment_info', 'app_terminated_event'];
  await send('POST', '/v2/apps', app('/evented'));
  await send('DELETE', '/v2/apps/evented');
  const decoder = new TextDecoder();
  while (!want.every((w) => text.includes(`event: ${w}\n`))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  ac.abort();
  const frames = text.split('\n\n').filter((f) => f.startsWith('event: '));
  for (const f of frames) {
    const [event, data] = f.split('\n');
    const body = JSON.parse((data ?? '').replace(/^data: /, '')) as Json;
    assert.equal(`event: ${String(body.eventType)}`, event);
    assert.equal(typeof body.timestamp, 'string');
  }
  const post = frames.find((f) => f.startsWith('event: api_post_event'));
  assert.match(post ?? '', /"appDefinition":\{"id":"\/evented"/);
  assert.ok(
    frames.some(
      (f) => f.includes('"appId":"/evented"') && f.startsWith('event: app_terminated_event'),
    ),
  );
  assert.equal(
    frames.some((f) => f.startsWith('event: event_stream_attached')),
    false,
    'filtered out',
  );
});
