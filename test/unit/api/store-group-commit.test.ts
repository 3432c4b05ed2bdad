// The embedded store writes its file once for the changes made during one write (group
// commit), and a change still resolves only once a file holding it is on disk: before,
// every change wrote the whole store, so a burst of N changes wrote N snapshots.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

const onDisk = (file: string): Set<string> =>
  new Set(
    (JSON.parse(readFileSync(file, 'utf8')) as { objects: StoredObject[] }).objects.map(
      (o) => o.metadata.name,
    ),
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
        if (!onDisk(file).has(name)) missing.push(name);
      }),
    );
    assert.deepEqual(missing, [], 'a create resolved before the file held it');
    assert.ok(store.fileWrites <= most, `${String(store.fileWrites)} writes`);
    // A change after the burst is written on its own, and a reopened store has them all.
    await store.delete('Task', 't-0', 'default');
    assert.ok(!onDisk(file).has('t-0'));
    await store.close();
    assert.equal((await new EmbeddedStore(file, new ManualClock(0)).list('Task')).length, n - 1);
  });
}
