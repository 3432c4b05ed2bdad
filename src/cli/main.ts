/**
 * The `mezzo` command. Each subcommand lives in src/cli/commands/ and registers itself
 * here; `mezzo --help` lists them all.
 */
import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerController } from './commands/controller.js';
import { registerDev } from './commands/dev.js';
import { registerObjects, registerTaskCommands } from './commands/objects.js';
import { registerRun } from './commands/run.js';
import { registerSchedules } from './commands/schedules.js';
import { registerSimAgents } from './commands/sim-agents.js';
import { registerSimulate } from './commands/simulate.js';
import { registerVersion, VERSION } from './commands/version.js';

/** Builds the command tree (exported for tests that inspect it). */
export function buildProgram(): Command {
  const program = new Command('mezzo')
    .description("Mezzo: Apache Mesos' two-level, offer-based scheduling for Kubernetes")
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAgent(program);
  registerController(program);
  registerDev(program);
  registerObjects(program);
  registerTaskCommands(program);
  registerRun(program);
  registerSchedules(program);
  registerSimAgents(program);
  registerSimulate(program);
  registerVersion(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode;
    }
    process.stderr.write(`mezzo: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
