/**
 * The soak's seeded random source: the allocator's mulberry32 generator with the draws
 * the harness needs, so that a run's faults and workload follow from its seed (the same
 * seed injects the same faults in the same order with the same gaps; what the system does
 * in between still depends on timing).
 */
import { Rng as Mulberry32 } from '../../../src/allocator/rng.js';

/** A deterministic random source. */
export class Rng extends Mulberry32 {
  /** A float in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** One element of a list, or undefined for an empty one. */
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.next() * items.length)];
  }

  /** A shuffled copy, leaving `items` as it was. */
  shuffled<T>(items: readonly T[]): T[] {
    return this.shuffle([...items]);
  }
}

/** A per-item generator: the same (seed, index) always gives the same numbers. */
export function rngFor(seed: number, index: number): Rng {
  return new Rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}
