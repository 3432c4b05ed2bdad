// A Task spec read as hostile input: every field the default framework uses is typed
// and bounded, and a bad one is a problem naming it, never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTaskSpec, taskNeeds } from '../../../src/frameworks/default/task-spec.js';
import {
  isObjectOfTask,
  objectOfTask,
  newTaskId,
  TaskBook,
} from '../../../src/frameworks/default/task-book.js';

const base = { command: 'true', resources: { cpus: 0.5, mem: '64Mi' } };

// [spec, the problem's text (undefined: it reads)]
const cases: [unknown, RegExp | undefined][] = [
  [base, undefined],
  [{ args: ['/bin/echo', 'hi'], resources: { cpus: 1, mem: 32, ports: 3 } }, undefined],
  [undefined, /^spec: must be an object, not nothing/],
  ['a string', /^spec: must be an object/],
  [{ command: 'true' }, /^spec\.resources: must be an object/],
  [{ ...base, resources: { cpus: 0, mem: 32 } }, /spec\.resources\.cpus: must be greater than 0/],
  [{ ...base, resources: { cpus: -1, mem: 32 } }, /spec\.resources\.cpus/],
  [
    { ...base, resources: { cpus: 'x', mem: 32 } },
    /spec\.resources\.cpus: must be a number, not "x"/,
  ],
  [{ ...base, resources: { mem: 32 } }, /spec\.resources\.cpus: is required/],
  [{ ...base, resources: { cpus: 1 } }, /spec\.resources\.mem: is required/],
  [{ ...base, resources: { cpus: 1, mem: 0 } }, /spec\.resources\.mem: must be greater than zero/],
  [{ ...base, resources: { cpus: 1, mem: '1e400Mi' } }, /spec\.resources\.mem/],
  [{ ...base, resources: { cpus: 1, mem: 'lots' } }, /spec\.resources\.mem/],
  [
    { ...base, resources: { cpus: 1, mem: 32, ports: -1 } },
    /spec\.resources\.ports: must be at least 0/,
  ],
  // 1e9 ports: more than the 65535 there are.
  [
    { ...base, resources: { cpus: 1, mem: 32, ports: 1e9 } },
    /spec\.resources\.ports: must be at most 65535/,
  ],
  [
    { ...base, resources: { cpus: 1, mem: 32, ports: 1.5 } },
    /spec\.resources\.ports: must be a whole number/,
  ],
  [{ ...base, resources: { cpus: 1, mem: 32, gpus: -2 } }, /spec\.resources\.gpus/],
  [{ resources: base.resources }, /set exactly one of command/],
  [{ ...base, args: ['x'] }, /set exactly one of command/],
  [{ ...base, command: '  ' }, /spec\.command: is empty/],
  [{ ...base, command: 42 }, /spec\.command: must be a string, not 42/],
  [{ args: [], resources: base.resources }, /spec\.args: needs at least the program/],
  [{ args: 'ls -l', resources: base.resources }, /spec\.args: must be a list/],
  [{ args: ['ls', 3], resources: base.resources }, /spec\.args\[1\]: must be a string/],
  [{ ...base, env: { A: 1 } }, /spec\.env\.A: must be a string/],
  [{ ...base, env: ['A=1'] }, /spec\.env: must be an object, not a list/],
  [{ ...base, uris: 'http://x' }, /spec\.uris: must be a list/],
  [{ ...base, uris: [{}] }, /spec\.uris\[0\]\.value: is required/],
  [{ ...base, constraints: {} }, /spec\.constraints: must be a list/],
  [{ ...base, constraints: [{ attribute: 'rack', operator: 'NEAR' }] }, /operator: must be one of/],
  [{ ...base, constraints: [{ attribute: 'rack', operator: 'MAX_PER', value: 'x' }] }, /MAX_PER/],
  [
    { ...base, constraints: [{ attribute: 'rack', operator: 'LIKE', value: '(' }] },
    /regular expression/,
  ],
  [{ ...base, healthCheck: { type: 'PING' } }, /spec\.healthCheck\.type/],
  [
    { ...base, healthCheck: { type: 'HTTP', portIndex: 0 } },
    /portIndex: must name one of the task's 0/,
  ],
  [{ ...base, killGracePeriodSeconds: -1 }, /spec\.killGracePeriodSeconds/],
  [{ ...base, framework: ['default'] }, /spec\.framework: must be a string/],
];

