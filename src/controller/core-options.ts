/**
 * What {@link ControllerCore} is configured with: timings, bounds, the offer policy, and
 * the callbacks through which the store mirror and event recorder follow it.
 */
import type { AccessControl } from '../auth/types.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { FrameworkCallLimit } from './call-pacing.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from './records.js';

/** Settings of the controller core (times in milliseconds). */
export interface CoreOptions {
  /** How callers are authenticated and authorized (src/auth/). */
  access?: AccessControl;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  offerTimeoutMs?: number;
  agentPingIntervalMs?: number;
  agentPingTimeoutMs?: number;
  frameworkHeartbeatMs?: number;
  allocationIntervalMs?: number;
  /** Offers one framework gets in one allocation pass at most (0, the default: no bound). */
  maxOffersPerFrameworkPerPass?: number;
  /**
   * Whether a framework's offers a pass follow the offers it used (offer-allowance.ts;
   * default true; false: every free agent each pass, as in Mesos).
   */
  adaptiveOffers?: boolean;
  /** Completed tasks kept in memory per framework (Mesos' default: 1,000). */
  maxCompletedTasksPerFramework?: number;
  /** Removed frameworks whose completed tasks are kept in memory (Mesos' default: 50). */
  maxCompletedFrameworks?: number;
  /**
   * Called after any task status change, for the store mirror, which then reports the
   * write with {@link ControllerCore.taskWritten}.
   */
  onTaskChanged?: (task: TaskRecord) => void;
  /** Called after agent registration or loss. */
  onAgentChanged?: (agent: AgentRecord) => void;
  /** Called after a framework (dis)connects or is removed. */
  onFrameworkChanged?: (fw: FrameworkRecord, removed: boolean) => void;
  /**
   * Bytes of events a framework's gRPC stream may hold unread before it is ended
   * (bounded-subscription.ts; default 16 MiB).
   */
  maxUnreadEventBytes?: number;
  /**
   * The pace of each principal's scheduler calls (call-pacing.ts; default
   * `DEFAULT_FRAMEWORK_CALL_LIMIT`); null: unpaced.
   */
  frameworkCallLimit?: FrameworkCallLimit | null;
  /** After how long of declining every offer a framework gets an OffersDeclined event. */
  declineWarnAfterMs?: number;
  /** Called with a user-visible event about a framework. */
  onFrameworkEvent?: (
    fw: FrameworkRecord,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) => void;
}

/** The options that are callbacks (optional even once defaults are filled in). */
export type CoreCallbacks =
  'onTaskChanged' | 'onAgentChanged' | 'onFrameworkChanged' | 'onFrameworkEvent';
