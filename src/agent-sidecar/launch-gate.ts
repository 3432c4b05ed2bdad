/**
 * A first-come, first-served bound on launches in progress. With every launch of a burst
 * in flight at once, each step (directory, checkpoint, update, spawn) waits behind the
 * same step of every other task and all of them reach RUNNING together at the end; with a
 * bound, the first tasks are RUNNING while later ones wait, at the same throughput.
 */
export class LaunchGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** At most `limit` (at least 1) runs at a time. */
  constructor(private readonly limit: number) {}

  /** Runs `fn` once a slot is free, in arrival order. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= Math.max(1, this.limit)) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter (active stays the same).
      if (next) next();
      else this.active--;
    }
  }

  /** Launches waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