for (const [spec, problem] of cases) {
  test(`spec ${JSON.stringify(spec) as string | undefined} ${problem ? 'is refused' : 'reads'}`, () => {
    const r = readTaskSpec(spec);
    if (problem === undefined) {
      assert.ok(r.ok, r.ok ? '' : r.problem.message);
      return;
    }
    assert.ok(!r.ok);
    assert.match(r.problem.message, problem);
  });
}

test('what a read spec asks of an offer', () => {
  const r = readTaskSpec({
    args: ['/bin/serve'],
    resources: { cpus: 0.5, mem: '64Mi', disk: 10, ports: 2 },
    constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r1' }],
  });
  assert.ok(r.ok);
  assert.deepEqual(taskNeeds(r.value), {
    cpus: 0.5,
    mem: '64Mi',
    disk: 10,
    ports: 2,
    constraints: [{ field: 'rack', operator: 'EQUALS', value: 'r1' }],
  });
});

// [task ID, the object it names]
const ids: [string, string | undefined][] = [
  ['team.web.0a1b2c3d', 'team/web'],
  ['team.a.b.c.0a1b2c3d', 'team/a.b.c'], // names may hold dots; namespaces cannot
  ['nodots', undefined],
  ['team.0a1b2c3d', undefined],
  ['.web.0a1b2c3d', undefined],
  ['team.web.', undefined],
  ['team.web.1f2e3d4c-0a1b2c3d', 'team/web'], // with its object's uid's first group
];
for (const [id, key] of ids) {
  test(`task ID ${id} names ${key ?? 'no object'}`, () => {
    const o = objectOfTask(id);
    assert.equal(o ? `${o.namespace}/${o.name}` : undefined, key);
  });
}

test('a new task ID round-trips to its object', () => {
  const o = objectOfTask(newTaskId('team', 'a.b'));
  assert.deepEqual(o, { namespace: 'team', name: 'a.b' });
});

const UID = '1f2e3d4c-aaaa-4bbb-8ccc-0123456789ab';
test('a new task ID carries its object uid, and round-trips to it', () => {
  const o = objectOfTask(newTaskId('team', 'a.b', UID));
  assert.deepEqual(o, { namespace: 'team', name: 'a.b', uid8: '1f2e3d4c' });
});

// [uid the task was launched for, uid of the object found under its name, its own?]
const owners: [string | undefined, string | undefined, boolean][] = [
  [UID, UID, true],
  [UID, '9e8d7c6b-aaaa-4bbb-8ccc-0123456789ab', false], // deleted and made again
  [UID, undefined, true], // an object without a uid (not stored yet) is not refused
  [undefined, UID, true], // an ID made before IDs carried the uid
  ['not-a-uid', UID, true], // no uid group to carry
];
for (const [launched, found, own] of owners) {
  test(`launched for ${launched ?? 'no uid'}, found ${found ?? 'no uid'}: own ${String(own)}`, () => {
    const id = newTaskId('team', 'web', launched);
    assert.equal(isObjectOfTask(id, { metadata: found ? { uid: found } : {} }), own);
  });
}

test('the book: one live task per object, doomed until forgotten, unknown streaks', () => {
  const b = new TaskBook();
  b.track({ taskId: 't1', key: 'team/a', agentId: 'ag1' });
  b.track({ taskId: 't2', key: 'team/b', agentId: 'ag1' });
  assert.equal(b.load('ag1'), 2);
  // A second task for team/a replaces the first in the object's slot.
  b.track({ taskId: 't3', key: 'team/a', agentId: 'ag2' });
  assert.equal(b.taskOf('team/a')?.taskId, 't3');
  assert.equal(b.load('ag1'), 1);
  assert.equal(b.doom('t2', 'ag1'), true);
  assert.equal(b.doom('t2', 'ag1'), false, 'doomed once');
  assert.equal(b.unknownAnswer('t2'), 1);
  assert.equal(b.unknownAnswer('t2'), 2);
  b.known('t2');
  assert.equal(b.unknownAnswer('t2'), 1, 'a known answer ends the streak');
  assert.deepEqual(
    b
      .refs()
      .map((r) => r.task_id)
      .sort(),
    ['t2', 't3'],
  );
  b.forget('t2');
  assert.equal(b.isDoomed('t2'), false);
  assert.equal(b.taskOf('team/b'), undefined);
  assert.deepEqual(
    b.refs().map((r) => r.task_id),
    ['t3'],
  );
});
