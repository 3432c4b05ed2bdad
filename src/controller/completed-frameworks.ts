/**
 * Frameworks that are gone (torn down, failed over past their timeout, their object
 * deleted), as Mesos' console listed "completed frameworks": the newest
 * `--max_completed_frameworks` (50) are kept, the oldest leave first.
 */
import type { FrameworkRecord } from './records.js';

/** What is kept of a removed framework. */
export interface CompletedFramework {
  id: string;
  name: string;
  user: string;
  principal?: string;
  roles: string[];
  registeredAt: number;
  /** When it was removed (ms since the epoch). */
  removedAt: number;
  /** Why: "teardown requested", "failover timeout expired", … */
  reason: string;
  /** How many tasks it had when removed. */
  tasks: number;
}

/** A bounded list of removed frameworks, oldest first. */
export class CompletedFrameworks {
  private readonly list: CompletedFramework[] = [];

  constructor(private readonly bound: number) {
    if (!Number.isInteger(bound) || bound < 0) {
      throw new RangeError(`completed-framework bound must be an integer >= 0, got ${bound}`);
    }
  }

  /** Records a framework removed at `now` for `reason`. */
  add(fw: FrameworkRecord, reason: string, now: number): void {
    if (this.bound === 0) return;
    this.list.push({
      id: fw.id,
      name: fw.info.name,
      user: fw.info.user,
      ...(fw.principal ? { principal: fw.principal.username } : {}),
      roles: [...fw.roles],
      registeredAt: fw.registeredAt,
      removedAt: now,
      reason,
      tasks: fw.tasks.size,
    });
    if (this.list.length > this.bound) this.list.splice(0, this.list.length - this.bound);
  }

  /** The kept frameworks, oldest first. */
  all(): readonly CompletedFramework[] {
    return this.list;
  }
}
