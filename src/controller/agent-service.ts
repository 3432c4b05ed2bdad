/**
 * The agent gRPC service (mezzo.v1.Agent/Connect). An agent registers (or re-registers
 * with the tasks it runs after its own or the controller's restart), then streams status
 * updates, usage and pings. Updates are forwarded to the task's framework every time
 * they arrive (the agent resends until acknowledged, so delivery is at-least-once and
 * frameworks deduplicate by uuid); the framework's acknowledgement is passed back.
 * An agent silent for the ping timeout is unreachable: its offers are rescinded and its
 * tasks reported TASK_UNREACHABLE until it comes back.
 */
import { Resources } from '../allocator/index.js';
import type { AgentHandlers } from '../gen/mezzo/v1/Agent.js';
import type { AgentMessage__Output } from '../gen/mezzo/v1/AgentMessage.js';
import type { AgentInfo__Output } from '../gen/mezzo/v1/AgentInfo.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { ControllerCore } from './core.js';
import { isTerminal, type AgentRecord, type AgentStream, type TaskRecord } from './records.js';

/** Builds the handler over a controller core. */
export function agentService(core: ControllerCore): AgentHandlers {
  return {
    Connect(call: AgentStream) {
      let agent: AgentRecord | undefined;
      call.on('data', (m: AgentMessage__Output) => {
        switch (m.payload) {
          case 'register':
          case 'reregister': {
            const info = (m.register ?? m.reregister)?.agent_info;
            if (!info) return;
            agent = register(
              core,
              call,
              info,
              m.reregister?.tasks ?? [],
              m.reregister?.latest_statuses ?? [],
            );
            return;
          }
          case 'status_update':
            if (agent && m.status_update?.status) statusUpdate(core, agent, m.status_update.status);
            break;
          case 'ping':
            call.write({ pong: { nonce: m.ping?.nonce ?? 0 } });
            break;
          case 'file_data':
            if (m.file_data) core.files.answer(m.file_data);
            break;
          default:
            break;
        }
        if (agent) agent.lastSeen = core.clock.now();
      });
      const gone = () => {
        if (agent && agent.stream === call) agent.stream = undefined;
      };
      call.on('end', () => {
        gone();
        call.end();
      });
      call.on('error', gone);
      call.on('cancelled', gone);
    },
  };
}

function register(
  core: ControllerCore,
  call: AgentStream,
  info: AgentInfo__Output,
  tasks: TaskInfo__Output[],
  statuses: TaskStatus__Output[],
): AgentRecord {
  const id = info.id || core.newId('agent');
  let total: Resources;
  try {
    total = Resources.fromProto(info.resources);
  } catch (err) {
    core.log.error('agent registered with invalid resources', { agent: id, error: String(err) });
    total = Resources.EMPTY;
  }
  const existing = core.agents.get(id);
  if (existing) {
    existing.pingTimer?.cancel();
    if (existing.stream && existing.stream !== call) existing.stream.end();
  }
  const agent: AgentRecord = existing ?? {
    id,
    info,
    total,
    stream: call,
    lastSeen: core.clock.now(),
    state: 'active',
    tasks: new Set(),
    pingTimer: undefined,
  };
  agent.info = { ...info, id };
  agent.stream = call;
  agent.lastSeen = core.clock.now();
  const wasUnreachable = existing?.state === 'unreachable';
  agent.state = 'active';
  // Tasks the agent reports: rebuild records the controller lost (its own restart).
  for (const [i, t] of tasks.entries()) {
    const status = statuses[i];
    if (!status || isTerminal(status.state)) continue;
    const known = core.tasks.get(t.task_id);
    if (known && (known.state === 'TASK_UNREACHABLE' || known.state === 'TASK_LOST')) {
      // The agent is back and is authoritative about its tasks: restore the reported state
      // and tell the framework (no uuid: the agent does not expect an acknowledgement).
      const restored = { ...status, uuid: Buffer.alloc(0), message: 'agent re-registered' };
      known.agentId = id;
      core.applyStatus(restored);
      core.sendTo(known.frameworkId, { type: 'UPDATE', update: { status: restored } });
    }
    if (!known) {
      const rec: TaskRecord = {
        id: t.task_id,
        frameworkId: t.framework_id,
        agentId: id,
        info: t,
        resources: Resources.fromProto(t.resources),
        role: '',
        state: status.state,
        status,
        recovered: false,
      };
      core.tasks.set(rec.id, rec);
      core.frameworks.get(rec.frameworkId)?.tasks.add(rec.id);
      core.opts.onTaskChanged?.(rec);
    }
    agent.tasks.add(t.task_id);
  }
  if (existing) dropUnreported(core, agent, new Set(tasks.map((t) => t.task_id)));
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
  call.write({
    registered: { agent_id: id, heartbeat_interval_seconds: core.opts.agentPingIntervalMs / 1000 },
  });
  core.log.info('agent registered', {
    agent: id,
    hostname: info.hostname,
    tasks: agent.tasks.size,
    again: !!existing,
  });
  schedulePing(core, agent);
  core.opts.onAgentChanged?.(agent);
  core.refreshGauges();
  return agent;
}

