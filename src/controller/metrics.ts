/** The controller's Prometheus metrics. */
import type { MetricsRegistry } from '../shared/metrics.js';

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
