// The HTTP fuzz test (issue 12): every route of a real controller and of a real agent is
// driven with random and hostile input — malformed request lines, URLs, headers and
// chunked bodies over raw TCP; random query strings, bodies and content types through
// fetch. The oracle: the process keeps serving; every answer is a 2xx or a 4xx with the
// error body (never a 5xx, never an internal error counted); a rejected request changes
// no state (stored objects and the live tasks, frameworks and agents compared before
// and after). Then `mezzo dev` as a real process gets the raw corpus on both its ports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { devPrerequisite, spawnDev } from '../../support/dev-process.js';
import { bodyArb, queryArb, rawRequestArb } from './http-arbitraries.js';
import { testCgroupRoot } from '../../support/cleanup.js';
import {
  assertAnswer,
  assertSameState,
  fetchAnswer,
  fingerprint,
  fuzzOptions,
  rawRequest,
  startFuzzCluster,
  type Answer,
  type FuzzCluster,
} from './support.js';
import { authHeader } from '../../support/auth.js';

let c: FuzzCluster;
before(async () => {
  c = await startFuzzCluster('http');
});
after(async () => {
  await c.stop();
});

/** The request lines that took `mezzo dev` down before the HTTP layer (issue 12). */
const KNOWN_CRASHERS = [
  'GET // HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n',
];

/** `mezzo_internal_errors_total` summed over its series in an exposition (0 when absent). */
async function internalErrors(port: number): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${port}/metrics`, { headers: authHeader() })
  ).text();
  return [...text.matchAll(/^mezzo_internal_errors_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

function controllerPort(): number {
  return Number(new URL(c.http).port);
}

test('controller: hostile raw requests are answered 4xx (or 2xx) and change nothing', async () => {
  const before = await fingerprint(c);
  let unanswered = 0;
  for (const r of KNOWN_CRASHERS) {
    const a = await rawRequest(controllerPort(), r);
    assert.ok(a, `no answer to ${JSON.stringify(r)}`);
    // 400 for the URLs that do not parse; `//` (no such route) carries no token: 401.
    assert.ok([400, 401].includes(a.status), `${JSON.stringify(r)}: ${a.status} ${a.body}`);
    assertAnswer(a, JSON.stringify(r));
  }
  await fc.assert(
    fc.asyncProperty(rawRequestArb, async (r) => {
      const a = await rawRequest(controllerPort(), r);
      if (!a) unanswered++;
      else assertAnswer(a, JSON.stringify(r.slice(0, 300)));
    }),
    fuzzOptions(150),
  );
  assertSameState(before, await fingerprint(c), 'a raw request');
  assert.equal((await fetchAnswer(`${c.http}/healthz`)).status, 200);
  assert.equal(await internalErrors(controllerPort()), 0, 'internal errors counted');
  // The parser answers what it can; only a request cut off mid-way may go unanswered.
  assert.ok(unanswered <= 15, `${unanswered} raw requests got no answer at all`);
});

/** The controller's routes, and methods they do not serve. */
const ROUTES: [string, string][] = [
  ['GET', '/metrics'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/state'],
  ['GET', '/objects'],
  ['DELETE', '/objects'],
  ['POST', '/annotate'],
  ['POST', '/apply'],
  ['GET', '/logs'],
  ['POST', '/kill'],
  ['GET', '/'],
  ['PUT', '/apply'],
  ['PATCH', '/objects'],
  ['OPTIONS', '/state'],
  ['HEAD', '/state'],
  ['POST', '/nowhere'],
];

/** Keys of the objects an /apply answer says were accepted, as {@link fingerprint} names them. */
function acceptedKeys(body: string | undefined, a: Answer): Set<string> {
  const keys = new Set<string>();
  if (a.status !== 200 && a.status !== 422) return keys;
  const parsed = JSON.parse(a.body) as unknown;
  const results = (
    Array.isArray(parsed)
      ? parsed
      : (parsed as { error?: { details?: { results?: unknown[] } } }).error?.details?.results
  ) as { ok: boolean }[] | undefined;
  const sent = JSON.parse(body ?? '[]') as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
  }[];
  results?.forEach((r, i) => {
    const o = sent[i];
    if (!r.ok || !o) return;
    const ns = o.kind === 'Role' || o.kind === 'Agent' ? '' : (o.metadata?.namespace ?? 'default');
    keys.add(`${o.kind ?? ''}/${ns}/${o.metadata?.name ?? ''}`);
  });
  return keys;
}

