// A framework's offers a pass follow its answers (src/controller/offer-allowance.ts): one
// that turns every offer down is sent 16 agents, then 2 a pass, where Mesos' rule sends
// it every free agent every pass; once it uses what it is sent, its batches grow again
// (three times what it used each pass). Real controller, real gRPC on loopback, 30
// simulated agents, 200 ms passes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import { DURATION_LABEL } from '../../../src/sim/index.js';
import { authHeader } from '../../support/auth.js';
import { launchOp } from '../sim/support.js';
import { FIRST_ALLOWANCE, LEAST_ALLOWANCE } from '../../../src/controller/offer-allowance.js';
import { framework, startWithSimAgents, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const AGENTS = 30;
const INTERVAL_MS = 200;

const TASK_CPUS = 0.5;
const TASK_MEM = 64;
const has = (o: Offer__Output, name: string, least: number) =>
  o.resources.some((r) => r.name === name && r.scalar >= least);

for (const adaptive of [true, false]) {
  test(`a framework declining everything, then using everything (adaptive offers ${adaptive ? 'on' : 'off'})`, async () => {
    const { controller } = await startWithSimAgents(
      { allocationIntervalMs: INTERVAL_MS, adaptiveOffers: adaptive },
      // Room for 128 tasks an agent: none fills up during the test.
      { count: AGENTS, cpus: 64, memMiB: 16_384, prefix: `allow-${String(adaptive)}` },
      cleanup,
    );

    const fw = framework(controller.grpcAddress, `allowance-${String(adaptive)}`, ['r']);
    cleanup.push(() => fw.close());
    let using = false;
    let launched = 0;
    let failed: unknown;
    const batches: { using: boolean; size: number }[] = [];
    fw.on('offers', (os: Offer__Output[]) => {
      batches.push({ using, size: os.length });
      for (const o of os) {
        const fits = has(o, 'cpus', TASK_CPUS) && has(o, 'mem', TASK_MEM);
        const answer =
          using && fits
            ? fw.accept(
                [o.id],
                [launchOp(`t${String(launched++)}`, o.agent_id, { [DURATION_LABEL]: 'forever' })],
                0,
              )
            : fw.decline([o.id], 0);
        answer.catch((err: unknown) => (failed ??= err));
      }
    });
    await fw.start();
    // Turning everything down for 10 passes.
    await until(
      () => batches.length >= 10,
      10_000,
      () => 'ten batches declined',
    );
    const declining = batches.map((b) => b.size);
    // The first batch: the first allowance (16), or every agent.
    assert.equal(declining[0], adaptive ? FIRST_ALLOWANCE : AGENTS);
    if (adaptive) {
      // None used: max(2, 3 × 0) = 2 a pass from then on.
      assert.deepEqual(
        declining.slice(1),
        Array<number>(declining.length - 1).fill(LEAST_ALLOWANCE),
      );
    } else {
      // Mesos' rule: every free agent (0 s filters), every pass.
      assert.ok(
        declining.slice(1).every((n) => n === AGENTS),
        declining.join(','),
      );
    }
    // /state shows the allowance (absent when off).
    const res = await fetch(`http://127.0.0.1:${String(controller.httpPort)}/state`, {
      headers: authHeader(),
    });
    assert.equal(res.status, 200);
    const state = (await res.json()) as {
      frameworks: { name: string; offer_allowance?: number }[];
    };
    const mine = state.frameworks.find((f) => f.name === `allowance-${String(adaptive)}`);
    assert.ok(mine, 'the framework is in /state');
    assert.equal(mine.offer_allowance, adaptive ? LEAST_ALLOWANCE : undefined);

    // Now every offer is used (a 0.5-CPU task on each). What a launch leaves of an agent
    // is offered again at once, one agent a batch; the periodic passes' batches start at 2
    // and grow to 3 × what was used since the last (at least 3 × 2 = 6 once both are used).
    using = true;
    const used = () => batches.filter((b) => b.using).map((b) => b.size);
    if (adaptive) {
      await until(
        () => used().some((n) => n >= 9),
        10_000,
        () => `a batch of 9 or more: ${used().join(',')}`,
      );
      assert.equal(used()[0], LEAST_ALLOWANCE, used().join(','));
    } else {
      await until(
        () => used().length > 0,
        10_000,
        () => 'a batch',
      );
      assert.equal(used()[0], AGENTS, used().join(','));
    }
    assert.equal(failed, undefined, 'every answer was taken');
  });
}
