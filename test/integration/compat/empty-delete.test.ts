// Clients that send `Content-Type: application/json` with every request, marathon-python
// among them, send it on a DELETE with an empty body. On the controller's routes an empty
// DELETE body is no body; a DELETE with a body that is not JSON, or a POST with an empty
// JSON body, is still refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startController } from '../controller/support.js';
import { authHeader } from '../../support/auth.js';

test('an empty DELETE body with a JSON content type is no body', async (t) => {
  const { controller } = await startController();
  t.after(() => controller.stop());
  const base = `http://127.0.0.1:${String(controller.httpPort)}`;
  const json = { ...authHeader(), 'content-type': 'application/json' };
  const cases: { what: string; method: string; path: string; body: string; status: number }[] = [
    // Native route: the App does not exist (404), the request itself is fine.
    {
      what: 'native DELETE, empty body',
      method: 'DELETE',
      path: '/objects?kind=App&name=nope',
      body: '',
      status: 404,
    },
    {
      what: 'native DELETE, a body that is not JSON',
      method: 'DELETE',
      path: '/objects?kind=App&name=nope',
      body: '{',
      status: 400,
    },
    { what: 'native POST, empty body', method: 'POST', path: '/objects', body: '', status: 400 },
    // Marathon's and Chronos' routes, as marathon-python and chronos-python call them.
    {
      what: 'Marathon DELETE, empty body',
      method: 'DELETE',
      path: '/v2/apps/nope',
      body: '',
      status: 404,
    },
    {
      what: 'Chronos DELETE, empty body',
      method: 'DELETE',
      path: '/v1/scheduler/job/nope',
      body: '',
      status: 404,
    },
  ];
  for (const c of cases) {
    const res = await fetch(`${base}${c.path}`, {
      method: c.method,
      headers: { ...json, 'content-length': String(Buffer.byteLength(c.body)) },
      body: c.body,
    });
    const text = await res.text();
    assert.equal(res.status, c.status, `${c.what}: ${text}`);
  }
});
