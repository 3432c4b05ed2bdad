// A framework that turns every offer down with a 0 s filter is offered the same agents
// again at the allocator's pace, not at its own: before, each DECLINE started a pass that
// sent the agents straight back, and one such framework on 10 simulated agents was sent
// about 5,000 offers a second while the controller used most of a core. Real controller,
// real gRPC on loopback, simulated agents.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import { framework, startWithSimAgents } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const AGENTS = 3;
const INTERVAL_MS = 200;
const WINDOW_MS = 2_000;
// Each agent once a periodic pass, plus one pass of slack at either end of the window:
// 3 × (2,000 / 200 + 2) = 36.
const MOST = AGENTS * (WINDOW_MS / INTERVAL_MS + 2);

/** How a turned-down offer is answered. */
const ANSWERS: {
  name: string;
  answer: (fw: ReturnType<typeof framework>, offers: Offer__Output[]) => Promise<unknown>;
}[] = [
  {
    name: 'DECLINE with a 0 s filter',
    answer: (fw, offers) =>
      fw.decline(
        offers.map((o) => o.id),
        0,
      ),
  },
  {
    // An ACCEPT that launches nothing is a decline too.
    name: 'ACCEPT with no operations and a 0 s filter',
    answer: (fw, offers) => Promise.all(offers.map((o) => fw.accept([o.id], [], 0))),
  },
];

test('offers turned down with no filter come back once a pass, not at once', async () => {
  // The offer allowance (offer-allowance.test.ts) would also cut these, to two a pass;
  // without it, what is left to see is the pace of passes.
  const { controller } = await startWithSimAgents(
    { allocationIntervalMs: INTERVAL_MS, adaptiveOffers: false },
    { count: AGENTS, cpus: 2, memMiB: 1024, prefix: 'pace' },
    cleanup,
  );

  for (const [i, { name, answer }] of ANSWERS.entries()) {
    const fw = framework(controller.grpcAddress, `pace-${String(i)}`, ['r']);
    cleanup.push(() => fw.close());
    let offers = 0;
    let failed: unknown;
    fw.on('offers', (os: Offer__Output[]) => {
      offers += os.length;
      answer(fw, os).catch((err: unknown) => (failed ??= err));
    });
    await fw.start();
    // One periodic pass first, so the window starts with the agents offered.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));
    const before = offers;
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const sent = offers - before;
    fw.close();
    assert.equal(failed, undefined, `${name}: every answer was taken`);
    // At least a few passes' worth came (the agents were offered throughout)...
    assert.ok(sent >= AGENTS * 3, `${name}: ${String(sent)} offers in the window`);
    // ...and no more than one an agent a pass.
    assert.ok(
      sent <= MOST,
      `${name}: ${String(sent)} offers in ${String(WINDOW_MS)} ms, at most ${String(MOST)}`,
    );
  }
});
