/**
 * The side-by-side bench's figures: from each object's creation time and the time it was
 * first seen running, the throughput and latency percentiles of one run.
 */

/** One run's figures for one state. */
export interface Figures {
  /** Objects that got there. */
  reached: number;
  /** From the first create to the last object getting there (ms). */
  all_ms: number;
  /** `reached` over `all_ms`, per second. */
  per_second: number;
  /** From each object's create to it getting there (ms). */
  latency_ms: { p50: number; p99: number; max: number };
}

/** The q-quantile of ascending `sorted` (nearest rank); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

/** Rounded to 2 decimals, for the JSON. */
export const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * The figures of objects created at `created` (name → ms) that reached a state at `at`
 * (name → ms), counted from `t0`, the first create.
 */
export function figures(
  t0: number,
  created: ReadonlyMap<string, number>,
  at: ReadonlyMap<string, number>,
): Figures {
  const lat = [...at].map(([k, t]) => t - (created.get(k) ?? t0)).sort((a, b) => a - b);
  const last = Math.max(t0, ...at.values());
  return {
    reached: at.size,
    all_ms: round(last - t0),
    per_second: round((at.size / Math.max(1, last - t0)) * 1000),
    latency_ms: {
      p50: round(quantile(lat, 0.5)),
      p99: round(quantile(lat, 0.99)),
      max: round(lat.at(-1) ?? Number.NaN),
    },
  };
}
