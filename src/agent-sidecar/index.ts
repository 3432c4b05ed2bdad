/** The node agent's public surface. */
export { Agent, type AgentDeps } from './agent.js';
export {
  defaultConfig,
  defaultResources,
  parseAttributes,
  parseResources,
  taskLimits,
  type AgentConfig,
} from './config.js';
export { detectCgroups, type Cgroups, type CgroupStats } from './cgroups.js';
export { addAgentOptions, configFromFlags, runAgent, type AgentFlags } from './flags.js';
