/** Simulated agents: many agents on the real protocol, tasks without processes. */
export { startSimAgents, type SimAgents } from './sim-agents.js';
export { SimAgent } from './sim-agent.js';
export { SimCounters } from './sim-counters.js';
export { MAX_SIM_AGENTS, planSimulation, type SimAgentsOptions } from './sim-options.js';
export { DURATION_LABEL, EXIT_LABEL, parseDuration, simBehaviour } from './sim-task.js';
export { zoneName, zoneOf } from './zones.js';
