// The controller's HTTP API contract on a real controller, agent, task and framework:
// every route answers valid input with a 2xx, and each kind of bad request with its own
// 4xx and the one error body; the CLI prints the message of that body, not JSON. And
// what a standby replica answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { MEZZO_BIN } from '../../support/dev-process.js';
import { startStandbyHttp } from '../../../src/controller/http/standby.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import {
  fetchAnswer,
  rawRequest,
  startFuzzCluster,
  type Answer,
  type FuzzCluster,
} from '../fuzz/support.js';
import { until } from './support.js';
import { testAccess } from '../../support/auth.js';

let c: FuzzCluster;
before(async () => {
  c = await startFuzzCluster('api');
});
after(async () => {
  await c.stop();
});

/**
 * Runs the CLI against the in-process controller (asynchronously: a blocking spawn would
 * stop the controller that has to answer it).
 */
function mezzo(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MEZZO_BIN, ...args, '--server', c.http], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function errorOf(a: Answer): ErrorBody['error'] {
  assert.match(a.contentType, /^application\/json/);
  return (JSON.parse(a.body) as ErrorBody).error;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

test('every read route answers 200', async () => {
  for (const [path, type] of [
    ['/metrics', /^text\/plain/],
    ['/healthz', /^text\/plain/],
    ['/readyz', /^text\/plain/],
    ['/state', /^application\/json/],
    ['/', /^text\/html/],
    ['/objects?kind=App', /^application\/json/],
    [`/logs?task=${c.taskId}&file=stderr&offset=0`, /^application\/json/],
  ] as const) {
    const a = await fetchAnswer(`${c.http}${path}`);
    assert.equal(a.status, 200, `${path}: ${a.body}`);
    assert.match(a.contentType, type, path);
  }
  const apps = JSON.parse((await fetchAnswer(`${c.http}/objects?kind=App`)).body) as {
    metadata: { name: string };
  }[];
  assert.deepEqual(
    apps.map((o) => o.metadata.name),
    ['fuzz-web'],
  );
});

test('each kind of bad request gets its status and the error body', async () => {
  const wrongMethod = await fetchAnswer(`${c.http}/state`, { method: 'POST' });
  assert.equal(wrongMethod.status, 405);
  assert.equal(errorOf(wrongMethod).code, 'METHOD_NOT_ALLOWED');
  const noRoute = await fetchAnswer(`${c.http}/nowhere`);
  assert.equal(noRoute.status, 404);
  assert.equal(errorOf(noRoute).message, 'no route GET /nowhere');

  const text = await fetchAnswer(`${c.http}/apply`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '[]',
  });
  assert.equal(text.status, 415);
  assert.equal(errorOf(text).message, 'request body must be application/json, not text/plain');
  // 4 MiB is the /apply limit: one byte over it is refused before it is parsed.
  const huge = await fetchAnswer(`${c.http}/apply`, json(['x'.repeat(4 * 1024 * 1024)]));
  assert.equal(huge.status, 413);
  assert.deepEqual(errorOf(huge).details, { limit: 4 * 1024 * 1024 });
  const badJson = await fetchAnswer(`${c.http}/apply`, { ...json(null), body: '[{' });
  assert.equal(badJson.status, 400);
  const shape = await fetchAnswer(
    `${c.http}/apply`,
    json([{ apiVersion: 1, kind: 'Task', metadata: { name: 'x' } }]),
  );
  assert.equal(shape.status, 400);
  assert.equal(errorOf(shape).message, 'body[0].apiVersion: must be string');

  const kind = await fetchAnswer(`${c.http}/objects?kind=Agent&name=x`, { method: 'DELETE' });
  assert.equal(kind.status, 400);
  assert.equal(errorOf(kind).message, 'querystring.kind: must be one of Task, App, Schedule, Role');
  const traversal = await fetchAnswer(`${c.http}/logs?task=${c.taskId}&file=../../etc/shadow`);
  assert.equal(traversal.status, 400);
  assert.equal(errorOf(traversal).message, 'querystring.file: must be one of stdout, stderr');
  const extra = await fetchAnswer(`${c.http}/kill?task=${c.taskId}&force=1`, { method: 'POST' });
  assert.equal(extra.status, 400);
  assert.equal(errorOf(extra).message, 'querystring.force: is not a known field');
  assert.equal(c.controller.core.tasks.get(c.taskId)?.state, 'TASK_RUNNING');
});

