/**
 * `mezzo dev`: the embedded one-machine Mezzo. Until the controller core lands it says
 * plainly which parts exist and exits non-zero, rather than pretending to run.
 */
import type { Command } from 'commander';

/** Adds `dev` to the program. */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run controller, one agent and the built-in frameworks on this machine')
    .option('--demo', 'also submit the demo workload from examples/')
    .option(
      '--port <port>',
      'HTTP port (dashboard, metrics, state); gRPC uses the next one',
      '5050',
    )
    .option('--work-dir <dir>', 'where state and sandboxes live', '.mezzo')
    .action(() => {
      process.stderr.write(
        'mezzo dev: not built yet. The controller core (issue "Controller core") provides it;\n' +
          'today the allocator simulator and the test ladder are what runs.\n',
      );
      process.exitCode = 2;
    });
}
