import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../../../src/allocator/index.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { Harness, R } from './helpers.js';

test('DRF paper example: 9 CPU / 18 GB, A <1 CPU, 4 GB>, B <3 CPU, 1 GB> → A 3 tasks, B 2', () => {
  // Each offer: the framework launches one task and declines the rest (progressive filling).
  const h = new Harness();
  h.agent('s1', 'cpus:9;mem:18432');
  h.framework('A', 'a');
  h.framework('B', 'b');
  const task = { A: R('cpus:1;mem:4096'), B: R('cpus:3;mem:1024') };
  const tasks = { A: 0, B: 0 };
  const order: string[] = [];
  for (let round = 0; round < 20; round++) {
    h.allocator.allocate();
    const offers = h.takeRaw();
    if (offers.length === 0) break;
    for (const { framework, offer } of offers) {
      const fw = framework as 'A' | 'B';
      const t = task[fw];
      if (offer.resources.contains(t)) {
        tasks[fw]++;
        order.push(fw);
        h.allocator.recoverResources(fw, offer.agentId, offer.resources.subtract(t));
      } else {
        h.allocator.recoverResources(fw, offer.agentId, offer.resources, { refuseSeconds: 5 });
      }
    }
  }
  // A: 0 → B: 0 → A: max(1/9,4/18)=2/9 < B: max(3/9,1/18)=1/3 → A: 4/9 > 1/3 → B: 2/3
  // → A: 4/9 < 2/3 → A: max(3/9, 12/18) = 2/3. CPU used 3·1 + 2·3 = 9: nothing left.
  assert.deepEqual(order, ['A', 'B', 'A', 'B', 'A']);
  assert.deepEqual(tasks, { A: 3, B: 2 });
  const shares = h.allocator.frameworkShares();
  assert.ok(Math.abs((shares.get('A') ?? 0) - 2 / 3) < 1e-9); // A: 12 GB / 18 GB
  assert.ok(Math.abs((shares.get('B') ?? 0) - 2 / 3) < 1e-9); // B: 6 CPU / 9 CPU
});

test('a whole agent goes to one framework; allocated resources are not offered again', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:4;mem:1024');
  h.framework('f1', 'r');
  h.framework('f2', 'r');
  h.allocator.allocate();
  assert.deepEqual(h.take(), ['f1@s1(r): cpus:4; mem:1024']);
  h.allocator.allocate();
  assert.deepEqual(h.take(), []);
  // f1 declines without a filter: both shares are 0 again, so name order picks f1 again.
  h.allocator.recoverResources('f1', 's1', R('cpus:4;mem:1024'));
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f1@s1(r): cpus:4; mem:1024']);
  // With a refuse filter, f2 gets it.
  h.allocator.recoverResources('f1', 's1', R('cpus:4;mem:1024'), { refuseSeconds: 10 });
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f2@s1(r): cpus:4; mem:1024']);
});

test('declined resources wait for the next periodic pass; recovered ones start a pass', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:4;mem:1024');
  h.agent('s2', 'cpus:2;mem:512');
  h.framework('f1', 'r');
  h.framework('f2', 'r');
  h.allocator.allocate();
  // Both shares 0, name order: f1 takes the first agent, then f2 (share 0) the other.
  const first = h.takeRaw();
  assert.deepEqual(first.map((o) => o.framework).sort(), ['f1', 'f2']);
  // Each declines what it holds, f2 with a filter: no pass is due, nothing is offered.
  for (const { framework, offer } of first) {
    h.allocator.declineResources(
      framework,
      offer.agentId,
      offer.resources,
      framework === 'f2' ? 10 : 0,
    );
  }
  assert.equal(h.allocator.hasPendingWork(), false);
  h.allocator.runPending();
  assert.deepEqual(h.take(), []);
  // The periodic pass offers both agents again, and not the filtered one to f2.
  h.allocator.allocate();
  const again = h.takeRaw();
  assert.equal(again.length, 2);
  const f2Had = first.find((o) => o.framework === 'f2')?.offer.agentId;
  assert.ok(!again.some((o) => o.framework === 'f2' && o.offer.agentId === f2Had));
  // A recovery (a task ended, an offer rescinded) is offered again by a pass at once.
  const back = again[0];
  assert.ok(back);
  h.allocator.recoverResources(back.framework, back.offer.agentId, back.offer.resources);
  assert.equal(h.allocator.hasPendingWork(), true);
  h.allocator.runPending();
  assert.equal(h.take().length, 1);
});

