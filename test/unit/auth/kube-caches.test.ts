import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { TtlCache } from '../../../src/auth/ttl-cache.js';
import {
  KubeAuthenticator,
  type TokenReviewOutcome,
} from '../../../src/auth/kube-authenticator.js';
import {
  KubeAuthorizer,
  accessReviewSpec,
  type AccessReviewOutcome,
} from '../../../src/auth/kube-authorizer.js';
import type { AccessRequest, Principal } from '../../../src/auth/types.js';

const alice: Principal = {
  username: 'system:serviceaccount:team-a:batch',
  uid: 'u-1',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a'],
  extra: { 'authentication.kubernetes.io/node-name': ['node-1'] },
};

async function counter(metrics: MetricsRegistry, name: string, result: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels.result === result)?.value ?? 0;
}

test('TtlCache: an entry lives for its TTL, then is gone', () => {
  const clock = new ManualClock(1000);
  const c = new TtlCache<string>(clock, 4);
  c.set('k', 'v', 100);
  // t=1099: 1 ms before expiry (set at 1000 + 100).
  clock.advance(99);
  assert.deepEqual(c.get('k'), { hit: true, value: 'v' });
  clock.advance(1);
  assert.deepEqual(c.get('k'), { hit: false });
  assert.equal(c.size, 0);
});

test('TtlCache: full, it drops the least recently used entry; TTL 0 stores nothing', () => {
  const clock = new ManualClock();
  const c = new TtlCache<number>(clock, 2);
  c.set('a', 1, 1000);
  c.set('b', 2, 1000);
  assert.equal(c.get('a').hit, true); // a is now the most recently used
  c.set('c', 3, 1000); // evicts b
  assert.deepEqual([c.get('a').hit, c.get('b').hit, c.get('c').hit], [true, false, true]);
  c.set('z', 9, 0);
  assert.equal(c.get('z').hit, false);
  assert.throws(() => new TtlCache(clock, 0), RangeError);
});

// [what the apiserver answers, ms until asked again, seconds later still cached?]
const authnCases: [string, TokenReviewOutcome, number][] = [
  ['accepted token', { kind: 'authenticated', principal: alice }, 30_000],
  ['rejected token', { kind: 'rejected', reason: 'expired' }, 5_000],
  ['apiserver unreachable', { kind: 'unavailable', reason: 'ECONNREFUSED' }, 0],
];
for (const [title, answer, ttl] of authnCases) {
  test(`KubeAuthenticator: ${title} is asked again after ${ttl} ms`, async () => {
    const clock = new ManualClock();
    const metrics = new MetricsRegistry();
    const seen: string[] = [];
    const authn = new KubeAuthenticator({
      clock,
      metrics,
      review: (token) => {
        seen.push(token);
        return Promise.resolve(answer);
      },
    });
    const first = await authn.authenticate('tok-1');
    assert.equal(first.ok, answer.kind === 'authenticated');
    if (!first.ok && answer.kind !== 'authenticated') assert.equal(first.reason, answer.reason);
    if (ttl > 0) {
      clock.advance(ttl - 1);
      await authn.authenticate('tok-1');
      assert.equal(seen.length, 1, 'answered from the cache before the TTL');
    }
    clock.advance(1);
    await authn.authenticate('tok-1');
    assert.equal(seen.length, 2, 'asked again once the TTL passed');
    assert.equal(
      await counter(metrics, 'mezzo_authn_cache_requests_total', 'hit'),
      ttl > 0 ? 1 : 0,
    );
    assert.equal(await counter(metrics, 'mezzo_authn_cache_requests_total', 'miss'), 2);
  });
}

test('KubeAuthenticator: keys are token hashes, bounded; concurrent misses share one review', async () => {
  const clock = new ManualClock();
  let reviews = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const authn = new KubeAuthenticator({
    clock,
    maxEntries: 3,
    review: async () => {
      reviews++;
      await gate;
      return { kind: 'authenticated', principal: alice };
    },
  });
  const burst = Promise.all([1, 2, 3, 4].map(() => authn.authenticate('same-token')));
  release();
  const answers = await burst;
  assert.equal(reviews, 1);
  assert.ok(answers.every((a) => a.ok));
  for (const t of ['t1', 't2', 't3', 't4', 't5']) await authn.authenticate(t);
  assert.equal(authn.cachedEntries, 3);
  assert.deepEqual(await authn.authenticate(''), { ok: false, reason: 'empty bearer token' });
});

const taskCreate: AccessRequest = {
  resource: { verb: 'create', group: 'mezzo.dev', resource: 'tasks', namespace: 'team-a' },
};
const metricsGet: AccessRequest = { nonResource: { verb: 'get', path: '/metrics' } };

// [title, answer, ms until asked again]
const authzCases: [string, AccessReviewOutcome, number][] = [
  ['a grant', { allowed: true, cacheable: true }, 10_000],
  ['a denial', { allowed: false, reason: 'no RBAC rule', cacheable: true }, 5_000],
  ['a failed review', { allowed: false, reason: 'HTTP 500', cacheable: false }, 0],
];
for (const [title, answer, ttl] of authzCases) {
  test(`KubeAuthorizer: ${title} is asked again after ${ttl} ms`, async () => {
    const clock = new ManualClock();
    const metrics = new MetricsRegistry();
    let reviews = 0;
    const authz = new KubeAuthorizer({
      clock,
      metrics,
      review: () => {
        reviews++;
        return Promise.resolve(answer);
      },
    });
    const d = await authz.authorize(alice, taskCreate);
    assert.equal(d.allowed, answer.allowed);
    if (ttl > 0) {
      clock.advance(ttl - 1);
      await authz.authorize(alice, taskCreate);
      assert.equal(reviews, 1);
    }
    clock.advance(1);
    await authz.authorize(alice, taskCreate);
    assert.equal(reviews, 2);
    // Another question by the same caller is its own cache entry.
    await authz.authorize(alice, metricsGet);
    assert.equal(reviews, 3);
    assert.equal(await counter(metrics, 'mezzo_authz_cache_requests_total', 'miss'), 3);
  });
}

test('SubjectAccessReview spec carries the whole principal and the attributes', () => {
  assert.deepEqual(accessReviewSpec(alice, taskCreate), {
    user: alice.username,
    uid: 'u-1',
    groups: [...alice.groups],
    extra: { 'authentication.kubernetes.io/node-name': ['node-1'] },
    resourceAttributes: {
      verb: 'create',
      group: 'mezzo.dev',
      resource: 'tasks',
      namespace: 'team-a',
    },
  });
  assert.deepEqual(accessReviewSpec({ username: 'x', groups: [], extra: {} }, metricsGet), {
    user: 'x',
    groups: [],
    extra: {},
    nonResourceAttributes: { verb: 'get', path: '/metrics' },
  });
});
