/**
 * An agent's (re-)registration, validated beforehand, and its liveness. The agent is
 * authoritative about its tasks, as Mesos' master treats a re-registering agent: what it
 * reports rebuilds what this controller lost (its own restart) or confirms what it
 * recovered from the store; a task the controller placed there that the agent does not
 * report is TASK_DROPPED (never launched) or TASK_GONE; a task the controller already
 * declared over but the agent still runs is killed, and so is one a restarted controller
 * finds over on its Task object (stored-finals.ts). Terminal tasks the controller did not
 * know are noted and recorded when the agent sends their updates. An agent silent for the
 * ping timeout is unreachable: its offers are rescinded and its tasks TASK_UNREACHABLE
 * until it comes back, unless a new agent took its node (agent-replacement.ts).
 */
import { Resources } from '../allocator/index.js';
import type { AgentInfo__Output } from '../gen/mezzo/v1/AgentInfo.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { ControllerCore } from './core.js';
import { isTerminal, type AgentRecord, type TaskRecord } from './records.js';
import type { AgentLink } from './agent-link.js';
import { deliver } from './status-flow.js';
import { agentNode, replaceAgentsOnNode, replacedOnTimeout } from './agent-replacement.js';

/**
 * The transport keepalive of the server agents connect to. Agent liveness is the ping
 * timeout's to judge (an agent silent that long is unreachable); an HTTP/2 keepalive
 * stricter than that judged it first, and wrongly: gRPC's ping timer fires before a
 * stalled event loop reads the answer already waiting, so a controller (or a process of
 * simulated agents) busy for 5 s dropped whole connections, up to a thousand agents each,
 * whose re-registrations then made the next stall. Its timeout is the ping timeout.
 */
export function agentTransportKeepalive(agentPingTimeoutMs: number): {
  'grpc.keepalive_timeout_ms': number;
} {
  return { 'grpc.keepalive_timeout_ms': Math.max(5_000, agentPingTimeoutMs) };
}

/** One reported task with its latest status (undefined when it has none yet). */
interface Reported {
  info: TaskInfo__Output;
  status: TaskStatus__Output | undefined;
}

/** Registers or re-registers an agent with the tasks it reports. */
export function registerAgent(
  core: ControllerCore,
  link: AgentLink,
  info: AgentInfo__Output,
  tasks: readonly TaskInfo__Output[],
  statuses: readonly TaskStatus__Output[],
): AgentRecord {
  const id = info.id || core.newId('agent');
  const total = Resources.fromProto(info.resources);
  const existing = core.agents.get(id);
  if (existing) {
    existing.pingTimer?.cancel();
    if (existing.stream && existing.stream !== link) existing.stream.end();
  }
  const agent: AgentRecord = existing ?? {
    id,
    info,
    total,
    stream: link,
    lastSeen: core.clock.now(),
    state: 'active',
    tasks: new Set(),
    pingTimer: undefined,
  };
  agent.info = { ...info, id };
  agent.stream = link;
  agent.lastSeen = core.clock.now();
  const wasUnreachable = existing?.state === 'unreachable';
  agent.state = 'active';
  agent.reportedDone = new Map();
  core.agentsReportingDone.delete(agent);
  agent.replacedBy = undefined;
  const reported = new Set<string>();
  for (const [i, t] of tasks.entries()) {
    const s = statuses[i];
    // An empty status stands for a task without any update yet (still launching).
    const status = s && s.task_id !== '' ? s : undefined;
    reported.add(t.task_id);
    adopt(core, agent, { info: t, status }, !existing);
  }
  dropUnreported(core, agent, reported);
  if (!existing) {
    core.agents.set(id, agent);
    core.allocator.addAgent(
      id,
      {
        hostname: info.hostname,
        attributes: Object.fromEntries(info.attributes.map((a) => [a.name, a.text])),
      },
      total,
      core.usedOn(agent),
    );
  } else {
    if (!existing.total.equals(total)) {
      core.allocator.updateAgent(id, total);
      existing.total = total;
    }
    if (wasUnreachable) core.allocator.activateAgent(id);
  }
  const node = agentNode(info, id);
  core.agentNodes.set(id, node);
  if (!info.id) replaceAgentsOnNode(core, id, node);
  link.write({
    registered: {
      agent_id: id,
      heartbeat_interval_seconds: core.opts.agentPingIntervalMs / 1000,
      max_batch_bytes: link.readBatchBytes,
    },
  });
  // An agent from before batches announces none: each message goes alone, as before.
  link.batchUpTo(info.max_batch_bytes);
  core.log.info('agent registered', {
    agent: id,
    hostname: info.hostname,
    tasks: agent.tasks.size,
    again: !!existing,
  });
  schedulePing(core, agent);
  core.opts.onAgentChanged?.(agent);
  return agent;
}

/**
 * Takes one reported task into the controller's records. For a new agent, the allocator
 * counts the tasks in `agent.tasks` when the agent is added.
 */
