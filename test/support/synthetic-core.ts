/**
 * A controller core holding a synthetic cluster, built through the real registration
 * path (registerAgent, then a re-registration reporting each agent's tasks, as after a
 * controller restart) but without gRPC streams or a store: for /state's tests and
 * bench/scale/state-size.ts.
 */
import { ControllerCore } from '../../src/controller/core.js';
import { registerAgent } from '../../src/controller/agent-registration.js';
import type { AgentStream, FrameworkRecord } from '../../src/controller/records.js';
import { AgentLink } from '../../src/controller/agent-link.js';
import type { AgentInfo__Output } from '../../src/gen/mezzo/v1/AgentInfo.js';
import type { TaskInfo__Output } from '../../src/gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus__Output } from '../../src/gen/mezzo/v1/TaskStatus.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';

// Registration writes to the stream; nothing reads it here.
const sink = new AgentLink(
  { write: () => true, end: () => undefined } as unknown as AgentStream,
  0,
);
const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: value });

/** A core with `frameworks` frameworks (`fw-0`…, role `scale`) and no agent; no ping fires. */
export function frameworksCore(frameworks: number): ControllerCore {
  const core = new ControllerCore({
    clock: new SystemClock(),
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    agentPingIntervalMs: 3_600_000,
    agentPingTimeoutMs: 18_000_000,
  });
  for (let f = 0; f < frameworks; f++) {
    const id = `fw-${String(f)}`;
    const rec: FrameworkRecord = {
      id,
      info: { id, name: `scale-${String(f)}`, user: 'nobody', roles: ['scale'] },
      roles: ['scale'],
      streamId: '',
      stream: undefined,
      connected: true,
      failoverTimer: undefined,
      heartbeatTimer: undefined,
      tasks: new Set(),
      registeredAt: Date.now(),
    } as FrameworkRecord;
    core.frameworks.set(id, rec);
    core.allocator.addFramework(id, { roles: ['scale'] }, new Map());
  }
  return core;
}

function agentInfo(i: number): AgentInfo__Output {
  return {
    id: `agent-${String(i)}`,
    hostname: `sim-${String(i + 1)}`,
    node_name: `sim-${String(i + 1)}`,
    resources: [scalar('cpus', 4), scalar('mem', 8192)],
    attributes: [{ name: 'zone', text: ['a', 'b', 'c'][i % 3] ?? 'a' }],
    address: '',
    version: '0.1.0-sim',
    default_user: 'nobody',
  } as unknown as AgentInfo__Output;
}

/** Registers `agents` agents (4 cpus, 8 GiB, a zone) with no task. */
export function addAgents(core: ControllerCore, agents: number): void {
  for (let i = 0; i < agents; i++) registerAgent(core, sink, agentInfo(i), [], []);
}

/**
 * Has each of the `agents` agents re-register reporting its share of `tasks` running
 * tasks (1 cpu, 512 MiB; task n on agent n mod agents and framework n mod the core's
 * frameworks), and adds each task to its framework.
 */
export function addTasks(core: ControllerCore, agents: number, tasks: number): void {
  const frameworks = core.frameworks.size;
  for (let i = 0; i < agents; i++) {
    const infos: TaskInfo__Output[] = [];
    const statuses: TaskStatus__Output[] = [];
    for (let t = i; t < tasks; t += agents) {
      const id = `task-${String(t)}`;
      const framework_id = `fw-${String(t % frameworks)}`;
      const agent_id = `agent-${String(i)}`;
      infos.push({
        task_id: id,
        name: id,
        framework_id,
        agent_id,
        resources: [scalar('cpus', 1), scalar('mem', 512)],
        command: { shell: true, value: 'true' },
        labels: { 'sim.mezzo.dev/duration': 'forever' },
      } as unknown as TaskInfo__Output);
      statuses.push({
        task_id: id,
        framework_id,
        agent_id,
        state: 'TASK_RUNNING',
        reason: 'REASON_UNSPECIFIED',
        message: '',
        source: 'SOURCE_AGENT',
        timestamp: Date.now() / 1000,
        uuid: Buffer.from(id),
      } as unknown as TaskStatus__Output);
    }
    registerAgent(core, sink, agentInfo(i), infos, statuses);
  }
  for (const t of core.tasks.values()) core.frameworks.get(t.frameworkId)?.tasks.add(t.id);
}
