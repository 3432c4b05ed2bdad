/**
 * What changed since the last pass, for the next incremental one: the agents marked
 * (resources came back, an agent was added or changed) or everything (a framework-side
 * change: a framework added, a revive, a quota). The owner is told once per pass that one
 * is due, however many changes come before it runs.
 */
export class PendingWork {
  private readonly agents = new Set<string>();
  private all = false;
  private notified = false;

  /** `due` is called at the first change after a pass. */
  constructor(private readonly due: () => void) {}

  /** Something changed on this agent. */
  agent(id: string): void {
    this.agents.add(id);
    this.notify();
  }

  /** Something changed that any free agent may serve. */
  everything(): void {
    this.all = true;
    this.notify();
  }

  /** The agent is gone: nothing to do for it. */
  forget(id: string): void {
    this.agents.delete(id);
  }

  /** Whether a change is waiting for a pass. */
  any(): boolean {
    return this.all || this.agents.size > 0;
  }

  /** Tells the owner again if work waits (after allocation was paused). */
  renotify(): void {
    if (this.any()) this.notify();
  }

  /**
   * Takes what is pending: every free agent after a framework-side change, else the agents
   * marked; undefined when nothing is. Either way the next change notifies again.
   */
  take(freeAgents: Iterable<string>): string[] | undefined {
    const ids = this.all ? [...freeAgents] : this.agents.size > 0 ? [...this.agents] : undefined;
    this.clear();
    return ids;
  }

  /** A pass is running over everything: what was marked is covered. */
  clear(): void {
    this.all = false;
    this.agents.clear();
    this.notified = false;
  }

  private notify(): void {
    if (this.notified) return;
    this.notified = true;
    this.due();
  }
}
