/** `mezzo version`: prints the CLI's version and the API version it speaks. */
import type { Command } from 'commander';

/** Mezzo's release version. */
export const VERSION = '0.1.0';

/** Adds `version` to the program. */
export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the Mezzo version and API version')
    .action(() => {
      process.stdout.write(`mezzo ${VERSION} (api mezzo.dev/v1alpha1, grpc mezzo.v1)\n`);
    });
}
