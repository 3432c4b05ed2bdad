/**
 * Wakes the allocator when its next refuse filter lapses. The allocator keeps no timers:
 * it tells when the next filter lapses (`nextFilterExpiry`) and its owner looks then.
 * Without this an agent whose filter lapsed waited for whatever pass came next: one a
 * decline started, until declines stopped starting passes (session 14), or the periodic
 * one, up to an allocation interval later.
 */
import type { Clock, Timer } from '../shared/clock.js';

/**
 * Lapses this close together are taken in one pass: with thousands of agents declined
 * under filters, one pass per lapse would be one pass per agent.
 */
const COALESCE_MS = 10;

/** One timer, set for the earliest lapse the allocator knows of. */
export class FilterWakeup {
  private timer: Timer | undefined;
  private at = Infinity;

  constructor(
    private readonly clock: Clock,
    /** The allocator's next filter expiry (ms), if any. */
    private readonly next: () => number | undefined,
    /** Schedules an incremental pass (which takes every lapsed filter's agent). */
    private readonly wake: () => void,
  ) {}

  /** Looks at the next lapse again: after a pass, and after a filter is installed. */
  watch(): void {
    const next = this.next();
    if (next === undefined || next >= this.at) return;
    this.timer?.cancel();
    this.at = next;
    const delay = Math.max(COALESCE_MS, next - this.clock.now());
    this.timer = this.clock.setTimer(delay, () => {
      this.timer = undefined;
      this.at = Infinity;
      this.wake();
    });
  }

  /** Cancels the timer (the controller stops). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.at = Infinity;
  }
}
