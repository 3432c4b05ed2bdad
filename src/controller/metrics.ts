/** The controller's Prometheus metrics. */
import type { MetricsRegistry } from '../shared/metrics.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from './records.js';

/** Metric handles used across the controller. */
export function controllerMetrics(m: MetricsRegistry) {
  return {
    offers: m.counter('mezzo_controller_offers_total', 'Offers by outcome', ['result']),
    taskUpdates: m.counter(
      'mezzo_controller_task_status_updates_total',
      'Task status updates received',
      ['state'],
    ),
    updatesReceived: m.counter(
      'mezzo_controller_status_updates_received_total',
      'Status updates received from agents, resends included',
    ),
    updatesForwarded: m.counter(
      'mezzo_controller_status_updates_forwarded_total',
      'Status updates from agents written to a framework stream, resends included',
    ),
    updatesUnrecorded: m.counter(
      'mezzo_controller_status_updates_unrecorded_total',
      'Status updates from agents for tasks the controller could not record (left unacknowledged)',
    ),
    agentRefusals: m.counter(
      'mezzo_controller_agent_refusals_total',
      'Agent streams refused for an invalid message',
    ),
    tasks: m.gauge('mezzo_controller_tasks', 'Known tasks by state', ['state']),
    frameworks: m.gauge('mezzo_controller_frameworks', 'Frameworks by connection', ['connected']),
    agents: m.gauge('mezzo_controller_agents', 'Agents by state', ['state']),
    allocationSeconds: m.histogram(
      'mezzo_controller_allocation_seconds',
      'Allocation pass duration',
    ),
    statusUpdateSeconds: m.histogram(
      'mezzo_controller_status_update_latency_seconds',
      'Time from an agent generating a status update to the controller forwarding it',
    ),
  };
}

/** The handles returned by {@link controllerMetrics}. */
export type ControllerMetrics = ReturnType<typeof controllerMetrics>;

/** Sets the gauges of tasks by state, frameworks by connection and agents by state. */
export function refreshGauges(
  m: ControllerMetrics,
  tasks: Iterable<TaskRecord>,
  frameworks: Iterable<FrameworkRecord>,
  agents: Iterable<AgentRecord>,
): void {
  const byState = new Map<string, number>();
  for (const t of tasks) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  m.tasks.reset();
  for (const [state, n] of byState) m.tasks.set({ state }, n);
  let on = 0;
  let off = 0;
  for (const f of frameworks)
    if (f.connected) on++;
    else off++;
  m.frameworks.reset();
  m.frameworks.set({ connected: 'true' }, on);
  m.frameworks.set({ connected: 'false' }, off);
  let active = 0;
  let unreachable = 0;
  for (const a of agents)
    if (a.state === 'active') active++;
    else unreachable++;
  m.agents.reset();
  m.agents.set({ state: 'active' }, active);
  m.agents.set({ state: 'unreachable' }, unreachable);
}
