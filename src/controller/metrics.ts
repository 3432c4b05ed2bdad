/**
 * The controller's Prometheus metrics. The gauges of tasks, frameworks and agents are
 * counted when scraped, not kept up to date on every change: counting walks every task
 * and agent, and done at each registration and status update it made registering N
 * agents cost O(N²) (50,000 agents: 1.25 billion visits).
 */
import client from 'prom-client';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from './records.js';

/** What the gauges count, read at each scrape. */
export interface GaugeSource {
  tasks(): Iterable<TaskRecord>;
  frameworks(): Iterable<FrameworkRecord>;
  agents(): Iterable<AgentRecord>;
}

/** A gauge whose value `count` sets at each scrape (the first registration's wins). */
function countedGauge<L extends string>(
  m: MetricsRegistry,
  name: string,
  help: string,
  labelNames: readonly L[],
  count: (g: client.Gauge<L>) => void,
): client.Gauge<L> {
  const existing = m.registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<L>;
  return new client.Gauge<L>({
    name,
    help,
    labelNames,
    registers: [m.registry],
    collect() {
      count(this);
    },
  });
}

/** Metric handles used across the controller; `source` feeds the counted gauges. */
export function controllerMetrics(m: MetricsRegistry, source: GaugeSource) {
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
    agentStatusWrites: m.counter(
      'mezzo_controller_task_status_writes_by_agents_total',
      "Task states written onto Task objects by their agents (--agent-status-writes) and taken for the controller's own write",
    ),
    unreadStreamsEnded: m.counter(
      'mezzo_controller_framework_streams_ended_unread_total',
      'Framework event streams ended because their scheduler left too many bytes unread',
    ),
    frameworkCallsPaced: m.counter(
      'mezzo_controller_framework_calls_paced_total',
      "Scheduler calls past their principal's burst: delayed to its rate, or refused past its queue",
      ['outcome'],
    ),
    agentRefusals: m.counter(
      'mezzo_controller_agent_refusals_total',
      'Agent streams refused for an invalid message',
    ),
    tasks: countedGauge(m, 'mezzo_controller_tasks', 'Known tasks by state', ['state'], (g) =>
      countTasks(g, source.tasks()),
    ),
    frameworks: countedGauge(
      m,
      'mezzo_controller_frameworks',
      'Frameworks by connection',
      ['connected'],
      (g) => countFrameworks(g, source.frameworks()),
    ),
    agents: countedGauge(m, 'mezzo_controller_agents', 'Agents by state', ['state'], (g) =>
      countAgents(g, source.agents()),
    ),
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

function countTasks(g: client.Gauge<'state'>, tasks: Iterable<TaskRecord>): void {
  const byState = new Map<string, number>();
  for (const t of tasks) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  g.reset();
  for (const [state, n] of byState) g.set({ state }, n);
}

function countFrameworks(g: client.Gauge<'connected'>, frameworks: Iterable<FrameworkRecord>) {
  let on = 0;
  let off = 0;
  for (const f of frameworks)
    if (f.connected) on++;
    else off++;
  g.reset();
  g.set({ connected: 'true' }, on);
  g.set({ connected: 'false' }, off);
}

function countAgents(g: client.Gauge<'state'>, agents: Iterable<AgentRecord>): void {
  let active = 0;
  let unreachable = 0;
  for (const a of agents)
    if (a.state === 'active') active++;
    else unreachable++;
  g.reset();
  g.set({ state: 'active' }, active);
  g.set({ state: 'unreachable' }, unreachable);
}
