// Lease leader election against the real apiserver: one leader among candidates, a
// graceful hand-over (also when it races a renewal), and a take-over after the leader
// process is SIGKILLed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LeaderElector } from '../../../src/kube/leader-election.js';
import { ManualClock, SystemClock, type Clock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { controlPlane, type ControlPlane } from '../support/control-plane.js';

let cp: ControlPlane;
before(async () => {
  cp = controlPlane();
  await cp.kubectl(['create', 'namespace', 'election']);
});
after(() => cp.stop());

function candidate(
  identity: string,
  lease: string,
  events: string[],
  clock: Clock = new SystemClock(),
): LeaderElector {
  return new LeaderElector({
    kubeConfig: cp.kubeConfig(),
    namespace: 'election',
    leaseName: lease,
    identity,
    address: `${identity}.local:5051`,
    leaseDurationMs: 2_000,
    renewDeadlineMs: 1_500,
    retryPeriodMs: 200,
    clock,
    logger: silentLogger(),
    onStartedLeading: () => events.push(`${identity}:lead`),
    onStoppedLeading: () => events.push(`${identity}:stop`),
  });
}

async function until(cond: () => boolean, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

test('exactly one of three candidates leads; a graceful stop hands over at once', async () => {
  const events: string[] = [];
  const cs = ['a', 'b', 'c'].map((id) => candidate(id, 'graceful', events));
  for (const c of cs) c.start();
  try {
    await until(() => cs.some((c) => c.isLeader), 5_000, 'a leader');
    await new Promise((r) => setTimeout(r, 1_000)); // several retry periods
    const leaders = cs.filter((c) => c.isLeader);
    assert.equal(leaders.length, 1, 'one leader');
    const leader = leaders[0];
    assert.ok(leader);
    const id = leader.leader.identity;
    for (const c of cs) {
      await until(() => c.leader.identity === id, 2_000, 'followers to see the leader');
      assert.equal(c.leader.address, `${id}.local:5051`);
    }
    // Released leases are free at once: well under the 2 s lease duration.
    await leader.stop();
    const handover = await until(
      () => cs.some((c) => c !== leader && c.isLeader),
      2_000,
      'hand-over',
    );
    assert.ok(handover < 1_000, `hand-over took ${handover} ms`);
    assert.deepEqual(
      events.filter((e) => e.endsWith(':stop')),
      [`${id}:stop`],
    );
  } finally {
    for (const c of cs) await c.stop();
  }
});

test('a stop while a renewal is under way still hands the lease back', async () => {
  // The manual clock fires the renewal timer, so its read of the Lease is on the wire
  // when stop() is called. A release racing that renewal used to lose to it (409) and
  // leave the lease held until it lapsed: five rounds, each must end with no holder.
  const clock = new ManualClock(Date.now());
  const events: string[] = [];
  const c = candidate('racer', 'race', events, clock);
  const holder = async (): Promise<string> =>
    (
      await cp.kubectl([
        '-n',
        'election',
        'get',
        'lease',
        'race',
        '-o',
        'jsonpath={.spec.holderIdentity}',
      ])
    ).stdout;
  try {
    for (let round = 1; round <= 5; round++) {
      c.start();
      await until(() => c.isLeader, 5_000, `round ${round}: leading`);
      clock.advance(200); // the renewal's read goes out
      await c.stop();
      assert.equal(c.isLeader, false);
      assert.equal(await holder(), '', `round ${round}: the lease handed back`);
    }
    assert.deepEqual(events, Array.from({ length: 5 }, () => ['racer:lead', 'racer:stop']).flat());
  } finally {
    await c.stop();
  }
});

test('a SIGKILLed leader is replaced within the lease duration', async () => {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('../support/elector-child.js', import.meta.url)),
      cp.kubeconfigPath,
      'election',
      'crash',
      'doomed',
      'doomed.local:5051',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const events: string[] = [];
  const standby = candidate('standby', 'crash', events);
  try {
    await until(() => out.includes('LEADING'), 5_000, 'the child to lead');
    standby.start();
    await until(() => standby.leader.identity === 'doomed', 2_000, 'the standby to see the child');
    assert.equal(standby.isLeader, false);
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await until(() => standby.isLeader, 6_000, 'take-over');
    const took = Date.now() - killedAt;
    // Lease 2 s, observed on the standby's clock, plus one 200 ms retry period.
    assert.ok(took <= 2_000 + 200 + 500, `take-over took ${took} ms`);
    assert.equal(standby.leader.identity, 'standby');
    const { stdout } = await cp.kubectl([
      '-n',
      'election',
      'get',
      'lease',
      'crash',
      '-o',
      'jsonpath={.spec.leaseTransitions}',
    ]);
    assert.equal(stdout, '1');
  } finally {
    child.kill('SIGKILL');
    await standby.stop();
  }
});
