// One caller past its request rate gets 429 with Retry-After; another caller, and the
// health probes, are not affected (real controller on loopback).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { accessFromFlags } from '../../../src/auth/access-from-flags.js';
import { tempDir } from '../../support/cleanup.js';
import { authHeader, writeTestTokenFile } from '../../support/auth.js';
import { writeFileSync } from 'node:fs';

const dir = tempDir('mezzo-rate-');
const store = new EmbeddedStore(join(dir, 'state.json'), new SystemClock());
const other = 'second-caller-token';
let controller: Controller;

before(async () => {
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, `${other},other,7,"system:masters"\n`);
  controller = new Controller({
    clock: new SystemClock(),
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access: await accessFromFlags({ tokenFile: writeTestTokenFile(dir), staticTokens: tokens }),
    // Slow refill: the test makes its requests well within one token's time.
    httpRateLimit: { ratePerSecond: 0.01, burst: 5 },
    grpcPort: 0,
    httpPort: 0,
  });
  await controller.start();
});
after(async () => {
  await controller.stop();
  await store.close();
});

test('past its burst a caller gets 429 with Retry-After; others and probes go on', async () => {
  const get = (path: string, token?: string) =>
    fetch(`http://127.0.0.1:${controller.httpPort}${path}`, {
      headers: token ? authHeader(token) : {},
    });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++)
    statuses.push((await get('/state', authHeader().authorization.slice(7))).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await get('/state', authHeader().authorization.slice(7));
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  const body = (await limited.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'TOO_MANY_REQUESTS');
  assert.match(body.error.message, /user "mezzo:dev-admin" sent more requests than allowed/);
  assert.equal((await get('/state', other)).status, 200);
  assert.equal((await get('/healthz')).status, 200);
});
