// A Mesos HTTP scheduler is paced as a gRPC one is: by its principal's scheduler-call pace,
// not by the HTTP guard's per-user request rate (which would hold it to less). Every other
// route keeps that rate. Here the guard allows 2 requests a second (5 at once) and the
// scheduler-call pace 1,000 (2,000 at once). Real controller guarded as `mezzo dev` guards
// it, the Mesos HTTP API on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { post } from '../../support/mesos-http.js';
import { mesosFramework, startGuarded, TOKENS, type GuardedController } from './support.js';

let c: GuardedController;
const closers: (() => void)[] = [];

before(async () => {
  c = await startGuarded(
    undefined,
    '',
    { ratePerSecond: 1_000, burst: 2_000 },
    { ratePerSecond: 2, burst: 5 },
  );
});
after(async () => {
  for (const close of closers) close();
  await c.stop();
});

const auth = `Basic ${Buffer.from(`mallory:${TOKENS.mallory}`).toString('base64')}`;

test('30 scheduler calls at once pass a guard that allows 5 requests at once', async () => {
  // Mallory may register frameworks in the role mesos-flood (the tests' policy).
  const fw = await mesosFramework(c, auth, 'mesos-flood', closers);
  // 30 REVIVEs: 30 tokens of the 2,000 the pace allows at once; the guard's 5 would
  // refuse 25 of them.
  const answers = await fw.revives(30);
  assert.deepEqual(
    answers.map((a) => a.status),
    Array.from({ length: 30 }, () => 202),
  );
});

test('other routes keep the per-user rate: 429 past 5 at once', async () => {
  // The Mesos operator API, the same user: 10 at once against a burst of 5 (2 a second).
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      post(`${c.http}/api/v1`, Buffer.from(JSON.stringify({ type: 'GET_HEALTH' })), {
        'content-type': 'application/json',
        authorization: auth,
      }),
    ),
  );
  const tooMany = answers.filter((a) => a.status === 429);
  assert.ok(tooMany.length >= 4, `429s: ${String(tooMany.length)}`);
  for (const a of tooMany) assert.match(a.body, /user "mallory" sent more requests than allowed/);
});
