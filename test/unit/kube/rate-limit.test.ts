// The client-side request limit (`mezzo controller --kube-api-qps/--kube-api-burst`): a
// token bucket on a manual clock, and the same bucket in front of real HTTP requests made
// by the store's custom-object client, counted on a real server on loopback.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '../../../src/shared/clock.js';
import { CustomResourceClient } from '../../../src/kube/custom-objects.js';
import { FileCachedKubeConfig } from '../../../src/kube/file-cached-kubeconfig.js';
import {
  BurstWithoutQpsError,
  InvalidRateLimitError,
  RateLimitedKubeConfig,
  TokenBucket,
  afterTurn,
  kubeConfigsFor,
  rateLimitFromFlags,
  type RateLimit,
} from '../../../src/kube/rate-limit.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

// Lets resolved takes (and requests in flight on loopback) run.
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await tick();
}

// Waits (on real time) until `n` requests have reached the server, then lets the rest run.
async function arrivedAt(server: { arrived: () => number }, n: number): Promise<void> {
  for (let i = 0; i < 500 && server.arrived() < n; i++) await new Promise((r) => setTimeout(r, 2));
  await settle();
}

// [qps, burst, takes at once, clock steps (ms) → how many have resolved after each]
const buckets: [number, number, number, [number, number][]][] = [
  [
    10,
    2,
    5,
    [
      [0, 2],
      [99, 2],
      [1, 3],
      [200, 5],
    ],
  ],
  [
    1,
    1,
    3,
    [
      [0, 1],
      [999, 1],
      [1, 2],
      [1000, 3],
    ],
  ],
  [
    1000,
    100,
    150,
    [
      [0, 100],
      [25, 125],
      [25, 150],
    ],
  ],
];

for (const [qps, burst, takes, steps] of buckets) {
  test(`qps ${String(qps)} burst ${String(burst)}: ${String(takes)} takes at once`, async () => {
    const clock = new ManualClock(1_000);
    const bucket = new TokenBucket({ qps, burst }, clock);
    let done = 0;
    for (let i = 0; i < takes; i++) void bucket.take().then(() => done++);
    for (const [ms, expected] of steps) {
      clock.advance(ms);
      await settle();
      assert.equal(done, expected, `after ${String(ms)} ms more`);
    }
  });
}

test('a quiet spell refills the bucket up to the burst, no further', async () => {
  const clock = new ManualClock(0);
  const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
  for (let i = 0; i < 3; i++) await bucket.take();
  clock.advance(60_000);
  let done = 0;
  for (let i = 0; i < 5; i++) void bucket.take().then(() => done++);
  await settle();
  assert.equal(done, 3);
});

const refused: [number, number][] = [
  [0, 1],
  [-1, 5],
  [Number.NaN, 5],
  [5, 0],
  [5, 1.5],
];
for (const [qps, burst] of refused) {
  test(`qps ${String(qps)} burst ${String(burst)} is refused`, () => {
    assert.throws(() => new TokenBucket({ qps, burst }, new ManualClock()), InvalidRateLimitError);
  });
}

