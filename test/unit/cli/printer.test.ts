// `mezzo get`'s live-state cells: proto3 sends an enum's zero value for "not set", and a
// table shows it as nothing; every other value prints as `cell` prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cell, stateCell, table } from '../../../src/cli/commands/printer.js';

test('stateCell: an unspecified enum value is an empty cell, anything else is kept', () => {
  const cases: [unknown, string][] = [
    ['REASON_UNSPECIFIED', ''],
    ['STATE_UNSPECIFIED', ''],
    ['REASON_CONTAINER_LIMITATION_MEMORY', 'REASON_CONTAINER_LIMITATION_MEMORY'],
    ['TASK_RUNNING', 'TASK_RUNNING'],
    // Not an enum name: user text that happens to end so is shown as it is.
    ['not_UNSPECIFIED', 'not_UNSPECIFIED'],
    ['UNSPECIFIED', 'UNSPECIFIED'],
    [undefined, ''],
    [0.5, '0.5'],
    [['a', 'b'], 'a,b'],
  ];
  for (const [v, want] of cases) assert.equal(stateCell(v), want, String(v));
  for (const [v] of cases.filter(([v]) => typeof v !== 'string' || !v.endsWith('_UNSPECIFIED')))
    assert.equal(stateCell(v), cell(v));
});

test('a tasks table with no reason ends its rows at RESOURCES', () => {
  const rows = [
    ['t1', 'TASK_RUNNING', 'cpus:0.1', 'REASON_UNSPECIFIED'],
    ['t2', 'TASK_FAILED', 'cpus:0.1', 'REASON_COMMAND_EXITED_NONZERO'],
  ].map((r) => r.map(stateCell));
  // Widths: ID 2, STATE 12 (TASK_RUNNING), RESOURCES 9; cells padded to them and joined by
  // three spaces (2 + 3 = 5 before STATE, 12 + 3 = 15 before RESOURCES); trailing space trimmed.
  assert.equal(
    table(['id', 'state', 'resources', 'reason'], rows),
    [
      'ID   STATE          RESOURCES   REASON',
      't1   TASK_RUNNING   cpus:0.1',
      't2   TASK_FAILED    cpus:0.1    REASON_COMMAND_EXITED_NONZERO',
      '',
    ].join('\n'),
  );
});
