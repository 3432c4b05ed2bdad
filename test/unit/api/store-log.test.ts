// The embedded store appends each group of changes to a log and rewrites its snapshot only
// once the log has outgrown it. Before, every group rewrote the whole store, so a change's
// cost grew with the store (a controller with 5,000 agents spent a quarter of its time
// serializing and writing snapshots).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { StoreLogCorruptError } from '../../../src/store/store-files.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { StoredObject } from '../../../src/store/types.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-store-log-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

const task = (name: string, note = ''): StoredObject => ({
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'default', annotations: { note } },
  spec: { command: 'true', resources: { cpus: 0.1, mem: 16 } },
});

const names = async (file: string): Promise<string[]> =>
  (await new EmbeddedStore(file, new ManualClock(0)).list('Task'))
    .map((o) => `${o.metadata.name}:${o.metadata.annotations?.note ?? ''}`)
    .sort();

const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);

test('a change appends its record; the snapshot is not rewritten while the log is small', async () => {
  const file = tempFile();
  const store = new EmbeddedStore(file, new ManualClock(0));
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(task(`t-${String(i)}`))));
  const log = size(`${file}.log`);
  const one = await store.get('Task', 't-7', 'default');
  assert.ok(one);
  await store.update({ ...one, metadata: { ...one.metadata, annotations: { note: 'x' } } });
  // One record: the object's own size, not the store's (200 objects).
  const grew = size(`${file}.log`) - log;
  assert.ok(grew > 0 && grew < 2 * JSON.stringify(one).length, `log grew by ${String(grew)}`);
  assert.equal(existsSync(file), false, 'no snapshot yet');
  await store.delete('Task', 't-8', 'default');
  await store.close();
  const back = await names(file);
  assert.equal(back.length, 199);
  assert.ok(back.includes('t-7:x'));
  assert.ok(!back.some((n) => n.startsWith('t-8:')));
});

test('once the log outgrows its limit a snapshot is written and the log emptied; nothing is lost', async () => {
  const file = tempFile();
  // Limit 4 KiB: 40 objects with 200-byte notes take the log past it.
  const store = new EmbeddedStore(file, new ManualClock(0), { logCompactMinBytes: 4096 });
  for (let i = 0; i < 40; i++) await store.create(task(`t-${String(i)}`, 'n'.repeat(200)));
  assert.ok(existsSync(file), 'a snapshot was written');
  // The log holds only what came after the last snapshot, and stays under twice the
  // snapshot's size (or the limit) plus the one append that crossed it.
  const records = readFileSync(`${file}.log`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  assert.ok(records.length < 40, `${String(records.length)} records in the log`);
  const record = (records[0] ?? '').length + 1;
  assert.ok(size(`${file}.log`) <= Math.max(4096, 2 * size(file)) + record);
  await store.close();
  const back = await names(file);
  assert.equal(back.length, 40);
});

test('a torn last line (a crash mid-append) is ignored; a damaged earlier line is refused', async () => {
  const file = tempFile();
  const store = new EmbeddedStore(file, new ManualClock(0));
  await store.create(task('a'));
  await store.create(task('b'));
  await store.close();
  appendFileSync(`${file}.log`, '{"rv":9,"key":"Task:default/c","obj');
  assert.deepEqual(await names(file), ['a:', 'b:']);
  const lines = readFileSync(`${file}.log`, 'utf8').split('\n');
  writeFileSync(`${file}.log`, ['garbage', ...lines].join('\n'));
  assert.throws(
    () => new EmbeddedStore(file, new ManualClock(0)),
    (e: unknown) => e instanceof StoreLogCorruptError && e.line === 1,
  );
});

test('log records the snapshot already holds (a crash before the log was emptied) are skipped', async () => {
  const file = tempFile();
  const a = {
    ...task('a', 'new'),
    metadata: { ...task('a', 'new').metadata, resourceVersion: '5' },
  };
  writeFileSync(file, JSON.stringify({ resourceVersion: 5, objects: [a] }));
  // rv 3 (older than the snapshot): a's removal and an old b; rv 6: c, after the snapshot.
  writeFileSync(
    `${file}.log`,
    [
      { rv: 3, key: 'Task:default/a' },
      { rv: 4, key: 'Task:default/b', object: task('b') },
      { rv: 6, key: 'Task:default/c', object: task('c') },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  const store = new EmbeddedStore(file, new ManualClock(0));
  assert.deepEqual((await store.list('Task')).map((o) => o.metadata.name).sort(), ['a', 'c']);
  // New changes continue after the newest version seen (6).
  const d = await store.create(task('d'));
  assert.equal(d.metadata.resourceVersion, '7');
  await store.close();
});