test('refuse filters expire by the injected clock; the agent waits for the periodic pass', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:2;mem:1024');
  h.agent('s2', 'cpus:2;mem:1024');
  h.framework('f', 'r');
  h.allocator.allocate();
  assert.equal(h.take().length, 2);
  h.allocator.declineResources('f', 's1', R('cpus:2;mem:1024'), 5);
  h.allocator.runPending();
  assert.deepEqual(h.take(), []);
  // Mesos' expiry only removes the filter: a lapse is no change and starts no pass...
  h.now = 5000;
  assert.equal(h.allocator.hasPendingWork(), false);
  // ...and a pass for a change on another agent does not take s1 along.
  h.allocator.recoverResources('f', 's2', R('cpus:1'));
  assert.equal(h.allocator.hasPendingWork(), true);
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s2(r): cpus:1']);
  // The periodic pass offers it; the filter is dropped, not just ignored.
  h.allocator.allocate();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:2; mem:1024']);
  assert.equal(h.allocator.filterCount(), 0);
  // A filter covers what was declined, not more: a bigger agent is offered at once.
  h.allocator.declineResources('f', 's1', R('cpus:2;mem:1024'), 5);
  assert.equal(h.allocator.filterCount(), 1);
  h.allocator.updateAgent('s1', R('cpus:4;mem:1024'));
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:4; mem:1024']);
});

test('min allocatable: crumbs are not offered', () => {
  const h = new Harness(); // default minimum: cpus:0.01 or mem:32
  h.agent('s1', 'cpus:0.005;mem:16;disk:100');
  h.agent('s2', 'cpus:0.01');
  h.framework('f', 'r');
  h.allocator.allocate();
  assert.deepEqual(h.take(), ['f@s2(r): cpus:0.01']);
  const h2 = new Harness({ minAllocatable: [R('cpus:1;mem:512')] });
  h2.agent('s1', 'cpus:2;mem:256');
  h2.framework('f', 'r');
  h2.allocator.allocate();
  assert.deepEqual(h2.take(), []);
});

test('reserved resources go only to their role (and its subroles)', () => {
  const h = new Harness();
  h.agent('s1', 'cpus(eng):4;mem(eng):1024;cpus:1;mem:256');
  h.framework('ops-fw', 'ops');
  h.framework('be-fw', 'eng/backend');
  h.allocator.allocate();
  // Role order: eng/backend (0) and ops (0) tie → by path "eng/backend" < "ops".
  // eng/backend gets everything (reservations to its parent eng are allocatable to it).
  assert.deepEqual(h.take(), [
    'be-fw@s1(eng/backend): cpus:1; cpus(eng):4; mem:256; mem(eng):1024',
  ]);
  h.allocator.recoverResources('be-fw', 's1', R('cpus(eng):4;mem(eng):1024;cpus:1;mem:256'), {
    refuseSeconds: 60,
  });
  h.allocator.runPending();
  // ops may take only the unreserved part.
  assert.deepEqual(h.take(), ['ops-fw@s1(ops): cpus:1; mem:256']);
});

test('suppressed roles and inactive frameworks get nothing; revive clears filters', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:2;mem:512');
  h.framework('f', 'r');
  h.allocator.suppressOffers('f');
  h.allocator.allocate();
  assert.deepEqual(h.take(), []);
  h.allocator.reviveOffers('f');
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:2; mem:512']);
  h.allocator.recoverResources('f', 's1', R('cpus:2;mem:512'), { refuseSeconds: 1000 });
  h.allocator.deactivateFramework('f');
  h.allocator.reviveOffers('f'); // revive clears the filter, but f is inactive
  h.allocator.runPending();
  assert.deepEqual(h.take(), []);
  h.allocator.activateFramework('f');
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:2; mem:512']);
});

test('agents in maintenance or deactivated get no offers', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:1');
  h.agent('s2', 'cpus:1');
  h.framework('f', 'r');
  h.allocator.setMaintenance('s1', true);
  h.allocator.deactivateAgent('s2');
  h.allocator.allocate();
  assert.deepEqual(h.take(), []);
  h.allocator.setMaintenance('s1', false);
  h.allocator.activateAgent('s2');
  h.allocator.runPending();
  assert.deepEqual(h.take().sort(), ['f@s1(r): cpus:1', 'f@s2(r): cpus:1']);
});

