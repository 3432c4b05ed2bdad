/** `mezzo agent`: runs the node agent (see docs/agent.md). */
import type { Command } from 'commander';
import { addAgentOptions, runAgent, type AgentFlags } from '../../agent-sidecar/flags.js';

/** Adds `agent` to the program. */
export function registerAgent(program: Command): void {
  addAgentOptions(
    program
      .command('agent')
      .description('run the node agent: tasks in cgroups, status updates, recovery'),
  ).action(async (opts: AgentFlags) => {
    await runAgent(opts);
  });
}
