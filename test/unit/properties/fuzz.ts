/**
 * Shared settings of the property tests: a fixed seed so that a failure reproduces, and a
 * bounded number of runs in `npm test`. MEZZO_FUZZ_RUNS sets a longer run (`npm run
 * fuzz`); MEZZO_FUZZ_SEED runs another seed (fast-check prints the seed and path of a
 * failure, to replay it).
 */
import type { Parameters } from 'fast-check';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return n;
}

/**
 * Runs of a property: `runs` in `npm test`; with MEZZO_FUZZ_RUNS=N, `runs × N / 100`, so
 * that N is the count of a property that runs 100 times by default and costlier ones
 * keep their share.
 */
export function fuzz<T>(runs = 100): Parameters<T> {
  const scale = positive('MEZZO_FUZZ_RUNS', 0);
  return {
    seed: positive('MEZZO_FUZZ_SEED', 20261201),
    numRuns: scale > 0 ? Math.max(1, Math.round((runs * scale) / 100)) : runs,
  };
}