test('apply: accepted objects are applied, rejected ones listed in a 422', async () => {
  const ok = {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Role',
    metadata: { name: 'api-role' },
    spec: { weight: 3 },
  };
  const bad = {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Task',
    metadata: { name: 'api-nocmd' },
    spec: { resources: { cpus: 1, mem: '64Mi' } },
  };
  const a = await fetchAnswer(`${c.http}/apply`, json([ok, bad]));
  assert.equal(a.status, 422);
  const e = errorOf(a);
  assert.equal(e.code, 'OBJECTS_REJECTED');
  assert.match(e.message, /^1 of 2 objects rejected: Task\/api-nocmd: spec: /);
  const results = e.details?.results as { ok: boolean; object: string }[];
  assert.deepEqual(
    results.map((r) => [r.object, r.ok]),
    [
      ['Role/api-role', true],
      ['Task/api-nocmd', false],
    ],
  );
  assert.ok(await c.store.get('Role', 'api-role'));
  assert.equal(await c.store.get('Task', 'api-nocmd', 'default'), undefined);
});

test('annotate, delete and kill: success, then the 404 and 409 that follow', async () => {
  const annotate = (name: string, body: unknown) =>
    fetchAnswer(`${c.http}/annotate?kind=App&name=${name}&namespace=default`, json(body));
  const added = await annotate('fuzz-web', { 'mezzo.dev/note': 'hi' });
  assert.equal(added.status, 200, added.body);
  const app = await c.store.get('App', 'fuzz-web', 'default');
  assert.equal(app?.metadata.annotations?.['mezzo.dev/note'], 'hi');
  assert.equal((await annotate('fuzz-web', { 'mezzo.dev/note': 5 })).status, 400);
  assert.equal((await annotate('no-such-app', { a: 'b' })).status, 404);

  const del = () =>
    fetchAnswer(`${c.http}/objects?kind=Schedule&name=fuzz-nightly`, { method: 'DELETE' });
  assert.equal((await del()).status, 200);
  const again = await del();
  assert.equal(again.status, 404);
  assert.equal(errorOf(again).message, 'Schedule/fuzz-nightly not found');
  const cli = await mezzo('delete', 'schedule', 'fuzz-nightly');
  assert.equal(cli.status, 1);
  assert.equal(cli.stderr, 'mezzo: Schedule/fuzz-nightly not found\n');

  const kill = () => fetchAnswer(`${c.http}/kill?task=${c.taskId}`, { method: 'POST' });
  assert.equal((await kill()).status, 200);
  await until(
    () => c.controller.core.tasks.get(c.taskId)?.state === 'TASK_KILLED',
    15_000,
    'the task to be killed',
  );
  const late = await kill();
  assert.equal(late.status, 409);
  assert.equal(errorOf(late).message, `task ${c.taskId} has already ended (TASK_KILLED)`);
  const cliKill = await mezzo('kill', c.taskId);
  assert.equal(cliKill.status, 1);
  assert.equal(cliKill.stderr, `mezzo: task ${c.taskId} has already ended (TASK_KILLED)\n`);
});

test('a standby answers health, names the leader, and refuses the rest with 503', async () => {
  const { server, port } = await startStandbyHttp(
    { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'controller' },
    testAccess,
    '127.0.0.1',
    0,
    () => '10.0.0.7:5050',
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetchAnswer(`${base}/healthz`)).body, 'standby\n');
    assert.deepEqual(JSON.parse((await fetchAnswer(`${base}/state`)).body), {
      role: 'standby',
      leader: '10.0.0.7:5050',
    });
    const apply = await fetchAnswer(`${base}/apply`, json([]));
    assert.equal(apply.status, 503);
    assert.equal(
      errorOf(apply).message,
      'this controller is a standby; the leader serves at 10.0.0.7:5050',
    );
    // The request line that took the standby down too (the same `new URL` as the leader).
    const raw = await rawRequest(port, 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(raw?.status, 400);
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
