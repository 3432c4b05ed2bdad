// `mezzo apply` on the embedded store (src/controller/apply.ts): every rejection leaves
// the store and its file exactly as they were; bodies that are not a list of objects are
// a 400 with a reason, never an exception.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAll, applyObject } from '../../../src/controller/apply.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { rejection } from '../../../src/cli/commands/objects.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshStore(): { store: EmbeddedStore; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-apply-'));
  dirs.push(dir);
  const file = join(dir, 'state.json');
  return { store: new EmbeddedStore(file, new ManualClock(0)), file };
}

const API = 'mezzo.dev/v1alpha1';
const task = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'Task',
  metadata: { name },
  spec,
});
const ok = { command: 'sleep 1', resources: { cpus: 0.1, mem: 32 } };

// The regressions of issue 12: each object was stored before (the old apply validated a
// Task's command, cpus > 0 and mem present; Apps and Schedules not at all). Each case:
// the object, and the line `mezzo apply` must print.
const regressions: [string, unknown, string][] = [
  [
    'mem: 0',
    task('t', { command: 'x', resources: { cpus: 1, mem: 0 } }),
    'spec.resources.mem: Invalid value: "": mem must be between 1Mi and 16Ti (a plain number counts MiB)',
  ],
  [
    'cpus: 0.0001',
    task('t', { command: 'x', resources: { cpus: 0.0001, mem: 64 } }),
    'spec.resources.cpus: Invalid value: "number": cpus must be at least 0.01, the smallest share Mezzo allocates',
  ],
  [
    'ports: 1e9',
    task('t', { command: 'x', resources: { cpus: 1, mem: 64, ports: 1e9 } }),
    'spec.resources.ports: Invalid value: 1000000000: spec.resources.ports in body should be less than or equal to 100',
  ],
  [
    'ports: -1',
    task('t', { command: 'x', resources: { cpus: 1, mem: 64, ports: -1 } }),
    'spec.resources.ports: Invalid value: -1: spec.resources.ports in body should be greater than or equal to 0',
  ],
  [
    'gpus: -1',
    task('t', { command: 'x', resources: { cpus: 1, mem: 64, gpus: -1 } }),
    'spec.resources.gpus: Invalid value: -1: spec.resources.gpus in body should be greater than or equal to 0',
  ],
  [
    'App without command',
    { apiVersion: API, kind: 'App', metadata: { name: 'a' }, spec: { instances: 1 } },
    'spec: Invalid value: "object": set exactly one of command or args',
  ],
  [
    'Schedule parents: "a"',
    {
      apiVersion: API,
      kind: 'Schedule',
      metadata: { name: 's' },
      spec: { parents: 'a', command: 'x' },
    },
    'spec.parents: Invalid value: "string": spec.parents in body must be of type array: "string"',
  ],
  [
    'Schedule every millisecond',
    {
      apiVersion: API,
      kind: 'Schedule',
      metadata: { name: 's' },
      spec: { schedule: 'R/2026-01-01T00:00:00Z/PT0.001S', command: 'x' },
    },
    `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
  ],
];

for (const [name, obj, line] of regressions) {
  test(`apply rejects ${name} with the per-field line and leaves the store unchanged`, async () => {
    const { store, file } = freshStore();
    await applyObject(store, task('keep', ok));
    const before = readFileSync(`${file}.log`, 'utf8');
    const r = await applyAll(store, [obj]);
    assert.equal(r.status, 422);
    assert.ok(Array.isArray(r.body));
    const [result] = r.body;
    assert.equal(result?.ok, false);
    assert.ok(result.errors?.includes(line), `${line}\nnot among\n${result.errors?.join('\n')}`);
    assert.equal(readFileSync(`${file}.log`, 'utf8'), before, 'the store wrote nothing');
    for (const kind of ['Task', 'App', 'Schedule'] as const) {
      assert.deepEqual(
        (await store.list(kind)).map((o) => o.metadata.name),
        kind === 'Task' ? ['keep'] : [],
      );
    }
    await store.close();
  });
}

// Bodies that are not a JSON list of objects: 400 with the reason (the old route threw
// "objs is not iterable" for the first three).
const badBodies: [string, unknown, RegExp][] = [
  ['an object', { kind: 'Task' }, /^body must be a JSON list of objects, not object$/],
  ['null', null, /^body must be a JSON list of objects, not null$/],
  ['a number', 42, /^body must be a JSON list of objects, not number$/],
  ['a list with a string', [task('a', ok), 'x'], /^body\[1\] must be an object, not string$/],
  ['a list with a list', [[task('a', ok)]], /^body\[0\] must be an object, not a list$/],
  ['a list with null', [null], /^body\[0\] must be an object, not null$/],
  ['too many objects', new Array(1001).fill({}), /^at most 1000 objects per apply \(got 1001\)$/],
];

for (const [name, body, why] of badBodies) {
  test(`applyAll answers 400 for ${name} and writes nothing`, async () => {
    const { store } = freshStore();
    const r = await applyAll(store, body);
    assert.equal(r.status, 400);
    assert.match(r.body.error, why);
    assert.deepEqual(await store.list('Task'), []);
    await store.close();
  });
}

test('hostile objects come back as rejections, never exceptions', async () => {
  const { store } = freshStore();
  const hostile: unknown[] = [
    {},
    { apiVersion: API },
    { apiVersion: API, kind: 'Task' },
    { apiVersion: API, kind: 'Task', metadata: 'x', spec: [] },
    { apiVersion: API, kind: 'Task', metadata: { name: 5 }, spec: ok },
    { apiVersion: API, kind: 'Task', metadata: { name: 'a', namespace: 7 }, spec: ok },
    { apiVersion: API, kind: '__proto__', metadata: { name: 'a' }, spec: ok },
    { apiVersion: API, kind: 'Task', metadata: { name: 'a', labels: { x: 1 } }, spec: ok },
    JSON.parse(
      '{"apiVersion":"mezzo.dev/v1alpha1","kind":"Task","metadata":{"name":"a"},"spec":{"__proto__":{"command":"x"}}}',
    ),
    task('a', { command: 'x', resources: { cpus: 1, mem: '1e99999999999' } }),
    task('a', { command: 'x', resources: { cpus: 1e308, mem: 64 } }),
  ];
  const r = await applyAll(store, hostile);
  assert.equal(r.status, 422);
  for (const res of r.body as { ok: boolean; errors?: string[] }[]) {
    assert.equal(res.ok, false);
    assert.ok((res.errors ?? []).length > 0);
  }
  assert.deepEqual(await store.list('Task'), []);
  await store.close();
});

test('create, unchanged, configured; defaults stored; Task spec immutable', async () => {
  const { store } = freshStore();
  const a = (instances: number) => ({
    apiVersion: API,
    kind: 'App',
    metadata: { name: 'web' },
    spec: { command: 'x', instances },
  });
  assert.equal((await applyObject(store, a(1))).action, 'created');
  assert.equal((await applyObject(store, a(1))).action, 'unchanged');
  assert.equal((await applyObject(store, a(2))).action, 'configured');
  const saved = await store.get('App', 'web', 'default');
  // 0.1 cpus and 32 MiB: the apps framework's defaults, declared by the CRD.
  assert.deepEqual(
    [saved?.spec['cpus'], saved?.spec['mem'], saved?.spec['instances']],
    [0.1, 32, 2],
  );
  assert.equal((await applyObject(store, task('t', ok))).action, 'created');
  const changed = await applyObject(store, task('t', { ...ok, command: 'sleep 2' }));
  assert.deepEqual(changed.errors, [
    `spec: Invalid value: "object": a task's spec is immutable; delete and re-create it`,
  ]);
  assert.equal((await store.get('Task', 't', 'default'))?.spec['command'], 'sleep 1');
  await store.close();
});

test('a Schedule closing a dependency cycle is still refused (it needs the other objects)', async () => {
  const { store } = freshStore();
  const s = (name: string, parents: string[]) => ({
    apiVersion: API,
    kind: 'Schedule',
    metadata: { name },
    spec: { parents, command: 'true' },
  });
  assert.equal((await applyObject(store, s('ping', ['pong']))).ok, true);
  const r = await applyObject(store, s('pong', ['ping']));
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /^spec\.parents: dependency cycle: /);
  await store.close();
});

test('mezzo apply prints one reason on the line, several indented below', () => {
  assert.equal(rejection('Task/t', ['spec: x']), 'Task/t rejected: spec: x\n');
  assert.equal(rejection('Task/t', ['a: 1', 'b: 2']), 'Task/t rejected:\n  a: 1\n  b: 2\n');
});