test('quota limit: a role never exceeds it, offers shrink to fit', () => {
  const h = new Harness();
  for (let i = 0; i < 4; i++) h.agent(`s${i}`, 'cpus:4;mem:4096');
  h.framework('f', 'capped');
  h.allocator.updateQuota('capped', { limit: R('cpus:6') });
  h.allocator.allocate();
  // 4 + 2 (shrunk) = 6 cpus; then cpus are exhausted, but mem alone is still allocatable
  // (mem:4096 ≥ 32), as Mesos offers resources the limit does not name.
  assert.equal(h.allocator.frameworkQuantities('f').get('cpus'), 6000);
  assert.ok((h.allocator.consumedQuota('capped').get('cpus') ?? 0) <= 6000);
});

test('quota guarantee: headroom is held back from roles above theirs', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:4;mem:1024');
  h.agent('s2', 'cpus:4;mem:1024');
  h.framework('greedy', 'aaa'); // sorts first by name at equal shares
  h.allocator.updateQuota('prod', { guarantee: R('cpus:4') });
  h.allocator.allocate();
  // prod has no framework yet; its 4 cpus are held back: greedy gets 8 - 4 = 4 cpus.
  assert.equal(h.allocator.frameworkQuantities('greedy').get('cpus'), 4000);
  h.take();
  h.framework('p', 'prod');
  h.allocator.runPending();
  // The held-back 4 cpus now go to prod, up to its guarantee.
  assert.equal(h.take().length, 1);
  assert.equal(h.allocator.frameworkQuantities('p').get('cpus'), 4000);
});

test('reservations count against quota', () => {
  const h = new Harness();
  h.agent('s1', 'cpus(eng):3;cpus:10;mem:1024');
  h.allocator.updateQuota('eng', { limit: R('cpus:4') });
  h.framework('f', 'eng');
  h.allocator.allocate();
  // consumed = reserved 3 (offered now, still 3) + unreserved offered ≤ 4 - 3 = 1
  assert.equal(h.allocator.frameworkQuantities('f').get('cpus'), 4000);
  assert.equal(h.allocator.consumedQuota('eng').get('cpus'), 4000);
});

test('weights: a weight-2 role gets twice the share', () => {
  const h = new Harness();
  for (let i = 0; i < 30; i++) h.agent(`s${String(i).padStart(2, '0')}`, 'cpus:1;mem:100');
  h.framework('h', 'heavy');
  h.framework('l', 'light');
  h.allocator.updateWeights([{ role: 'heavy', weight: 2 }]);
  h.allocator.allocate();
  // Each agent goes to the role with the lower share/weight: heavy ends with 20, light 10.
  assert.equal(h.allocator.frameworkQuantities('h').get('cpus'), 20000);
  assert.equal(h.allocator.frameworkQuantities('l').get('cpus'), 10000);
  assert.throws(
    () => h.allocator.updateWeights([{ role: 'x', weight: -1 }]),
    /weights\.x: weight must be a positive number, got -1/,
  );
});

test('incremental and coalesced: one onWorkPending per batch, only dirty agents visited', () => {
  const h = new Harness();
  let notified = 0;
  h.allocator.onWorkPending = () => notified++;
  h.agent('s1', 'cpus:1');
  h.agent('s2', 'cpus:1');
  h.framework('f', 'r');
  assert.equal(notified, 1);
  assert.ok(h.allocator.hasPendingWork());
  h.allocator.runPending();
  assert.equal(h.take().length, 2);
  assert.equal(h.allocator.hasPendingWork(), false);
  h.allocator.recoverResources('f', 's1', R('cpus:1'));
  h.allocator.recoverResources('f', 's2', R('cpus:1'));
  assert.equal(notified, 2);
  h.allocator.runPending();
  assert.deepEqual(h.take().sort(), ['f@s1(r): cpus:1', 'f@s2(r): cpus:1']);
});

test('recover pauses until the expected agents are back; pause/resume', () => {
  const h = new Harness();
  h.framework('f', 'r');
  h.allocator.recover(2, new Map([['r', { limit: R('cpus:10') }]]));
  h.agent('s1', 'cpus:1');
  h.allocator.allocate();
  assert.deepEqual(h.take(), []);
  h.agent('s2', 'cpus:1');
  h.allocator.runPending();
  assert.equal(h.take().length, 2);
  h.allocator.pause();
  h.allocator.recoverResources('f', 's1', R('cpus:1'));
  h.allocator.runPending();
  assert.deepEqual(h.take(), []);
  h.allocator.resume();
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:1']);
});

