// The Marathon routes under random and hostile input (as test/integration/fuzz does for
// the native routes): near-valid app definitions (Marathon's fields with values of any
// type), random bodies and content types, random query strings, on every /v2 route. The
// oracle: every answer is a 2xx or a 4xx with an error message (Marathon's shape, or
// Mezzo's where the guard or the router answers), the controller counts no internal
// error, and a refused request leaves the stored Apps as they were.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bodyArb, queryArb } from '../fuzz/http-arbitraries.js';
import { fuzzOptions } from '../fuzz/support.js';
import { startMarathonController, type MarathonController } from './marathon-support.js';

let m: MarathonController;
before(async () => {
  m = await startMarathonController();
  await m.call('/v2/apps', {
    method: 'POST',
    body: JSON.stringify({ id: '/fixture/app', cmd: 'sleep 1', instances: 1 }),
  });
});
after(() => m.stop());

const FIELDS = [
  'cmd',
  'args',
  'cpus',
  'mem',
  'disk',
  'instances',
  'env',
  'labels',
  'constraints',
  'portDefinitions',
  'ports',
  'healthChecks',
  'upgradeStrategy',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'fetch',
  'uris',
  'container',
  'version',
  'taskKillGracePeriodSeconds',
  'killSelection',
  'acceptedResourceRoles',
];

const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    [['hostname', 'UNIQUE']],
    [['hostname', 'MAX_PER', 'x']],
    [{ protocol: 'HTTP', portIndex: 5 }],
    [{ port: 70000 }],
    'sleep 1',
    ['sleep', '1'],
    -1,
    1e308,
    0,
  ),
);

/** An app definition close to valid: an id of any shape, some fields with any values. */
const definitionArb = fc.record(
  {
    id: fc.oneof(fc.constantFrom('/fuzz/a', '/fixture/app', '/A', '/a.b', '', '/'), fc.string()),
    ...Object.fromEntries(FIELDS.map((f) => [f, valueArb])),
  },
  { requiredKeys: [] },
);

const ROUTES: [string, string][] = [
  ['GET', '/v2/apps'],
  ['POST', '/v2/apps'],
  ['PUT', '/v2/apps'],
  ['PATCH', '/v2/apps'],
  ['GET', '/v2/apps/fixture/app'],
  ['PUT', '/v2/apps/fixture/app'],
  ['PATCH', '/v2/apps/fixture/app'],
  ['DELETE', '/v2/apps/nope'],
  ['POST', '/v2/apps/fixture/app/restart'],
  ['GET', '/v2/apps/fixture/app/tasks'],
  ['DELETE', '/v2/apps/fixture/app/tasks'],
  ['GET', '/v2/apps/fixture/app/versions'],
  ['GET', '/v2/tasks'],
  ['POST', '/v2/tasks/delete'],
  ['GET', '/v2/deployments'],
  ['DELETE', '/v2/deployments/x'],
  ['GET', '/v2/queue'],
  ['GET', '/v2/info'],
];

async function internalErrors(): Promise<number> {
  const text = await (await m.call('/metrics')).text();
  return [...text.matchAll(/^mezzo_internal_errors_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, x) => sum + Number(x[1]),
    0,
  );
}

async function snapshot(): Promise<string> {
  const apps = await m.store.list('App');
  return JSON.stringify(apps.map((a) => [a.metadata.name, a.metadata.resourceVersion]));
}

test('Marathon routes: random definitions, bodies and queries get a 2xx or a 4xx and change nothing when refused', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      queryArb,
      fc.oneof(
        definitionArb.map((d) => ({ body: JSON.stringify(d), contentType: 'application/json' })),
        definitionArb.map((d) => ({ body: JSON.stringify([d]), contentType: 'application/json' })),
        bodyArb,
      ),
      async ([method, path], query, { body, contentType }) => {
        const before = await snapshot();
        const url = `${path}?${new URLSearchParams(query).toString()}`;
        const hasBody = body !== undefined && method !== 'GET';
        const res = await m.call(url, {
          method,
          ...(hasBody ? { body } : {}),
          headers: { 'content-type': contentType ?? 'application/json' },
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${method} ${url.slice(0, 200)} ${(body ?? '').slice(0, 300)}`;
        assert.ok(res.status >= 200 && res.status < 500, `${what}: ${res.status} ${text}`);
        if (res.status < 400) return;
        const e = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
        assert.equal(typeof (e.message ?? e.error?.message), 'string', `${what}: ${text}`);
        assert.equal(await snapshot(), before, `${what}: refused, yet the Apps changed`);
      },
    ),
    fuzzOptions(300),
  );
  assert.equal(await internalErrors(), 0, 'internal errors counted');
  assert.ok((statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
  assert.ok((statuses.get(422) ?? 0) > 0, JSON.stringify([...statuses]));
});
