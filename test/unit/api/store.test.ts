// The embedded store itself refuses objects the apiserver would refuse, whoever writes
// them (apply, the controller's mirrors, a framework, the annotate route), as a 422
// would: InvalidObjectError with the apiserver's lines, nothing written. An object stored
// under older rules can still be updated where it is unchanged (ratcheting).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { InvalidObjectError } from '../../../src/api/invalid-object.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { StoredObject } from '../../../src/store/types.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
// The snapshot and its log, as text (either may be missing).
const onDisk = (file: string): string =>
  [file, `${file}.log`].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\0');

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-store-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

const task = (spec: Record<string, unknown>, name = 't'): StoredObject => ({
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'default' },
  spec,
});

test('create and update refuse an invalid object with the apiserver lines; nothing is written', async () => {
  const file = tempFile();
  const store = new EmbeddedStore(file, new ManualClock(0));
  const ok = await store.create(task({ command: 'x', resources: { cpus: 1, mem: 64 } }));
  const before = onDisk(file);
  await assert.rejects(
    store.create(task({ command: 'x', resources: { cpus: 1, mem: 64, ports: 1e9 } }, 'big')),
    (e: unknown) =>
      e instanceof InvalidObjectError &&
      e.message ===
        'Task.mezzo.dev "big" is invalid: spec.resources.ports: Invalid value: 1000000000: spec.resources.ports in body should be less than or equal to 100',
  );
  // A label the apiserver refuses, written by a program (e.g. the annotate route).
  await assert.rejects(
    store.update({ ...ok, metadata: { ...ok.metadata, annotations: { 'a/b/c': 'x' } } }),
    InvalidObjectError,
  );
  assert.equal(onDisk(file), before);
  assert.equal((await store.list('Task')).length, 1);
  await store.close();
});

test('programs may write fields the schema does not name (the apiserver prunes them)', async () => {
  const store = new EmbeddedStore(tempFile(), new ManualClock(0));
  await store.create(task({ command: 'x', resources: { cpus: 1, mem: 64 }, note: 'extra' }));
  await store.close();
});

test('an object stored under older rules can still be updated where it is unchanged', async () => {
  const file = tempFile();
  // cpus 0.001 was accepted before cpus had a minimum.
  const legacy: StoredObject = {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'App',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: { command: 'x', instances: 1, cpus: 0.001, mem: 64 },
  };
  writeFileSync(file, JSON.stringify({ resourceVersion: 1, objects: [legacy] }));
  const store = new EmbeddedStore(file, new ManualClock(0));
  const cur = await store.get('App', 'web', 'default');
  assert.ok(cur);
  // Scaling (cpus unchanged) goes through...
  await store.update({ ...cur, spec: { ...cur.spec, instances: 3 } });
  // ...changing cpus to another value below the minimum does not.
  const now = await store.get('App', 'web', 'default');
  assert.ok(now);
  assert.equal(now.spec['instances'], 3);
  await assert.rejects(
    store.update({ ...now, spec: { ...now.spec, cpus: 0.002 } }),
    (e: unknown) =>
      e instanceof InvalidObjectError &&
      e.errors.includes(
        'spec.cpus: Invalid value: "number": cpus must be at least 0.01, the smallest share Mezzo allocates',
      ),
  );
  await store.close();
});
