// The supervisor's one file (.mezzo/supervisor): complete lines only, a later line of a kind
// wins, bad figures ignored; and a sandbox of an older agent's supervisor (supervisor.pid,
// task.pid, exit) still reads, on a real file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSupervisorRecord,
  readSupervisorRecord,
  SUPERVISOR_FILE,
  type SupervisorRecord,
} from '../../../src/agent-sidecar/supervisor-record.js';
import { tempDir } from '../../support/cleanup.js';

const parseCases: [string, string, SupervisorRecord][] = [
  ['nothing yet', '', {}],
  ['the supervisor only', 'supervisor 12\n', { supervisorPid: 12 }],
  ['a line still being written', 'supervisor 12\ntask 1', { supervisorPid: 12 }],
  ['all three', 'supervisor 12\ntask 13\nexit 0\n', { supervisorPid: 12, taskPid: 13, exit: 0 }],
  [
    'signal status',
    'supervisor 12\ntask 13\nexit 137\n',
    { supervisorPid: 12, taskPid: 13, exit: 137 },
  ],
  ['pid 0 is no pid', 'supervisor 0\ntask 0\n', {}],
  ['junk and unknown kinds ignored', 'hello\nexit -1\nexit 1x\nfoo 3\ntask 9\n', { taskPid: 9 }],
  ['a later line wins', 'task 9\ntask 10\n', { taskPid: 10 }],
];

for (const [name, text, want] of parseCases) {
  test(`parseSupervisorRecord: ${name}`, () => {
    assert.deepEqual(parseSupervisorRecord(text), want);
  });
}

const readCases: [string, Record<string, string>, SupervisorRecord][] = [
  ['no files', {}, {}],
  [
    'the one file',
    { [SUPERVISOR_FILE]: 'supervisor 5\ntask 6\nexit 2\n' },
    { supervisorPid: 5, taskPid: 6, exit: 2 },
  ],
  [
    'the legacy files',
    { 'supervisor.pid': '5\n', 'task.pid': '6\n', exit: '143\n' },
    { supervisorPid: 5, taskPid: 6, exit: 143 },
  ],
  ['a legacy supervisor still running', { 'supervisor.pid': '5\n' }, { supervisorPid: 5 }],
  ['legacy junk', { 'supervisor.pid': 'x\n', 'task.pid': '0\n', exit: '\n' }, {}],
  [
    'the one file wins over legacy files',
    { [SUPERVISOR_FILE]: 'supervisor 7\n', exit: '1\n' },
    { supervisorPid: 7 },
  ],
];

for (const [name, files, want] of readCases) {
  test(`readSupervisorRecord: ${name}`, async () => {
    const sandbox = tempDir('mezzo-sup-');
    mkdirSync(join(sandbox, '.mezzo'));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(sandbox, '.mezzo', f), text);
    assert.deepEqual(await readSupervisorRecord(sandbox), want);
  });
}
