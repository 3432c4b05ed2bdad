// JsonFragments: a piece is serialized again exactly when its key changes, and an array
// joins the pieces into the same text JSON.stringify gives for the views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonFragments } from '../../../src/controller/http/json-fragments.js';

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
  for (const { what, xs } of tables) {
    assert.equal(f.array(xs), JSON.stringify(xs.map(view)), what);
    // Read twice: the remembered text is the same.
    assert.equal(f.array(xs), JSON.stringify(xs.map(view)), `${what}, again`);
  }
});
