// POST /apply on a real controller (loopback, embedded store): a body that is not a JSON
// list of objects is a 400 with a reason, and each rejected object comes back with the
// same per-field lines as `mezzo apply` and `kubectl apply` print, the store unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/cleanup.js';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { authHeader, testAccess } from '../../support/auth.js';

const dir = tempDir('mezzo-http-apply-');
const store = new EmbeddedStore(join(dir, 'state.json'), new SystemClock());
const controller = new Controller({
  clock: new SystemClock(),
  logger: silentLogger(),
  metrics: new MetricsRegistry(),
  store,
  access: testAccess,
  host: '127.0.0.1',
  grpcPort: 0,
  httpPort: 0,
});
before(() => controller.start());
after(async () => {
  await controller.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${controller.httpPort}/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader() },
    body,
  });
  return { status: res.status, json: await res.json() };
}

// Each: the body, the error code and the reason the 400 gives. The first three answered
// `{"error":"objs is not iterable"}` before.
const bad: [string, string, RegExp][] = [
  ['{}', 'INVALID_ARGUMENT', /^body: must be array$/],
  ['null', 'INVALID_ARGUMENT', /^body: must be array$/],
  ['"x"', 'INVALID_ARGUMENT', /^body: must be array$/],
  ['[1]', 'INVALID_ARGUMENT', /^body\[0\]: must be object$/],
  ['[{', 'BAD_REQUEST', /not valid JSON/],
];
for (const [body, code, why] of bad) {
  test(`POST /apply ${body}: 400, ${String(why)}`, async () => {
    const r = await post(body);
    assert.equal(r.status, 400);
    const e = (r.json as { error: { code: string; message: string } }).error;
    assert.equal(e.code, code);
    assert.match(e.message, why);
  });
}

test('POST /apply: a rejected object gets 422 with its per-field lines; nothing is stored', async () => {
  const r = await post(
    JSON.stringify([
      {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'Schedule',
        metadata: { name: 'fast' },
        spec: { schedule: 'R/2026-01-01T00:00:00Z/PT0.001S', command: 'true' },
      },
    ]),
  );
  assert.equal(r.status, 422);
  const e = (r.json as { error: { code: string; details: { results: unknown } } }).error;
  assert.equal(e.code, 'OBJECTS_REJECTED');
  assert.deepEqual(e.details.results, [
    {
      ok: false,
      object: 'Schedule/fast',
      error: `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
      errors: [
        `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
      ],
    },
  ]);
  assert.deepEqual(await store.list('Schedule'), []);
});
