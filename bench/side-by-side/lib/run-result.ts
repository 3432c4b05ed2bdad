/** What one timed run of either scheduler reports. */
import type { Figures } from './figures.js';
import type { RequestCounts } from './requests.js';

/** A client rate limit as the JSON states it. */
export interface LimitUsed {
  /** Requests a second; null: none. */
  qps: number | null;
  burst: number | null;
  /** Where it comes from: the scheduler's default, or the bench's equal limit. */
  source: 'default' | 'equal';
}

/** One run: M objects created at once, timed creation → running through a watch. */
export interface RunResult {
  scheduler: 'kube-scheduler' | 'mezzo';
  limit: LimitUsed;
  nodes: number;
  objects: number;
  /** First create to the last create's response (ms). */
  all_created_ms: number;
  /** Every object got there before the run's time limit. */
  completed: boolean;
  to_running: Figures;
  /** CPU seconds each process used from the first create to the end of the run. */
  cpu_s: Record<string, number>;
  /** The machine's 1-minute load average at the start and the end of the run. */
  load: { start: number; end: number };
  /**
   * Requests the apiserver served from the first create until every object was running
   * (watches left out), by `VERB resource[/subresource]`: the bench's creates, the
   * scheduler's writes and, for kube-scheduler, KWOK's; and each over the object count.
   */
  requests: { total: RequestCounts; per_object: RequestCounts };
  /**
   * Mezzo only: the controller's offers over the run by outcome (`made`, `accepted`,
   * `declined`, …, from its mezzo_controller_offers_total), in all and per object.
   */
  offers?: { total: RequestCounts; per_object: RequestCounts };
}
