/**
 * Frameworks' scheduler calls paced per principal, as Mesos' `--rate_limits` paces
 * frameworks' messages: a call waits its turn past the principal's burst and is refused
 * (RESOURCE_EXHAUSTED on gRPC, 429 on the Mesos HTTP API) past a queue as deep as the
 * burst, so one caller cannot spend the controller's event loop that every other
 * framework and agent shares. A call costs one token, a reconciliation one more for every
 * {@link TASKS_PER_TOKEN} tasks it is answered about: a single call naming 10,000 tasks
 * writes 10,000 updates.
 */
import type { Principal } from '../auth/types.js';
import { RateLimiter } from '../auth/rate-limit.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ControllerMetrics } from './metrics.js';
import type { FrameworkRecord } from './records.js';

/** Calls (in tokens) a principal may make: `burst` at once, `ratePerSecond` after. */
export interface FrameworkCallLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/**
 * The default: a principal's calls held to about a fifth of a core here (3,500 plain
 * calls a second cost the controller 0.65 of one, bench/flood), well above what the
 * built-in frameworks make at 230 tasks a second (about three acknowledgements a task).
 */
export const DEFAULT_FRAMEWORK_CALL_LIMIT: FrameworkCallLimit = {
  ratePerSecond: 1_000,
  burst: 2_000,
};

/** Tasks of a reconciliation answered for one token. */
export const TASKS_PER_TOKEN = 10;

/** Tokens a reconciliation answering `tasks` tasks costs. */
export function reconcileCost(tasks: number): number {
  return 1 + Math.ceil(tasks / TASKS_PER_TOKEN);
}

/**
 * Tokens a reconciliation by `fw` naming `asked` tasks costs, on every wire: none named is
 * an implicit one, answered for each task the framework holds.
 */
export function reconcileCallCost(fw: FrameworkRecord, asked: number): number {
  return reconcileCost(asked > 0 ? asked : fw.tasks.size);
}

/** Why a call was refused, with when to try again. */
export interface CallRefusal {
  readonly retryAfterS: number;
  readonly message: string;
}

/** How long a principal's refusals are logged once. */
const LOG_EVERY_MS = 60_000;

/** The per-principal pace of scheduler calls; `null` limit: every call at once. */
export class CallPacer {
  private readonly limiter: RateLimiter | undefined;
  private readonly logged = new Map<string, number>();

  constructor(
    limit: FrameworkCallLimit | null,
    private readonly clock: Clock,
    private readonly m: ControllerMetrics,
    private readonly log: Logger,
  ) {
    this.limiter = limit
      ? new RateLimiter({ ...limit, queue: limit.burst }, () => clock.now())
      : undefined;
  }

  /** Resolves when `who` may make a call of `cost` tokens, or with why it may not. */
  async admit(who: Principal, cost = 1): Promise<CallRefusal | undefined> {
    if (!this.limiter) return undefined;
    const key = `${who.username}\u0000${who.uid ?? ''}`;
    const outcome = this.limiter.take(key, cost);
    if (!outcome.ok) {
      this.m.frameworkCallsPaced.inc({ outcome: 'refused' });
      this.logRefusal(key, who, cost);
      return {
        retryAfterS: outcome.retryAfterS,
        message: `user "${who.username}" made more scheduler calls than allowed; retry in ${String(outcome.retryAfterS)} s`,
      };
    }
    if (outcome.waitMs > 0) {
      this.m.frameworkCallsPaced.inc({ outcome: 'delayed' });
      await new Promise<void>((resolve) => {
        this.clock.setTimer(outcome.waitMs, resolve);
      });
    }
    return undefined;
  }

  private logRefusal(key: string, who: Principal, cost: number): void {
    const now = this.clock.now();
    const last = this.logged.get(key);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    for (const [k, at] of this.logged) if (now - at >= LOG_EVERY_MS) this.logged.delete(k);
    this.logged.set(key, now);
    this.log.warn('scheduler calls refused: the caller is past its rate', {
      principal: who.username,
      cost,
    });
  }
}
