/**
 * One round of the default framework's placing (src/frameworks/default/placing.ts) with
 * many Task objects waiting: the plan's time when they outnumber what the round's offers
 * hold, as after a burst of `kubectl apply` on a nearly full cluster. Each offer holds two
 * tasks; every case is timed after one warm-up round. Prints one JSON object:
 * `node dist/bench/default-framework/round.js` or `npm run bench -- default-framework`.
 */
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

const cases = [];
for (const [w, o] of sizes) cases.push(await timed(w, o));
process.stdout.write(
  `${JSON.stringify({ benchmark: 'default-framework-round', room_per_offer: 2, cases }, null, 2)}\n`,
);