test('updateAllocation: RESERVE turns offered unreserved resources into reserved ones', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:4;mem:1024');
  h.framework('f', 'eng');
  h.framework('g', 'ops');
  h.allocator.allocate();
  h.take();
  h.allocator.updateAllocation('f', 's1', R('cpus:2'), R('cpus:2').reserve('eng'));
  assert.equal(h.allocator.agentResources('s1')?.total.toString(), 'cpus:2; cpus(eng):2; mem:1024');
  h.allocator.recoverResources('f', 's1', R('cpus:2;mem:1024').add(R('cpus:2').reserve('eng')), {
    refuseSeconds: 100,
  });
  h.allocator.runPending();
  // g (ops) may not have eng's reservation.
  assert.deepEqual(h.take(), ['g@s1(ops): cpus:2; mem:1024']);
  assert.throws(
    () => h.allocator.updateAllocation('f', 's1', R('cpus:9'), R('cpus:9')),
    /does not hold/,
  );
});

test('removeFramework and removeAgent return everything', () => {
  const h = new Harness();
  h.agent('s1', 'cpus:4');
  h.framework('f', 'r');
  h.framework('g', 'r');
  h.allocator.allocate();
  h.take();
  h.allocator.removeFramework('f');
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['g@s1(r): cpus:4']);
  h.allocator.removeAgent('s1');
  assert.equal(h.allocator.frameworkQuantities('g').size, 0);
  assert.equal(h.allocator.agentResources('s1'), undefined);
});

test('agent re-registers before its framework: used resources are adopted', () => {
  const h = new Harness();
  h.allocator.addAgent('s1', { hostname: 's1' }, R('cpus:4'), new Map([['f', R('cpus:3')]]));
  assert.equal(h.allocator.agentResources('s1')?.available.toString(), 'cpus:1');
  h.allocator.addFramework('f', { roles: ['r'] }, new Map([['s1', R('cpus:3')]]));
  assert.equal(h.allocator.frameworkQuantities('f').get('cpus'), 3000);
  h.allocator.runPending();
  assert.deepEqual(h.take(), ['f@s1(r): cpus:1']);
});

test('deterministic under a seed; metrics recorded', async () => {
  const run = (seed: number): string[] => {
    const h = new Harness({ seed, fairness: 'random' });
    for (let i = 0; i < 20; i++) h.agent(`s${i}`, 'cpus:1');
    for (let i = 0; i < 5; i++) h.framework(`f${i}`, `r${i}`);
    h.allocator.allocate();
    return h.take();
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
  const metrics = new MetricsRegistry();
  const h = new Harness({ metrics });
  h.agent('s1', 'cpus:1');
  h.framework('f', 'r');
  h.allocator.allocate();
  const text = await metrics.exposition();
  assert.match(text, /mezzo_allocator_offers_total\{kind="full"\} 1/);
  assert.match(text, /mezzo_allocator_allocation_run_seconds_count\{kind="full"\} 1/);
  assert.match(text, /mezzo_allocator_role_dominant_share\{role="r"\} 1/);
  assert.equal(h.allocator.roleShares().get('r'), 1);
  assert.ok(Resources.EMPTY.isEmpty());
});

test('an incremental pass considers only what changed, not the cluster', () => {
  const h = new Harness();
  for (let i = 0; i < 1000; i++) h.agent(`s${i}`, 'cpus:1;mem:64');
  for (let f = 0; f < 10; f++) h.framework(`f${f}`, `r${f}`);
  h.allocator.allocate();
  assert.deepEqual(h.allocator.lastPass(), {
    kind: 'full',
    candidates: 1000,
    offers: 1000,
    visited: 1000,
  });
  h.take();
  // One agent changes: one candidate.
  const [first] = h.allocator.frameworkAllocation('f3');
  assert.ok(first);
  h.allocator.recoverResources('f3', first[0], first[1]);
  h.allocator.runPending();
  assert.deepEqual(h.allocator.lastPass(), {
    kind: 'incremental',
    candidates: 1,
    offers: 1,
    visited: 1,
  });
  // A framework-side change: only agents with something free (none here) are candidates.
  h.framework('late', 'r-late');
  h.allocator.runPending();
  assert.deepEqual(h.allocator.lastPass(), {
    kind: 'incremental',
    candidates: 0,
    offers: 0,
    visited: 0,
  });
});
