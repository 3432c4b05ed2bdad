/**
 * What a simulation counts, summed over its agents: plain numbers, because fifty thousand
 * agents each updating Prometheus series would cost more than the agents themselves. The
 * registry is only where the shared message dispatch counts what it refuses.
 */
import { MetricsRegistry } from '../shared/metrics.js';

/** Totals over every agent of one simulation. */
export class SimCounters {
  /** Tasks launched. */
  launched = 0;
  /** Status updates generated (each is sent until acknowledged). */
  updates = 0;
  /** Status update sends, resends included. */
  updatesSent = 0;
  /** Resends of an unacknowledged update. */
  retries = 0;
  /** Registrations and re-registrations answered by the controller. */
  registrations = 0;
  /** The shared registry for the dispatch's rejected-messages counter. */
  readonly registry = new MetricsRegistry();

  /** The totals as a plain object (for JSON). */
  snapshot(): Record<'launched' | 'updates' | 'updatesSent' | 'retries' | 'registrations', number> {
    return {
      launched: this.launched,
      updates: this.updates,
      updatesSent: this.updatesSent,
      retries: this.retries,
      registrations: this.registrations,
    };
  }
}
