// An agent's Task status patch against a server on loopback that refuses for load (429, as
// kube-apiserver does past its in-flight limit): the refusal comes back as a
// ThrottledError with the server's Retry-After, so the writer waits that long instead of
// adding to the load after 100 ms; anything else is thrown as it came.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock } from '../../../src/shared/clock.js';
import { ThrottledError } from '../../../src/shared/errors.js';
import { retryAfterMs, taskStatusPatcher } from '../../../src/kube/task-status-patch.js';

let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
    answer(req, res);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());

const patch = taskStatusPatcher((kc) => {
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
        // Plain HTTP on loopback: the client refuses it unless TLS checks are off.
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 'agent-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
}, new SystemClock());

test('a 429 with Retry-After is a ThrottledError asking for that wait', async () => {
  answer = (_req, res) => {
    res.writeHead(429, { 'retry-after': '3', 'content-type': 'text/plain' });
    res.end('Too many requests, please try again later.\n');
  };
  await assert.rejects(patch('team', 'web', { state: 'TASK_RUNNING' }), (err: unknown) => {
    assert.ok(err instanceof ThrottledError);
    assert.equal(err.retryAfterMs, 3_000);
    return true;
  });
  const last = seen.at(-1);
  assert.ok(last);
  assert.equal(last.method, 'PATCH');
  assert.equal(last.url, '/apis/mezzo.dev/v1alpha1/namespaces/team/tasks/web/status');
  assert.equal(last.type, 'application/merge-patch+json');
  assert.deepEqual(JSON.parse(last.body), { status: { state: 'TASK_RUNNING' } });
});

test('any other refusal is thrown as it came, not as a throttle', async () => {
  answer = (_req, res) => {
    res.writeHead(422, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 422, message: 'denied' }));
  };
  await assert.rejects(patch('team', 'web', { state: 'TASK_RUNNING' }), (err: unknown) => {
    assert.ok(!(err instanceof ThrottledError));
    return true;
  });
});

// [Retry-After header, wait in ms]
const cases: [Record<string, string> | undefined, number][] = [
  [{ 'retry-after': '1' }, 1_000],
  [{ 'retry-after': ' 2 ' }, 2_000],
  [{ 'retry-after': '0' }, 0],
  [{ 'retry-after': '3600' }, 60_000], // capped: the writer gives up long before
  [{ 'retry-after': 'Fri, 04 Dec 2026 20:57:20 GMT' }, 1_000], // a date: the default
  [{ 'retry-after': '-5' }, 1_000],
  [{ 'retry-after': '1e9' }, 1_000],
  [{}, 1_000],
  [undefined, 1_000],
];
for (const [headers, ms] of cases) {
  test(`Retry-After ${JSON.stringify(headers)}: wait ${String(ms)} ms`, () => {
    assert.equal(retryAfterMs(headers), ms);
  });
}