function adopt(
  core: ControllerCore,
  agent: AgentRecord,
  { info, status }: Reported,
  newAgent: boolean,
): void {
  const known = core.tasks.get(info.task_id);
  if (known && known.agentId !== agent.id && !known.fromStore) {
    core.log.warn('agent reports a task the controller has on another agent; ignored', {
      agent: agent.id,
      task: info.task_id,
      knownOn: known.agentId,
    });
    return;
  }
  const done = status !== undefined && isTerminal(status.state);
  const stored = known || done ? undefined : core.storedFinals.get(info.task_id);
  if (stored?.frameworkId === info.framework_id && stored.agentId === agent.id) {
    // Declared over while the agent was away, before this controller started: its Task
    // object holds the final state its framework was told (or will be, by reconciliation).
    // As for a task this controller knows as terminal, the live task is killed; what the
    // agent says of it is acknowledged, not recorded (status-flow.ts), so it never
    // overrides that final state.
    agent.stream?.write({ kill_task: { task_id: info.task_id, framework_id: stored.frameworkId } });
    return;
  }
  if (!known) {
    // A finished task is recorded when its undelivered update arrives (the agent sends
    // it right after this), so that its Task object is written once, with that update.
    if (status && done) {
      agent.reportedDone?.set(info.task_id, { info, status });
      core.agentsReportingDone.add(agent);
    } else newRecord(core, agent, info, status);
    return;
  }
  const fromStore = known.fromStore === true;
  if (fromStore) {
    // Rebuilt from its Task object: the agent's report is the full story.
    known.fromStore = false;
    known.info = { ...info, agent_id: agent.id };
    known.agentId = agent.id;
    known.resources = Resources.fromProto(info.resources);
  }
  if (isTerminal(known.state)) {
    // The controller declared it over (killed while its agent was away, its framework
    // removed): if the agent still runs it, make it so.
    if (!done)
      agent.stream?.write({ kill_task: { task_id: known.id, framework_id: known.frameworkId } });
    return;
  }
  if (status && !done && (known.state === 'TASK_UNREACHABLE' || known.state === 'TASK_LOST')) {
    // The agent is back: restore the reported state and tell the framework (no uuid:
    // the agent does not expect an acknowledgement for this one).
    const restored = { ...status, uuid: Buffer.alloc(0), message: 'agent re-registered' };
    core.applyStatus(restored);
    deliver(core, known, restored);
  } else if (fromStore && status && status.state !== known.state) {
    // The agent knows better than the Task object; its unacknowledged updates follow.
    // (A store-recovered task never held resources in the allocator.)
    known.state = status.state;
    known.status = status;
    core.taskChanged(known);
  }
  if (isTerminal(known.state)) {
    core.complete(known);
    return;
  }
  agent.tasks.add(known.id);
  if (newAgent) known.recovered = false;
}

function newRecord(
  core: ControllerCore,
  agent: AgentRecord,
  info: TaskInfo__Output,
  status: TaskStatus__Output | undefined,
): void {
  const rec: TaskRecord = {
    id: info.task_id,
    frameworkId: info.framework_id,
    agentId: agent.id,
    info: { ...info, agent_id: agent.id },
    resources: Resources.fromProto(info.resources),
    role: '',
    state: status?.state ?? 'TASK_STAGING',
    status,
    recovered: false,
    adopted: true,
  };
  core.tasks.set(rec.id, rec);
  core.frameworks.get(rec.frameworkId)?.tasks.add(rec.id);
  agent.tasks.add(rec.id);
  core.taskChanged(rec);
}

/**
 * Tasks the controller has on the agent (placed by it, or recovered from the store after
 * a restart) that the re-registering agent does not report: a launch lost with the old
 * stream (TASK_DROPPED) or a task the agent no longer has (TASK_GONE). The framework is
 * told, so that it can launch again instead of waiting for a task that will never report.
 */
function dropUnreported(core: ControllerCore, agent: AgentRecord, reported: Set<string>): void {
  const candidates = new Set([...agent.tasks, ...core.recovery.take(agent.id)]);
  for (const taskId of candidates) {
    const task = core.tasks.get(taskId);
    if (reported.has(taskId) || !task || task.agentId !== agent.id || isTerminal(task.state))
      continue;
    task.fromStore = false;
    const never = task.state === 'TASK_STAGING' || task.state === 'TASK_STARTING';
    core.declare(
      task,
      never ? 'TASK_DROPPED' : 'TASK_GONE',
      'REASON_AGENT_RESTARTED',
      never
        ? 'the launch did not reach the agent before it re-registered'
        : 'the agent re-registered without the task',
    );
    agent.tasks.delete(taskId);
  }
}

function schedulePing(core: ControllerCore, agent: AgentRecord): void {
  agent.pingTimer?.cancel();
  agent.pingTimer = core.clock.setTimer(core.opts.agentPingIntervalMs, () => {
    if (core.agents.get(agent.id) !== agent) return;
    const silentMs = core.clock.now() - agent.lastSeen;
    if (silentMs >= core.opts.agentPingTimeoutMs && agent.state === 'active') {
      if (replacedOnTimeout(core, agent)) return;
      markUnreachable(core, agent);
    } else if (silentMs >= core.opts.agentPingIntervalMs) {
      // An agent that spoke within the interval (its own ping, an update) is alive: a
      // ping would only double the traffic, 50,000 writes per interval at that scale.
      agent.stream?.write({ ping: { nonce: core.clock.now() } });
    }
    schedulePing(core, agent);
  });
}

function markUnreachable(core: ControllerCore, agent: AgentRecord): void {
  core.log.warn('agent unreachable', { agent: agent.id, hostname: agent.info.hostname });
  agent.state = 'unreachable';
  agent.stream?.end();
  agent.stream = undefined;
  core.allocator.deactivateAgent(agent.id);
  core.rescind(core.offers.ofAgent(agent.id));
  for (const id of agent.tasks) {
    const t = core.tasks.get(id);
    if (!t || isTerminal(t.state)) continue;
    core.markUnreachable(t, 'agent stopped answering pings');
  }
  core.opts.onAgentChanged?.(agent);
}
