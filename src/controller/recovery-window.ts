/**
 * What a restarted controller waits for, as Mesos' master does while it recovers agents:
 * the agents its Agent objects record as active, and the tasks rebuilt from the store's
 * Task objects until their agent confirms them by re-registering. Until an expected agent
 * is back or the ping timeout after this controller's start passes, a task may still be
 * reported (or a recovered one still be running), so reconciliation holds its answers.
 */
import type { Clock } from '../shared/clock.js';
import { AgentsByNode } from './agents-by-node.js';

/** The agents and store-recovered tasks a controller is waiting for. */
export class RecoveryWindow {
  private readonly expected = new Set<string>();
  /** The node (Agent object name) of each agent an Agent object named, in any state. */
  private readonly nodes = new AgentsByNode();
  /** Tasks recovered from the store, by the agent that has yet to confirm them. */
  private readonly awaited = new Map<string, Set<string>>();
  /** When this controller started. */
  readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly isBack: (agentId: string) => boolean,
  ) {
    this.startedAt = clock.now();
  }

  /**
   * The agents the Agent objects name (`node` is the object's name): those `active` before
   * this controller started are expected back.
   */
  expect(agents: Iterable<{ id: string; node: string; active: boolean }>): void {
    for (const { id, node, active } of agents) {
      this.nodes.set(id, node);
      if (active) this.expected.add(id);
    }
  }

  /** Whether an Agent object named `agentId` when this controller started. */
  named(agentId: string): boolean {
    return this.nodes.has(agentId);
  }

  /**
   * Agents an Agent object placed on `node` that have not re-registered, now that agent
   * `by` registered anew there (agent-replacement.ts): they are no longer waited for.
   */
  supersede(node: string, by: string): string[] {
    const gone = this.nodes.on(node).filter((id) => id !== by && !this.isBack(id));
    for (const id of gone) {
      this.expected.delete(id);
      this.nodes.remove(id);
    }
    return gone;
  }

  /** When the window after this controller's start closes (ms on the clock). */
  get closesAt(): number {
    return this.startedAt + this.timeoutMs;
  }

  /** Whether the window after this controller's start is still open. */
  get open(): boolean {
    return this.clock.now() - this.startedAt < this.timeoutMs;
  }

  /** Whether an expected agent (`agentId`, or any when empty) may still re-register. */
  waitingFor(agentId = ''): boolean {
    if (!this.open) return false;
    if (agentId) return this.expected.has(agentId) && !this.isBack(agentId);
    return [...this.expected].some((id) => !this.isBack(id));
  }

  /** A task recovered from the store that `agentId` has to confirm. */
  await(agentId: string, taskId: string): void {
    let set = this.awaited.get(agentId);
    if (!set) {
      set = new Set();
      this.awaited.set(agentId, set);
    }
    set.add(taskId);
  }

  /** The store-recovered tasks `agentId` has to confirm; asked once, at its registration. */
  take(agentId: string): Set<string> {
    const set = this.awaited.get(agentId) ?? new Set<string>();
    this.awaited.delete(agentId);
    return set;
  }

  /** Store-recovered tasks whose agent has not re-registered, by agent. */
  awaitedByAgent(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.awaited;
  }
}
