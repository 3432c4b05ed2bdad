/**
 * The finished tasks the controller keeps in memory, bounded as Mesos' master bounds them
 * (`--max_completed_tasks_per_framework`, 1,000, and `--max_completed_frameworks`, 50).
 * A task counts as completed once it is terminal and its framework has acknowledged its
 * last update (until then the agent and the controller still hold the update); past the
 * bound the oldest completed task of that framework leaves memory, and its Task object in
 * the store keeps its final state. A task leaves only after the store mirror has written
 * that final state, so pruning never loses it. Frameworks removed for good keep their
 * completed tasks until more than the bound of removed frameworks follow them.
 */

/** How much history to keep. */
export interface CompletedBounds {
  /** Completed tasks kept per framework. */
  tasksPerFramework: number;
  /** Removed frameworks whose completed tasks are kept. */
  frameworks: number;
}

/** Mesos' defaults. */
export const DEFAULT_COMPLETED_BOUNDS: Readonly<CompletedBounds> = {
  tasksPerFramework: 1000,
  frameworks: 50,
};

/** Parses a bound given as a command-line flag: a whole number >= 0. */
export function parseBound(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${flag}: "${value}" is not a whole number >= 0`);
  return n;
}

/** What the history asks of its owner. */
export interface CompletedOwner {
  /** Whether the store holds the task's final state (so memory may let it go). */
  written(taskId: string): boolean;
  /**
   * Whether the task must stay for now: an update of it is with its framework again (an
   * agent resent its final update because the acknowledgement was lost).
   */
  held(taskId: string): boolean;
  /** Drops the task from memory. */
  forget(taskId: string): void;
}

/** Completed tasks per framework, oldest first. */
export class CompletedTasks {
  // Sets iterate in insertion order: the first entry is the oldest completion.
  private readonly byFramework = new Map<string, Set<string>>();
  private readonly removed = new Set<string>();
  /** Removed frameworks pushed out of `removed`: their tasks go as soon as they may. */
  private readonly evicted = new Set<string>();

  constructor(
    private readonly bounds: CompletedBounds,
    private readonly owner: CompletedOwner,
  ) {
    for (const [name, v] of Object.entries(bounds)) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new RangeError(`completed-task bound ${name} must be an integer >= 0, got ${v}`);
    }
  }

  /** Records that a task of `frameworkId` completed; trims that framework's history. */
  add(frameworkId: string, taskId: string): void {
    let set = this.byFramework.get(frameworkId);
    if (!set) {
      set = new Set();
      this.byFramework.set(frameworkId, set);
    }
    if (set.has(taskId)) return;
    set.add(taskId);
    this.trim(frameworkId);
  }

  /** Whether the task is in the history. */
  has(frameworkId: string, taskId: string): boolean {
    return this.byFramework.get(frameworkId)?.has(taskId) ?? false;
  }

  /** How many completed tasks of the framework are held. */
  count(frameworkId: string): number {
    return this.byFramework.get(frameworkId)?.size ?? 0;
  }

  /** Records a framework removed for good; the oldest removed one past the bound goes. */
  frameworkRemoved(frameworkId: string): void {
    this.removed.add(frameworkId);
    for (const old of this.removed) {
      if (this.removed.size <= this.bounds.frameworks) break;
      this.removed.delete(old);
      this.evicted.add(old);
      this.trim(old);
    }
  }

  /** Whether the framework was removed for good by this controller (and is still remembered). */
  isRemoved(frameworkId: string): boolean {
    return this.removed.has(frameworkId) || this.evicted.has(frameworkId);
  }

  /** A task's final state reached the store: it may leave memory now if it is past the bound. */
  written(frameworkId: string): void {
    this.trim(frameworkId);
  }

  /** Drops the oldest completed tasks past the bound that may go. */
  private trim(frameworkId: string): void {
    const set = this.byFramework.get(frameworkId);
    if (!set) {
      this.evicted.delete(frameworkId);
      return;
    }
    const bound = this.evicted.has(frameworkId) ? 0 : this.bounds.tasksPerFramework;
    for (const id of set) {
      if (set.size <= bound) break;
      // A held task is passed over; an unwritten one stops the pass (the mirror writes in
      // order, so the ones after it are not written either).
      if (this.owner.held(id)) continue;
      if (!this.owner.written(id)) break;
      set.delete(id);
      this.owner.forget(id);
    }
    if (set.size === 0) {
      this.byFramework.delete(frameworkId);
      this.evicted.delete(frameworkId);
    }
  }
}