test('controller: every route with random query strings, bodies and content types', async () => {
  let state = await fingerprint(c);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      queryArb.filter((q) => q.every(([, v]) => !c.reserved.has(v))),
      bodyArb,
      async ([method, path], query, { body, contentType }) => {
        const url = `${c.http}${path}?${new URLSearchParams(query).toString()}`;
        const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        const a = await fetchAnswer(url, {
          method,
          ...(hasBody ? { body } : {}),
          headers: contentType ? { 'content-type': contentType } : {},
        });
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const what = `${method} ${url.slice(0, 200)} ${contentType ?? ''} ${(body ?? '').slice(0, 200)}`;
        assertAnswer(a, what);
        const now = await fingerprint(c);
        if (a.status < 300 && path !== '/apply') {
          // A valid request: it may change what it names (none of the fixtures: the
          // generators never name them).
          state = now;
          return;
        }
        const changed = path === '/apply' && hasBody ? acceptedKeys(body, a) : new Set<string>();
        assertSameState(state, now, what, changed);
        state = now;
      },
    ),
    fuzzOptions(300),
  );
  assert.equal(await internalErrors(controllerPort()), 0, 'internal errors counted');
  // The run reached past the schemas: some requests were valid, most were refused.
  assert.ok((statuses.get(200) ?? 0) > 0, `statuses: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(400) ?? 0) > 0, `statuses: ${JSON.stringify([...statuses])}`);
});

test('controller: /logs of the running task with random files and offsets reads or refuses', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.constantFrom('stdout', 'stderr', '../../etc/shadow', 'stdout/../../x'),
        fc.string(),
      ),
      fc.oneof(fc.nat().map(String), fc.constantFrom('-1', '1e3', '999999999999999', 'x')),
      async (file, offset) => {
        const q = new URLSearchParams({ task: c.taskId, file, offset });
        const a = await fetchAnswer(`${c.http}/logs?${q.toString()}`);
        assertAnswer(a, q.toString());
        const valid = ['stdout', 'stderr'].includes(file) && /^[0-9]{1,15}$/.test(offset);
        assert.equal(a.status, valid ? 200 : 400, `${q.toString()}: ${a.body}`);
      },
    ),
    fuzzOptions(60),
  );
});

test('agent: hostile raw requests and random routes are answered 4xx (or 2xx)', async () => {
  for (const r of KNOWN_CRASHERS) {
    const a = await rawRequest(c.agentPort, r);
    assert.ok(a, `no answer to ${JSON.stringify(r)}`);
    assertAnswer(a, `agent ${JSON.stringify(r)}`);
  }
  await fc.assert(
    fc.asyncProperty(rawRequestArb, async (r) => {
      const a = await rawRequest(c.agentPort, r);
      if (a) assertAnswer(a, `agent ${JSON.stringify(r.slice(0, 300))}`);
    }),
    fuzzOptions(100),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'),
      fc.constantFrom('/metrics', '/healthz', '/state', '/', '/logs', '/x'),
      queryArb,
      async (method, path, query) => {
        const url = `http://127.0.0.1:${c.agentPort}${path}?${new URLSearchParams(query).toString()}`;
        assertAnswer(await fetchAnswer(url, { method }), `agent ${method} ${url}`);
      },
    ),
    fuzzOptions(100),
  );
  const health = await fetchAnswer(`http://127.0.0.1:${c.agentPort}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((JSON.parse(health.body) as { registered: boolean }).registered, true);
  assert.equal(await internalErrors(c.agentPort), 0, 'agent internal errors counted');
  assert.equal(c.controller.core.tasks.get(c.taskId)?.state, 'TASK_RUNNING');
});

test('mezzo dev survives the raw corpus on its controller and agent ports', async (t) => {
  if (!devPrerequisite(t)) return;
  const cgroupRoot = testCgroupRoot('fuzzdev');
  const dev = await spawnDev({ cgroupRoot });
  try {
    let agentAddress = '';
    for (let i = 0; !agentAddress; i++) {
      assert.ok(i < 200, `mezzo dev did not come up: ${dev.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      const agents = (await dev
        .fetch('/objects?kind=Agent')
        .then((r) => r.json())
        .catch(() => [])) as { status?: { address?: string } }[];
      agentAddress = agents[0]?.status?.address ?? '';
    }
    const agentPort = Number(agentAddress.split(':').pop());
    const corpus = [
      ...KNOWN_CRASHERS,
      ...fc.sample(rawRequestArb, { seed: fuzzOptions(1).seed, numRuns: 60 }),
    ];
    for (const port of [dev.port, agentPort]) {
      for (const r of corpus) {
        const a = await rawRequest(port, r);
        if (a) assertAnswer(a, `mezzo dev :${port} ${JSON.stringify(r.slice(0, 200))}`);
        assert.equal(
          dev.process.exitCode,
          null,
          `mezzo dev exited after ${JSON.stringify(r)}:\n${dev.output.slice(-2000)}`,
        );
      }
    }
    assert.equal((await fetchAnswer(`${dev.server}/healthz`)).status, 200);
    assert.equal((await fetchAnswer(`http://127.0.0.1:${agentPort}/healthz`)).status, 200);
  } finally {
    dev.process.kill('SIGTERM');
    await dev.exited;
    await cleanCgroupTrees(cgroupRoot);
    rmSync(dev.workDir, { recursive: true, force: true });
  }
});
