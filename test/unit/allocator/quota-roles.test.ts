import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, R } from './helpers.js';

test('a parent limit caps its subroles together', () => {
  const h = new Harness();
  for (let i = 0; i < 6; i++) h.agent(`s${i}`, 'cpus:2;mem:64');
  h.framework('be', 'eng/backend');
  h.framework('fe', 'eng/frontend');
  h.framework('o', 'ops');
  h.allocator.updateQuota('eng', { limit: R('cpus:5;mem:1000') });
  h.allocator.allocate();
  const be = h.allocator.frameworkQuantities('be').get('cpus') ?? 0;
  const fe = h.allocator.frameworkQuantities('fe').get('cpus') ?? 0;
  // eng = backend + frontend ≤ 5 cpus (the last offer shrunk to fit); ops takes the rest.
  assert.ok(be + fe <= 5000, `eng holds ${(be + fe) / 1000}`);
  assert.equal(h.allocator.consumedQuota('eng').get('cpus'), be + fe);
  assert.equal(h.allocator.frameworkQuantities('o').get('cpus'), 12000 - be - fe);
});

test('stage one: a role below its guarantee is served before fair order', () => {
  const h = new Harness();
  for (let i = 0; i < 3; i++) h.agent(`s${i}`, 'cpus:2;mem:1024');
  h.framework('a', 'aaa');
  h.framework('p', 'prod');
  // At equal shares (0) fair order alone would pick aaa first ("aaa" < "prod").
  h.allocator.updateQuota('prod', { guarantee: R('cpus:4') });
  h.allocator.allocate();
  // Stage one gives prod 4 cpus (its guarantee); stage two gives aaa the remaining 2.
  assert.equal(h.allocator.frameworkQuantities('p').get('cpus'), 4000);
  assert.equal(h.allocator.frameworkQuantities('a').get('cpus'), 2000);
});

test('guarantee above limit is rejected with the role and resource named', () => {
  const h = new Harness();
  assert.throws(
    () => h.allocator.updateQuota('eng', { guarantee: R('cpus:4'), limit: R('cpus:2') }),
    /quota\.eng\.cpus: guarantee 4 exceeds limit 2/,
  );
});

test('updateFramework: a new role gets offers, a dropped role none', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:1');
  h.framework('f', 'old');
  h.allocator.updateFramework('f', { roles: ['new'] });
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(new): cpus:1']);
  assert.equal(h.allocator.roleShares().get('new'), 1);
  assert.equal(h.allocator.roleShares().has('old'), false); // forgotten once empty
});

test('suppress per role: the other role still gets offers', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:1');
  h.framework('f', 'x', 'y');
  h.allocator.suppressOffers('f', ['x']);
  h.allocator.allocate();
  assert.deepEqual(h.take(), ['f@s1(y): cpus:1']);
});
