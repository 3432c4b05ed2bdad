/**
 * A small seeded pseudo-random generator (mulberry32). The allocator never uses
 * Math.random: with a seed, every shuffle and random sort is reproducible in tests.
 */

/** A deterministic generator of floats in [0, 1). */
export class Rng {
  private state: number;

  /** @param seed - any integer; equal seeds give equal sequences */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

/**
 * A uniformly random order of `items`, drawn only as far as it is read (Fisher–Yates from
 * the front, one swap per position reached): a pass that ends after a few agents of
 * 50,000 shuffles a few, not all. Reading position i again gives the same item.
 */
export class LazyShuffle<T> {
  private fixed = 0;

  /** Takes `items` over (reorders it in place). */
  constructor(
    private readonly items: T[],
    private readonly rng: Rng,
  ) {}

  /** How many items there are. */
  get length(): number {
    return this.items.length;
  }

  /** The item at position `i` of the order, undefined past the end. */
  at(i: number): T | undefined {
    const n = this.items.length;
    if (i >= n) return undefined;
    for (; this.fixed <= i; this.fixed++) {
      const j = this.fixed + Math.floor(this.rng.next() * (n - this.fixed));
      const a = this.items[this.fixed] as T;
      this.items[this.fixed] = this.items[j] as T;
      this.items[j] = a;
    }
    return this.items[i];
  }
}
