/**
 * One round of the default framework's placing (src/frameworks/default/placing.ts) with
 * many Task objects waiting: the plan's time when they outnumber what the round's offers
 * hold, as after a burst of `kubectl apply` on a nearly full cluster. Each offer holds two
 * tasks; every case is timed after one warm-up round. Then rounds of one task each over
 * many offers held, as while Task objects arrive one by one (the framework holds every
 * agent's offer and has placed on each before): the median of 200 rounds. Prints one
 * JSON object:
 * `node dist/bench/default-framework/round.js` or `npm run bench -- default-framework`.
 */
import type { Offer__Output } from '../../src/gen/mezzo/v1/Offer.js';
import { OfferMatcher } from '../../src/sdk/offers.js';
import { offerOf, placingRound, waitingTask } from '../../test/support/placing-round.js';

const sizes: [waiting: number, offers: number][] = [
  [1000, 100],
  [5000, 100],
  [5000, 1000],
  [20000, 1000],
];

async function timed(waiting: number, offers: number) {
  const shape = { cpus: 0.1, mem: 64 };
  const round = () =>
    placingRound(
      Array.from({ length: offers }, (_, a) => offerOf(`agent-${String(a)}`, 0.25, 4096)),
      Array.from({ length: waiting }, (_, i) => waitingTask(`t-${String(i)}`, i, shape)),
    );
  await round();
  const t0 = process.hrtime.bigint();
  const placed = await round();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let n = 0;
  for (const names of placed.values()) n += names.length;
  return { waiting, offers, placed: n, ms: Math.round(ms * 10) / 10 };
}

async function oneAtATime(offers: number) {
  const held = Array.from({ length: offers }, (_, a) => offerOf(`agent-${String(a)}`, 4, 8192));
  const lastPlaced = new Map(held.map((o, i) => [o.agent_id, i]));
  // Held as the framework holds them: each offer's matcher kept, only launches take from it.
  const matchers = new Map(held.map((o) => [o.id, new OfferMatcher(o)]));
  const pool = {
    matcherOf: (o: Offer__Output) => matchers.get(o.id) ?? new OfferMatcher(o),
    used: () => undefined,
  };
  const ms: number[] = [];
  for (let r = 0; r < 220; r++) {
    const task = waitingTask(`t-${String(r)}`, r, { cpus: 0.1, mem: 64 });
    const t0 = process.hrtime.bigint();
    await placingRound(held, [task], lastPlaced, pool);
    if (r >= 20) ms.push(Number(process.hrtime.bigint() - t0) / 1e6); // 20 warm-up rounds
  }
  ms.sort((a, b) => a - b);
  return {
    offers,
    rounds: ms.length,
    median_ms: Math.round((ms[ms.length >> 1] ?? 0) * 1000) / 1000,
  };
}

const cases = [];
for (const [w, o] of sizes) cases.push(await timed(w, o));
const one_task_rounds = [await oneAtATime(1000), await oneAtATime(5000)];
process.stdout.write(
  `${JSON.stringify({ benchmark: 'default-framework-round', room_per_offer: 2, cases, one_task_rounds }, null, 2)}\n`,
);
