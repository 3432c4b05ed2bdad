// BulkTexts (the dashboard stream's pass over 10,000 tasks): a pass names exactly the
// items whose text changed and the IDs gone, builds nothing for a record it saw unchanged,
// and its object is the collection as of the last pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulkTexts } from '../../../src/controller/http/bulk-texts.js';

interface Rec {
  id: string;
  state: string;
  tags: string[];
}

function texts(): { bulk: BulkTexts<Rec>; builds: () => number } {
  let n = 0;
  const bulk = new BulkTexts<Rec>(
    (r) => [r.state, r.tags],
    (r, k) => k[0] === r.state && k[1] === r.tags,
    (r) => (n++, { id: r.id, state: r.state, tags: r.tags }),
  );
  return { bulk, builds: () => n };
}

const a = (state: string, tags: string[] = []): Rec => ({ id: 'a', state, tags });
const b: Rec = { id: 'b', state: 'RUNNING', tags: [] };

const CASES: {
  name: string;
  second: (first: Rec[]) => Rec[];
  changed: string[];
  gone: string[];
  builds: number;
}[] = [
  { name: 'nothing changed', second: (f) => f, changed: [], gone: [], builds: 0 },
  {
    name: 'a field changed',
    second: ([x, y]) => {
      if (x) x.state = 'FINISHED';
      return [x, y].filter((r) => r !== undefined);
    },
    changed: ['"a":{"id":"a","state":"FINISHED","tags":[]}'],
    gone: [],
    builds: 1,
  },
  {
    name: 'a mutable field replaced by an equal one',
    second: ([x, y]) => {
      if (x) x.tags = [];
      return [x, y].filter((r) => r !== undefined);
    },
    changed: [],
    gone: [],
    builds: 1,
  },
  {
    name: 'a record replaced by an equal record',
    second: ([, y]) => [a('RUNNING'), ...(y ? [y] : [])],
    changed: [],
    gone: [],
    builds: 1,
  },
  {
    name: 'one gone, one new',
    second: ([x]) => [...(x ? [x] : []), { id: 'c', state: 'STAGING', tags: ['x'] }],
    changed: ['"c":{"id":"c","state":"STAGING","tags":["x"]}'],
    gone: ['b'],
    builds: 1,
  },
];

for (const c of CASES) {
  test(`a pass names what changed: ${c.name}`, () => {
    const { bulk, builds } = texts();
    const first = [a('RUNNING'), { ...b }];
    const initial = bulk.update(first);
    assert.equal(initial.changed.length, 2);
    assert.equal(builds(), 2);
    const second = c.second(first);
    const { changed, gone } = bulk.update(second);
    assert.deepEqual(changed, c.changed);
    assert.deepEqual(gone, c.gone);
    assert.equal(builds() - 2, c.builds);
    // The object is the collection now, whatever the passes were.
    assert.deepEqual(
      JSON.parse(bulk.object()),
      Object.fromEntries(second.map((r) => [r.id, { id: r.id, state: r.state, tags: r.tags }])),
    );
  });
}
