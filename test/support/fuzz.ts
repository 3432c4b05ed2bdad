/**
 * fast-check settings every fuzz and property test shares: a fixed seed and the test's
 * own bounded count in `npm test`; MEZZO_FUZZ_RUNS (more runs) and MEZZO_FUZZ_SEED (a
 * number, or `random`, printed so that the run can be repeated) for `npm run fuzz`.
 */

/** The seed every property uses unless MEZZO_FUZZ_SEED names another (`random` picks one). */
export const FUZZ_SEED: number = (() => {
  const env = process.env.MEZZO_FUZZ_SEED;
  if (env === 'random') {
    const seed = Math.floor(Math.random() * 2 ** 31);
    process.stderr.write(`fuzz seed: ${seed} (MEZZO_FUZZ_SEED=${seed} repeats this run)\n`);
    return seed;
  }
  return env ? Number(env) : 0x6d657a7a; // "mezz"
})();

/**
 * fast-check settings: `runs` by default, MEZZO_FUZZ_RUNS when set. A failure is reported
 * as found (a run may be a round trip to a server, so shrinking could take minutes);
 * MEZZO_FUZZ_SHRINK=1 shrinks it to a minimal counterexample.
 */
export function fuzzOptions(runs: number): {
  seed: number;
  numRuns: number;
  endOnFailure: boolean;
} {
  const env = Number(process.env.MEZZO_FUZZ_RUNS);
  return {
    seed: FUZZ_SEED,
    numRuns: Number.isInteger(env) && env > 0 ? env : runs,
    endOnFailure: process.env.MEZZO_FUZZ_SHRINK !== '1',
  };
}
