// SharedBuild: readers that arrive before a build runs share it; a reader after it gets a
// build of its own, made after it asked; a failed build fails only its own batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedBuild } from '../../../src/controller/http/shared-build.js';

test('readers of one turn share one build; later readers get a build made after they asked', async () => {
  let version = 0;
  const shared = new SharedBuild(() => `{"version":${String(version)}}`);
  const cases: { what: string; readers: number; change: boolean; text: string }[] = [
    { what: 'five readers at once', readers: 5, change: false, text: '{"version":0}' },
    { what: 'one reader after a change', readers: 1, change: true, text: '{"version":1}' },
    { what: 'three readers after a change', readers: 3, change: true, text: '{"version":2}' },
  ];
  for (const c of cases) {
    if (c.change) version++;
    const before = shared.builds;
    const bodies = await Promise.all(Array.from({ length: c.readers }, () => shared.read()));
    assert.equal(shared.builds - before, 1, `${c.what}: one build`);
    for (const b of bodies) {
      assert.equal(b.toString('utf8'), c.text, c.what);
      // The very same bytes, not a copy per reader.
      assert.equal(b, bodies[0], `${c.what}: shared bytes`);
    }
  }
  assert.equal(shared.reads, 9);
});

test('a reader arriving while the build is pending joins it, even from a later microtask', async () => {
  let builds = 0;
  const shared = new SharedBuild(() => `"${String(++builds)}"`);
  const first = shared.read();
  await Promise.resolve();
  const second = shared.read();
  assert.deepEqual((await Promise.all([first, second])).map(String), ['"1"', '"1"']);
  assert.equal(String(await shared.read()), '"2"');
});

test('a build that throws rejects its batch only; the next batch builds again', async () => {
  let fail = true;
  const shared = new SharedBuild(() => {
    if (fail) throw new Error('broken invariant');
    return '{}';
  });
  const failed = await Promise.allSettled([shared.read(), shared.read()]);
  assert.deepEqual(
    failed.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.equal(String(await shared.read()), '{}');
  assert.equal(shared.builds, 2);
});

test('multi-byte text is sent as UTF-8 bytes', async () => {
  const shared = new SharedBuild(() => '{"name":"zürich ✓"}');
  const body = await shared.read();
  assert.equal(body.length, Buffer.byteLength('{"name":"zürich ✓"}'));
  assert.deepEqual(JSON.parse(body.toString('utf8')) as unknown, { name: 'zürich ✓' });
});
