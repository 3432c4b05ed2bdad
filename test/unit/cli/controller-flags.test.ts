// `mezzo controller --store-workers`: a whole number from 1 to 256, refused otherwise
// before anything starts (commander's exitOverride turns the exit into an error here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { registerController } from '../../../src/cli/commands/controller.js';

// Below the range, above it, not whole, negative, empty, not a number.
const refused = ['0', '257', '1.5', '-4', '', 'many'];

for (const value of refused) {
  test(`--store-workers ${JSON.stringify(value)} is refused`, async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerController(program);
    await assert.rejects(
      program.parseAsync(['controller', '--store-workers', value], { from: 'user' }),
      (err: unknown) =>
        err instanceof CommanderError &&
        err.code === 'commander.invalidArgument' &&
        err.message.includes('--store-workers: a whole number from 1 to 256'),
    );
  });
}
