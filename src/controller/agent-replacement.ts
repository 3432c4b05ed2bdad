/**
 * An agent replaced on its node. Mesos' master removes a disconnected agent when a new
 * one registers at its address: the agent restarted without its checkpointed ID (a new
 * work dir, or killed before it stored the ID it was given), so the old one will never
 * re-register. Mezzo keeps one Agent object per node (named by node name, or hostname),
 * so the node is the address: an agent that registers without an ID on the node of a
 * known agent that is not connected replaces it. The old agent's tasks are TASK_GONE
 * (REASON_AGENT_REMOVED) at once, where they would otherwise stay TASK_UNREACHABLE for
 * ever; its frameworks launch again. A connected agent is never replaced; one that was
 * still connected when its successor registered is replaced when its ping timeout passes.
 */
import type { AgentInfo__Output } from '../gen/mezzo/v1/AgentInfo.js';
import type { ControllerCore } from './core.js';
import { isTerminal, type AgentRecord, type TaskRecord } from './records.js';

/** The node an agent is on: the name of its Agent object. */
export function agentNode(
  info: Pick<AgentInfo__Output, 'node_name' | 'hostname'>,
  id: string,
): string {
  return info.node_name || info.hostname || id;
}

/**
 * Agent `by` registered anew on `node`: every agent there that is not connected (a
 * record of this controller, or one a restarted controller still waits for) is removed,
 * and its unfinished tasks are TASK_GONE.
 */
export function replaceAgentsOnNode(core: ControllerCore, by: string, node: string): void {
  for (const id of core.agentNodes.on(node)) {
    const old = core.agents.get(id);
    if (!old || id === by) continue;
    if (old.state === 'active' && old.stream) old.replacedBy = by;
    else removeReplaced(core, old, by);
  }
  for (const id of core.recovery.supersede(node, by)) {
    const tasks = core.recovery.take(id);
    core.log.warn('agent replaced on its node', { agent: id, by, node, tasks: tasks.size });
    goneWith(core, id, tasks);
  }
}

/**
 * `agent` reached its ping timeout: when the new agent that registered on its node while
 * it was still connected is active, it is replaced now rather than unreachable.
 */
export function replacedOnTimeout(core: ControllerCore, agent: AgentRecord): boolean {
  const by = agent.replacedBy;
  if (by === undefined || core.agents.get(by)?.state !== 'active') return false;
  removeReplaced(core, agent, by);
  return true;
}

function removeReplaced(core: ControllerCore, old: AgentRecord, by: string): void {
  core.log.warn('agent replaced on its node', {
    agent: old.id,
    by,
    node: agentNode(old.info, old.id),
    tasks: old.tasks.size,
  });
  old.pingTimer?.cancel();
  old.stream?.end();
  old.stream = undefined;
  core.rescind(core.offers.ofAgent(old.id));
  // The tasks first: a final state gives their resources back on this agent.
  goneWith(core, old.id, new Set([...old.tasks, ...core.recovery.take(old.id)]));
  core.allocator.removeAgent(old.id);
  core.agents.delete(old.id);
  core.agentsReportingDone.delete(old);
  core.agentNodes.remove(old.id);
}

function goneWith(core: ControllerCore, agentId: string, taskIds: Iterable<string>): void {
  for (const taskId of taskIds) {
    const task = core.tasks.get(taskId);
    if (!task || task.agentId !== agentId || isTerminal(task.state)) continue;
    declareGone(core, task, 'its agent was replaced by a new agent on the same node');
  }
}

/**
 * Tells `task`'s framework (and its Task object) that the task is TASK_GONE with its
 * agent (REASON_AGENT_REMOVED), as Mesos does for the tasks of a removed agent.
 */
export function declareGone(core: ControllerCore, task: TaskRecord, message: string): void {
  task.fromStore = false;
  core.declare(task, 'TASK_GONE', 'REASON_AGENT_REMOVED', message);
}
