// The Schedules page's dependency graph in real Chromium against a real `mezzo dev`: the
// layout library ships with the package and is loaded from the controller
// (/ui/vendor/dagre.js, not a CDN); a diamond of four jobs and a job with no relations
// are drawn in layers (parents above children), no two boxes overlap, and every edge
// starts at its parent's box and ends at its child's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DevDashboard } from './dev-dashboard.js';

const d = new DevDashboard('dash-graph');
before(() => d.start());
after(() => d.stop());

function job(name: string, parents: string[]) {
  return {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Schedule',
    metadata: { name, namespace: 'default' },
    spec: {
      command: 'true',
      cpus: 0.1,
      mem: '32Mi',
      ...(parents.length > 0 ? { parents } : { schedule: 'R/2030-01-01T00:00:00Z/P1D' }),
    },
  };
}

const JOBS: [string, string[]][] = [
  ['g-top', []],
  ['g-left', ['g-top']],
  ['g-right', ['g-top']],
  ['g-bottom', ['g-left', 'g-right']],
  ['g-alone', []],
];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

test('the dependency graph is laid out by the bundled library', async (t) => {
  if (!DevDashboard.ready(t)) return;
  // The library comes from the controller, as an ES module.
  const lib = await fetch(`${d.dev?.server ?? ''}/ui/vendor/dagre.js`);
  assert.equal(lib.status, 200);
  assert.match(lib.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await lib.text(), /export\s*\{/);

  await d.api('/apply', { method: 'POST', body: JSON.stringify(JOBS.map(([n, p]) => job(n, p))) });
  const { page, errors } = await d.visit('schedules');
  await page.waitForSelector('g[data-node="g-bottom"]');
  await page.waitForSelector('path[data-edge="g-right->g-bottom"]');
  const loaded = await page.evaluate<string[]>(
    `performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)`,
  );
  assert.ok(loaded.includes('/ui/vendor/dagre.js'), `modules loaded: ${loaded.join(', ')}`);

  const boxes = new Map<string, Box>();
  for (const [name] of JOBS) {
    const b = await page.locator(`g[data-node="${name}"] rect`).boundingBox();
    assert.ok(b, `${name} is drawn`);
    boxes.set(name, b);
  }
  const box = (n: string): Box => {
    const b = boxes.get(n);
    assert.ok(b);
    return b;
  };
  for (const [name, parents] of JOBS) {
    for (const p of parents) {
      assert.ok(box(p).y + box(p).height <= box(name).y, `${p} is above its child ${name}`);
    }
  }
  const names = [...boxes.keys()];
  for (const a of names) {
    for (const b of names) {
      if (a >= b) continue;
      const A = box(a);
      const B = box(b);
      const apart =
        A.x + A.width <= B.x ||
        B.x + B.width <= A.x ||
        A.y + A.height <= B.y ||
        B.y + B.height <= A.y;
      assert.ok(apart, `${a} and ${b} do not overlap`);
    }
  }
  // Each edge runs from its parent's box to its child's (within a few pixels: the arrow).
  for (const [name, parents] of JOBS) {
    for (const p of parents) {
      const ends = await page.evaluate<{ x: number; y: number }[]>(
        `(() => { const path = document.querySelector('path[data-edge="${p}->${name}"]');
          const m = path.getScreenCTM(); const n = path.getTotalLength();
          return [path.getPointAtLength(0), path.getPointAtLength(n)].map((q) => {
            const r = new DOMPoint(q.x, q.y).matrixTransform(m); return { x: r.x, y: r.y }; }); })()`,
      );
      const [from, to] = ends;
      assert.ok(from && to);
      const P = box(p);
      const C = box(name);
      assert.ok(Math.abs(from.y - (P.y + P.height)) < 4, `${p}->${name} starts at ${p}'s bottom`);
      assert.ok(from.x >= P.x && from.x <= P.x + P.width, `${p}->${name} starts under ${p}`);
      assert.ok(Math.abs(to.y - C.y) < 4, `${p}->${name} ends at ${name}'s top`);
      assert.ok(to.x >= C.x && to.x <= C.x + C.width, `${p}->${name} ends over ${name}`);
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});
