/**
 * Standalone entry point: `node dist/src/agent-sidecar/main.js --controller … --work-dir …`
 * (the same flags as `mezzo agent`). The DaemonSet's container runs this.
 */
import { Command } from 'commander';
import { addAgentOptions, runAgent, type AgentFlags } from './flags.js';

const program = addAgentOptions(new Command('mezzo-agent').description('the Mezzo node agent'));
program.action(async (opts: AgentFlags) => {
  await runAgent(opts);
});
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`mezzo-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
