/**
 * A {@link Clock} whose timers are batched: every timer due in the same slot of
 * `resolutionMs` shares one Node timer. Fifty thousand simulated agents each keep a
 * heartbeat, a resend timer per unacknowledged update and a timer per running task; with
 * one Node timer per slot, a heartbeat round of every agent is a few hundred Node timers
 * instead of fifty thousand, and a task's end may come up to one slot late.
 */
import type { Clock, Timer } from '../shared/clock.js';

/** The longest delay setTimeout honours (a signed 32-bit count of milliseconds). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Slot {
  readonly due: number;
  readonly fns: Set<() => void>;
  handle: NodeJS.Timeout | undefined;
}

/** Timers grouped by the slot they fall due in. */
export class BatchedClock implements Clock {
  private readonly slots = new Map<number, Slot>();

  /**
   * @param resolutionMs - the slot width: timers fire at most this much late
   * @param onError - gets a timer's exception after the rest of its slot ran (default:
   *   thrown again, uncaught, as it would be from its own Node timer)
   */
  constructor(
    private readonly resolutionMs = 50,
    private readonly onError: (err: unknown) => void = rethrow,
  ) {
    if (!(resolutionMs >= 1)) throw new RangeError(`resolution must be >= 1 ms: ${resolutionMs}`);
  }

  /** Timers waiting to fire (for tests and the simulation's own figures). */
  get pending(): number {
    let n = 0;
    for (const s of this.slots.values()) n += s.fns.size;
    return n;
  }

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const wait = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
    const due = Math.ceil((Date.now() + wait) / this.resolutionMs) * this.resolutionMs;
    let slot = this.slots.get(due);
    if (!slot) {
      slot = { due, fns: new Set(), handle: undefined };
      this.slots.set(due, slot);
      this.arm(slot);
    }
    // Each timer is its own function object, so the same fn set twice is two timers.
    const entry = (): void => fn();
    slot.fns.add(entry);
    const owner = slot;
    return {
      cancel: () => {
        if (!owner.fns.delete(entry) || owner.fns.size > 0) return;
        clearTimeout(owner.handle);
        if (this.slots.get(owner.due) === owner) this.slots.delete(owner.due);
      },
    };
  }

  /** Cancels every timer (the simulation is closing). */
  clear(): void {
    for (const s of this.slots.values()) clearTimeout(s.handle);
    this.slots.clear();
  }

  private arm(slot: Slot): void {
    const left = slot.due - Date.now();
    slot.handle = setTimeout(
      () => {
        if (slot.due > Date.now()) this.arm(slot);
        else this.fire(slot);
      },
      Math.min(Math.max(0, left), MAX_TIMEOUT_MS),
    );
    // A pending timer must never keep a stopping process alive.
    slot.handle.unref();
  }

  private fire(slot: Slot): void {
    if (this.slots.get(slot.due) === slot) this.slots.delete(slot.due);
    const failures: unknown[] = [];
    for (const fn of slot.fns) {
      try {
        fn();
      } catch (err) {
        // One timer's exception must not starve the others in its slot.
        failures.push(err);
      }
    }
    slot.fns.clear();
    for (const err of failures) this.onError(err);
  }
}

function rethrow(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
