// JsonFragments: a piece is serialized again exactly when its key changes, and an array
// joins the pieces into the same text JSON.stringify gives for the views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK, JsonFragments } from '../../../src/controller/http/json-fragments.js';

interface Item {
  id: string;
  state: string;
  tags: string[];
  note?: string;
}

const view = (x: Item) => ({ id: x.id, state: x.state, tags: x.tags, note: x.note });

test('a piece is built again exactly when its key changes', () => {
  let builds = 0;
  const f = new JsonFragments<Item>(
    (x) => [x.state, x.tags],
    (x) => {
      builds++;
      return view(x);
    },
  );
  const a: Item = { id: 'a', state: 'new', tags: ['x'] };
  const cases: { what: string; change: () => void; rebuilt: boolean; text: string }[] = [
    {
      what: 'first read',
      change: () => undefined,
      rebuilt: true,
      text: '{"id":"a","state":"new","tags":["x"]}',
    },
    {
      what: 'nothing changed',
      change: () => undefined,
      rebuilt: false,
      text: '{"id":"a","state":"new","tags":["x"]}',
    },
    {
      what: 'a key field changed',
      change: () => (a.state = 'running'),
      rebuilt: true,
      text: '{"id":"a","state":"running","tags":["x"]}',
    },
    {
      what: 'a key object replaced',
      change: () => (a.tags = ['y']),
      rebuilt: true,
      text: '{"id":"a","state":"running","tags":["y"]}',
    },
    {
      what: 'set back to an equal value',
      change: () => (a.state = 'running'),
      rebuilt: false,
      text: '{"id":"a","state":"running","tags":["y"]}',
    },
  ];
  for (const c of cases) {
    const before = builds;
    c.change();
    assert.equal(f.json(a), c.text, c.what);
    assert.equal(builds - before, c.rebuilt ? 1 : 0, `${c.what}: built again?`);
  }
});

test('an array of pieces is the text JSON.stringify gives, undefined fields left out', () => {
  const f = new JsonFragments<Item>((x) => [x.state, x.note], view);
  const items: Item[] = [
    { id: 'a', state: 's', tags: [], note: 'quote " and \\ and \u2028' },
    { id: 'b', state: 't', tags: ['1', '2'] },
  ];
  const tables: { what: string; xs: Item[] }[] = [
    { what: 'none', xs: [] },
    { what: 'one', xs: items.slice(0, 1) },
    { what: 'two', xs: items },
  ];
  const text = (xs: Item[]): string =>
    f
      .parts(xs)
      .map((p) => p.text)
      .join('');
  for (const { what, xs } of tables) {
    assert.equal(text(xs), JSON.stringify(xs.map(view)), what);
    // Read twice: the remembered text is the same.
    assert.equal(text(xs), JSON.stringify(xs.map(view)), `${what}, again`);
  }
});

test('parts join again only the blocks whose pieces changed, moved or were built since', () => {
  const f = new JsonFragments<Item>((x) => [x.state], view);
  const items: Item[] = Array.from({ length: 3 * BLOCK + 10 }, (_, i) => ({
    id: `i${String(i)}`,
    state: 's',
    tags: [],
  }));
  const read = (xs: Item[]) => {
    const before = f.blocksJoined;
    const parts = f.parts(xs);
    assert.equal(parts.map((p) => p.text).join(''), JSON.stringify(xs.map(view)));
    return { parts, encoded: f.blocksJoined - before };
  };
  assert.equal(read(items).encoded, 4, 'first read: three blocks and the tail');
  const cases: { what: string; change: () => void; encoded: number }[] = [
    { what: 'nothing changed', change: () => undefined, encoded: 0 },
    {
      what: 'one piece changed',
      change: () => (items[5] = { ...items[5], state: 't' } as Item),
      encoded: 1,
    },
    {
      what: "a piece's key changed in place",
      change: () => ((items[BLOCK] as Item).state = 'u'),
      encoded: 1,
    },
    {
      what: 'one appended',
      change: () => items.push({ id: 'new', state: 's', tags: [] }),
      encoded: 1,
    },
    { what: 'the first removed', change: () => items.shift(), encoded: 1 },
    {
      // Built by json() between two reads: its block must not keep the old text.
      what: 'a piece built again outside a read',
      change: () => {
        const x = items[2 * BLOCK] as Item;
        x.state = 'v';
        f.json(x);
      },
      encoded: 1,
    },
  ];
  for (const c of cases) {
    c.change();
    assert.equal(read(items).encoded, c.encoded, c.what);
  }
  const a = read(items).parts;
  assert.deepEqual(
    read(items).parts.map((p, i) => p === a[i]),
    a.map(() => true),
    'the same parts when nothing changed',
  );
  assert.equal(
    f
      .parts([])
      .map((p) => p.text)
      .join(''),
    '[]',
  );
});
