// The embedded store writes once for the changes made during one write (group commit), and
// a change still resolves only once its files hold it: before, every change wrote the
// whole store, so a burst of N changes wrote N snapshots.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { StoredObject } from '../../../src/store/types.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const task = (name: string): StoredObject => ({
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'default' },
  spec: { command: 'true', resources: { cpus: 0.1, mem: 16 } },
});

// What a store reopened from the files would hold (the snapshot and its log).
const onDisk = async (file: string): Promise<Set<string>> =>
  new Set(
    (await new EmbeddedStore(file, new ManualClock(0)).list('Task')).map((o) => o.metadata.name),
  );

// [changes made at once, the most file writes allowed]
const bursts: [number, number][] = [
  [1, 1],
  [50, 2],
  [400, 2],
];

for (const [n, most] of bursts) {
  test(`${String(n)} creates at once: at most ${String(most)} file writes, each create durable when it resolves`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mezzo-store-gc-'));
    dirs.push(dir);
    const file = join(dir, 'state.json');
    const store = new EmbeddedStore(file, new ManualClock(0));
    const missing: string[] = [];
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const name = `t-${String(i)}`;
        await store.create(task(name));
        if (!(await onDisk(file)).has(name)) missing.push(name);
      }),
    );
    assert.deepEqual(missing, [], 'a create resolved before the file held it');
    assert.ok(store.fileWrites <= most, `${String(store.fileWrites)} writes`);
    // A change after the burst is written on its own, and a reopened store has them all.
    await store.delete('Task', 't-0', 'default');
    assert.ok(!(await onDisk(file)).has('t-0'));
    await store.close();
    assert.equal((await new EmbeddedStore(file, new ManualClock(0)).list('Task')).length, n - 1);
  });
}
