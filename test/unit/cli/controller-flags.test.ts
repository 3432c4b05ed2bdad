// `mezzo controller --store-workers`, `--max-offers-per-pass`,
// `--max-unread-event-bytes`, `--framework-call-rate` and `--framework-call-burst`: whole
// numbers in range;
// `--offer-allowance`: one of its modes; refused otherwise before anything starts (commander's exitOverride turns the exit into
// an error here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { registerController } from '../../../src/cli/commands/controller.js';

const CASES: { flag: string; refused: string[]; says: string }[] = [
  {
    flag: '--store-workers',
    // Below the range, above it, not whole, negative, empty, not a number.
    refused: ['0', '257', '1.5', '-4', '', 'many'],
    says: '--store-workers: a whole number from 1 to 256',
  },
  {
    flag: '--max-offers-per-pass',
    // 0 is no bound; not whole, negative, empty, not a number, above the range.
    refused: ['1.5', '-1', '', 'all', '1000001'],
    says: '--max-offers-per-pass: a whole number from 0 to 1000000',
  },
  {
    flag: '--max-unread-event-bytes',
    // Below 64 KiB, above 1 GiB, not whole, negative, empty, not a number.
    refused: ['65535', '1073741825', '1e6.5', '-1', '', 'lots'],
    says: '--max-unread-event-bytes: a whole number from 65536 to 1073741824',
  },
  {
    flag: '--framework-call-rate',
    // 0 is unpaced; not whole, negative, empty, not a number, above the range.
    refused: ['0.5', '-1', '', 'fast', '1000001'],
    says: '--framework-call-rate: a whole number from 0 to 1000000',
  },
  {
    flag: '--framework-call-burst',
    // A burst of 0 would refuse every call; not whole, empty, above the range.
    refused: ['0', '2.5', '', '10000001'],
    says: '--framework-call-burst: a whole number from 1 to 10000000',
  },
  {
    flag: '--offer-allowance',
    // Only the two modes, spelled exactly.
    refused: ['on', 'Adaptive', '', '2'],
    says: 'Allowed choices are adaptive, off',
  },
];

for (const { flag, refused, says } of CASES) {
  for (const value of refused) {
    test(`${flag} ${JSON.stringify(value)} is refused`, async () => {
      const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
      registerController(program);
      await assert.rejects(
        program.parseAsync(['controller', flag, value], { from: 'user' }),
        (err: unknown) =>
          err instanceof CommanderError &&
          err.code === 'commander.invalidArgument' &&
          err.message.includes(says),
      );
    });
  }
}
