/**
 * Status updates between agents and frameworks, with Mesos' guarantees. An agent keeps
 * each update in its fsync'd log and resends it until it is acknowledged; the controller
 * records the update (the task record, and through the store mirror the Task object),
 * forwards it to the task's framework or, while the framework is disconnected, keeps it
 * for its resubscription — and passes on the framework's acknowledgement. The controller
 * never acknowledges an update itself, with one exception: an update for a framework it
 * removed for good (nobody is left to acknowledge it, and the agent was told to shut the
 * framework down). So an update is acknowledged to the agent only once its framework
 * has it, and a controller restart loses nothing: the agent still holds it and resends
 * it to the next controller, which rebuilds the task from the agent's report.
 */
import type { TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import { Resources } from '../allocator/index.js';
import type { ControllerCore } from './core.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from './records.js';
import { shareGroupFate } from './task-group.js';

const hasUuid = (s: TaskStatus): boolean => s.uuid !== undefined && s.uuid.length > 0;

/** States an agent reports while it still runs the task, and so reports again. */
const LIVE_STATES: ReadonlySet<TaskStatus['state']> = new Set([
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
]);

/**
 * Writes a task's status to its framework, or keeps it until the framework resubscribes:
 * an agent's update (it has a uuid) until the framework acknowledges it, one made by the
 * controller until it is sent.
 */
export function deliver(core: ControllerCore, task: TaskRecord, status: TaskStatus): void {
  const fromAgent = hasUuid(status);
  if (fromAgent) {
    task.unacked = status;
    // The agent's update is newer than anything the controller said meanwhile.
    task.unsent = undefined;
  } else {
    task.unsent = status;
  }
  const fw = core.frameworks.get(task.frameworkId);
  if (fw?.connected && fw.stream) {
    fw.stream.write({ type: 'UPDATE', update: { status } });
    if (fromAgent) core.m.updatesForwarded.inc();
    else task.unsent = undefined;
  } else if (!fw && core.completed.isRemoved(task.frameworkId)) {
    // Nobody is left to acknowledge: the agent must not resend it for ever.
    if (fromAgent) ackToAgent(core, task.agentId, task.id, task.frameworkId, status.uuid);
    task.unacked = undefined;
    task.unsent = undefined;
  }
  core.complete(task);
}

/** Sends an agent the acknowledgement of one of its updates. */
function ackToAgent(
  core: ControllerCore,
  agentId: string,
  taskId: string,
  frameworkId: string,
  uuid: TaskStatus['uuid'],
): void {
  core.agents.get(agentId)?.stream?.write({
    acknowledgement: { task_id: taskId, framework_id: frameworkId, uuid: uuid ?? '' },
  });
}

/** The framework acknowledged an update: pass it to the agent; the task may now complete. */
export function acknowledged(core: ControllerCore, task: TaskRecord, uuid: Buffer): void {
  // The agent knows which update is at the head of the task's stream and ignores others.
  const pending = task.unacked;
  const isPending =
    pending?.uuid !== undefined && Buffer.from(pending.uuid as Uint8Array).equals(uuid);
  // An agent forgets a task once its terminal update is acknowledged: until the store has
  // that state, the agent's copy is the only durable one, and a controller restarted
  // before the write would rebuild the task from a stale object that no agent corrects
  // (seen in the soak as FINISHED, then GONE). A live task's state is not lost that way:
  // its agent reports it again when it re-registers, and reconciliation holds its answer
  // for a task rebuilt from the store until then (reconcile.ts). So only an update of a
  // live state goes on at once (any other, or one not known here, waits for the write):
  // the agent's next update need not wait behind a write of a state it will supersede.
  const waits = !isPending || !LIVE_STATES.has(pending.state);
  if (waits && core.opts.onTaskChanged && task.mirrored !== task.version) {
    task.ackAfterWrite = uuid;
  } else {
    ackToAgent(core, task.agentId, task.id, task.frameworkId, uuid);
  }
  if (isPending) {
    task.unacked = undefined;
    core.complete(task);
  }
}

/** The store mirror wrote the task: pass on an acknowledgement held back for the write. */
export function written(core: ControllerCore, task: TaskRecord): void {
  const uuid = task.ackAfterWrite;
  if (uuid === undefined || task.mirrored !== task.version) return;
  task.ackAfterWrite = undefined;
  ackToAgent(core, task.agentId, task.id, task.frameworkId, uuid);
}

/** A framework (re)subscribed: what it has not received or acknowledged, oldest first. */
export function redeliver(core: ControllerCore, fw: FrameworkRecord): void {
  // Its own tasks only: 200 frameworks resubscribing must not each walk 100,000 tasks.
  for (const id of fw.tasks) {
    const t = core.tasks.get(id);
    if (!t) continue;
    if (t.unacked) {
      fw.stream?.write({ type: 'UPDATE', update: { status: t.unacked } });
      core.m.updatesForwarded.inc();
    }
    if (t.unsent) {
      fw.stream?.write({ type: 'UPDATE', update: { status: t.unsent } });
      t.unsent = undefined;
      core.complete(t);
    }
  }
}

/**
 * A terminal task the agent reported at re-registration and that this controller did not
 * know: recorded now that the agent sends an update for it.
 */
function adoptReported(core: ControllerCore, agent: AgentRecord, taskId: string) {
  const reported = agent.reportedDone?.get(taskId);
  if (!reported) return undefined;
  agent.reportedDone?.delete(taskId);
  if (agent.reportedDone?.size === 0) core.agentsReportingDone.delete(agent);
  const { info, status } = reported;
  const rec: TaskRecord = {
    id: taskId,
    frameworkId: info.framework_id,
    agentId: agent.id,
    info: { ...info, agent_id: agent.id },
    resources: Resources.fromProto(info.resources),
    role: '',
    state: status.state,
    status,
    // It ended before this controller knew it: the allocator never counted it.
    recovered: true,
    adopted: true,
  };
  core.tasks.set(taskId, rec);
  core.frameworks.get(rec.frameworkId)?.tasks.add(taskId);
  core.taskChanged(rec);
  return rec;
}

/**
 * An agent's (validated) status update. Returns a reason when the update contradicts what
 * the controller knows of the task (the agent is then refused); undefined otherwise.
 */
export function agentStatus(
  core: ControllerCore,
  agent: AgentRecord,
  status: TaskStatus__Output,
): string | undefined {
  core.m.updatesReceived.inc();
  if (status.timestamp > 0) {
    core.m.statusUpdateSeconds.observe(Math.max(0, core.clock.now() / 1000 - status.timestamp));
  }
  if (status.agent_id && status.agent_id !== agent.id)
    return `status_update.status.agent_id: ${status.agent_id} is not this agent (${agent.id})`;
  const task = core.tasks.get(status.task_id) ?? adoptReported(core, agent, status.task_id);
  const stored = task ? undefined : core.storedFinals.get(status.task_id);
  if (stored?.frameworkId === status.framework_id && stored.agentId === agent.id) {
    // Declared over before this controller started while the agent still ran it, and
    // killed when the agent re-registered (agent-registration.ts): its Task object holds
    // the final state its framework was told; what the agent says of it is acknowledged,
    // so that its update stream moves on, and not recorded. (A task the agent reported
    // as ended is recorded by adoptReported and reaches its framework as usual.)
    ackToAgent(core, agent.id, status.task_id, status.framework_id, status.uuid);
    return undefined;
  }
  if (!task && core.completed.isRemoved(status.framework_id)) {
    ackToAgent(core, agent.id, status.task_id, status.framework_id, status.uuid);
    return undefined;
  }
  if (!task || task.agentId !== agent.id || task.frameworkId !== status.framework_id) {
    // Not recorded, so not acknowledged: the agent resends it (with backoff) until a
    // controller can record it. (A task known on another agent or of another framework
    // is not this agent's to update.)
    core.m.updatesUnrecorded.inc();
    core.log.warn('status update for a task the controller cannot record; not acknowledged', {
      agent: agent.id,
      task: status.task_id,
      framework: status.framework_id,
      state: status.state,
      knownOn: task?.agentId,
    });
    return undefined;
  }
  core.applyStatus(status);
  deliver(core, task, status);
  shareGroupFate(core, task);
  return undefined;
}