/** A loopback server answering every request with one Task, counting what arrived. */
async function taskServer(): Promise<{ port: number; arrived: () => number }> {
  let arrived = 0;
  const server = createServer((_req, res) => {
    arrived++;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'Task',
        metadata: { name: 'x', namespace: 'default', resourceVersion: '1' },
        spec: {},
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, arrived: () => arrived };
}

/** The store's Task client through a kubeconfig limited to `limit` on `clock`. */
function limitedClient(port: number, limit: RateLimit, clock: ManualClock) {
  const kc = new RateLimitedKubeConfig(new TokenBucket(limit, clock), clock);
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${String(port)}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const client = new CustomResourceClient(kc, {
    group: 'mezzo.dev',
    version: 'v1alpha1',
    plural: 'tasks',
    kind: 'Task',
    namespaced: true,
  });
  return { kc, client };
}

test("the store's client waits for the bucket before each request reaches the apiserver", async () => {
  const server = await taskServer();
  const clock = new ManualClock(0);
  const { client } = limitedClient(server.port, { qps: 2, burst: 2 }, clock);
  const gets = Array.from({ length: 5 }, () => client.get('x', 'default'));
  // Requests that got a token reach the server; the rest wait on the clock alone.
  await arrivedAt(server, 2);
  assert.equal(server.arrived(), 2);
  clock.advance(500);
  await arrivedAt(server, 3);
  assert.equal(server.arrived(), 3);
  clock.advance(1000);
  const got = await Promise.all(gets);
  assert.equal(server.arrived(), 5);
  assert.deepEqual(
    got.map((o) => o?.metadata.name),
    ['x', 'x', 'x', 'x', 'x'],
  );
});

// A writer's turn comes before it builds its request: the work runs only once the bucket
// has a token for it, that token pays its first request (no second wait), and a second
// request in the same work waits for a token of its own.
test('afterTurn: the work runs at its turn, its first request paid for', async () => {
  const server = await taskServer();
  const clock = new ManualClock(0);
  const { kc, client } = limitedClient(server.port, { qps: 1, burst: 1 }, clock);
  await client.get('x', 'default'); // the burst is spent
  let started = false;
  const done = afterTurn(kc, async () => {
    started = true;
    await client.get('x', 'default');
    await client.get('x', 'default');
  });
  await settle();
  assert.equal(started, false, 'waits for its turn');
  clock.advance(1000);
  await arrivedAt(server, 2);
  assert.equal(started, true);
  assert.equal(server.arrived(), 2, 'the first request went on the paid token');
  clock.advance(1000);
  await done;
  assert.equal(server.arrived(), 3, 'the second waited for a token of its own');
});

test('afterTurn: a turn its work did not use is spent when the work ends', async () => {
  const server = await taskServer();
  const clock = new ManualClock(0);
  const { kc, client } = limitedClient(server.port, { qps: 1, burst: 1 }, clock);
  // The burst's one token pays a turn whose work sends nothing.
  assert.equal(await afterTurn(kc, () => Promise.resolve('nothing sent')), 'nothing sent');
  const get = client.get('x', 'default');
  await arrivedAt(server, 1);
  assert.equal(server.arrived(), 0, 'the next request waits for the refill');
  clock.advance(1000);
  await get;
  assert.equal(server.arrived(), 1);
});

// Turns are not tied to their work: a request sent meanwhile by anyone uses the open one,
// and the work's own request then waits for a token. Either way one token per request.
test('afterTurn: a request sent while a turn is open uses it; the work pays for its own', async () => {
  const server = await taskServer();
  const clock = new ManualClock(0);
  const { kc, client } = limitedClient(server.port, { qps: 1, burst: 1 }, clock);
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const work = afterTurn(kc, async () => {
    await gate;
    await client.get('x', 'default');
  });
  await settle();
  const other = client.get('x', 'default');
  await arrivedAt(server, 1);
  assert.equal(server.arrived(), 1, "the other request went on the work's turn");
  release();
  await arrivedAt(server, 2);
  assert.equal(server.arrived(), 1, "the work's request waits for a token of its own");
  clock.advance(1000);
  await Promise.all([work, other]);
  assert.equal(server.arrived(), 2);
});

test('afterTurn without a limit runs the work at once', async () => {
  const kc = new KubeConfig();
  assert.equal(await afterTurn(kc, () => Promise.resolve(7)), 7);
});

// [--kube-api-qps, --kube-api-burst, the limit, or the error]
const fromFlags: [number | undefined, number | undefined, RateLimit | undefined | Error][] = [
  [undefined, undefined, undefined],
  [50, 100, { qps: 50, burst: 100 }],
  [50, undefined, { qps: 50, burst: 50 }],
  [0.5, undefined, { qps: 0.5, burst: 1 }],
  [undefined, 100, new BurstWithoutQpsError(100)],
  [50, 2.5, new InvalidRateLimitError({ qps: 50, burst: 2.5 })],
  [Number.POSITIVE_INFINITY, 10, new InvalidRateLimitError({ qps: Infinity, burst: 10 })],
];

for (const [qps, burst, expected] of fromFlags) {
  test(`--kube-api-qps ${String(qps)} --kube-api-burst ${String(burst)}`, () => {
    if (expected instanceof Error)
      assert.throws(() => rateLimitFromFlags(qps, burst), {
        name: expected.name,
        message: expected.message,
      });
    else assert.deepEqual(rateLimitFromFlags(qps, burst), expected);
  });
}

// A kubeconfig that names a server no test sends to.
const kcOptions = {
  clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
  users: [{ name: 'u', token: 't' }],
  contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
};

test('each named client has a bucket of its own, so a backlog on one never holds another', async () => {
  const clock = new ManualClock();
  const loaded: string[] = [];
  const kcs = kubeConfigsFor(['store', 'lease'], { qps: 1, burst: 1 }, clock, (kc) => {
    kc.loadFromOptions({ ...kcOptions, currentContext: 'c' });
    loaded.push(kc.getCurrentContext());
  });
  assert.deepEqual(loaded, ['c', 'c'], 'each was loaded');
  const [store, lease] = [kcs.store, kcs.lease];
  assert.ok(store instanceof RateLimitedKubeConfig && lease instanceof RateLimitedKubeConfig);
  // The store spends its one token and queues 64 writes: 64 s of backlog at 1 QPS.
  await store.bucket.take();
  let storeServed = 0;
  for (let i = 0; i < 64; i++) void store.bucket.take().then(() => storeServed++);
  let renewed = false;
  void lease.bucket.take().then(() => (renewed = true));
  await settle();
  assert.equal(renewed, true, 'the lease renewal went at once, on its own token');
  assert.equal(storeServed, 0, 'the store still waits');
  clock.advance(64_000);
  await settle();
  assert.equal(storeServed, 64);
});

test('without a limit the named clients are not limited (and still cache their files)', () => {
  const kcs = kubeConfigsFor(['store', 'auth'], undefined, new ManualClock(), (kc) =>
    kc.loadFromOptions({ ...kcOptions, currentContext: 'c' }),
  );
  assert.equal(kcs.store instanceof RateLimitedKubeConfig, false);
  assert.ok(kcs.store instanceof FileCachedKubeConfig);
  assert.equal(kcs.auth.getCurrentContext(), 'c');
  assert.notEqual(kcs.store, kcs.auth);
});
