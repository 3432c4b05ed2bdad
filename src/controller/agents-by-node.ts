/**
 * Agent IDs by node (the name of the node's Agent object), indexed both ways: finding the
 * agents on one node must not walk every agent, since each new agent's registration asks
 * (50,000 registrations over 50,000 agents would be O(N²)).
 */
export class AgentsByNode {
  private readonly byNode = new Map<string, Set<string>>();
  private readonly nodeOf = new Map<string, string>();

  /** Places agent `id` on `node` (moving it when it was on another). */
  set(id: string, node: string): void {
    const was = this.nodeOf.get(id);
    if (was === node) return;
    if (was !== undefined) this.remove(id);
    this.nodeOf.set(id, node);
    let ids = this.byNode.get(node);
    if (!ids) {
      ids = new Set();
      this.byNode.set(node, ids);
    }
    ids.add(id);
  }

  /** Forgets agent `id`. */
  remove(id: string): void {
    const node = this.nodeOf.get(id);
    if (node === undefined) return;
    this.nodeOf.delete(id);
    const ids = this.byNode.get(node);
    ids?.delete(id);
    if (ids?.size === 0) this.byNode.delete(node);
  }

  /** Whether agent `id` is on some node here. */
  has(id: string): boolean {
    return this.nodeOf.has(id);
  }

  /** The agents on `node` (a copy: the caller may remove while it iterates). */
  on(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])];
  }
}