function schedulePing(core: ControllerCore, agent: AgentRecord): void {
  agent.pingTimer?.cancel();
  agent.pingTimer = core.clock.setTimer(core.opts.agentPingIntervalMs, () => {
    if (core.agents.get(agent.id) !== agent) return;
    const silentMs = core.clock.now() - agent.lastSeen;
    if (silentMs >= core.opts.agentPingTimeoutMs && agent.state === 'active') {
      markUnreachable(core, agent);
    } else {
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
  core.rescindWhere((o) => o.agentId === agent.id);
  for (const id of agent.tasks) {
    const t = core.tasks.get(id);
    if (!t || isTerminal(t.state)) continue;
    const status = core.masterStatus(
      t,
      'TASK_UNREACHABLE',
      'REASON_AGENT_DISCONNECTED',
      'agent stopped answering pings',
    );
    t.state = 'TASK_UNREACHABLE';
    t.status = status;
    core.opts.onTaskChanged?.(t);
    core.sendTo(t.frameworkId, { type: 'UPDATE', update: { status } });
  }
  core.opts.onAgentChanged?.(agent);
  core.refreshGauges();
}

function statusUpdate(core: ControllerCore, agent: AgentRecord, status: TaskStatus__Output): void {
  core.m.updatesReceived.inc();
  const task = core.tasks.get(status.task_id);
  if (status.timestamp > 0) {
    core.m.statusUpdateSeconds.observe(Math.max(0, core.clock.now() / 1000 - status.timestamp));
  }
  if (!task) {
    // Unknown task (e.g. launched by a framework removed meanwhile): acknowledge so the
    // agent does not resend it forever.
    agent.stream?.write({
      acknowledgement: {
        task_id: status.task_id,
        framework_id: status.framework_id,
        uuid: status.uuid,
      },
    });
    return;
  }
  core.applyStatus(status);
  const fw = core.frameworks.get(task.frameworkId);
  if (fw?.connected) {
    core.sendTo(fw.id, { type: 'UPDATE', update: { status } });
    core.m.updatesForwarded.inc();
  }
  core.refreshGauges();
}

/**
 * Tasks this controller placed on the agent that the re-registering agent does not
 * report: a launch lost with the old stream (TASK_DROPPED) or a task the agent no longer
 * has (TASK_GONE). The agent is authoritative; the framework is told, so that it can
 * launch again instead of waiting for a task that will never report.
 */
function dropUnreported(core: ControllerCore, agent: AgentRecord, reported: Set<string>): void {
  for (const taskId of [...agent.tasks]) {
    const task = core.tasks.get(taskId);
    if (reported.has(taskId) || !task || isTerminal(task.state)) continue;
    const never = task.state === 'TASK_STAGING' || task.state === 'TASK_STARTING';
    const status = core.masterStatus(
      task,
      never ? 'TASK_DROPPED' : 'TASK_GONE',
      'REASON_AGENT_RESTARTED',
      never
        ? 'the launch did not reach the agent before it re-registered'
        : 'the agent re-registered without the task',
    );
    core.applyStatus(status);
    core.sendTo(task.frameworkId, { type: 'UPDATE', update: { status } });
    agent.tasks.delete(taskId);
  }
}
