import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPartialGraph } from '../../../src/frameworks/schedules/graph.js';
import { renderGraph } from '../../../src/cli/commands/schedules.js';

type N = { name: string; parents: string[]; scheduled: boolean };
const node = (name: string, parents: string[] = [], scheduled = parents.length === 0): N => ({
  name,
  parents,
  scheduled,
});

// [what, nodes, runnable in order, invalid name → message]
const cases: [string, N[], string[], Record<string, RegExp>][] = [
  ['a valid chain', [node('e'), node('t', ['e']), node('l', ['t'])], ['e', 't', 'l'], {}],
  [
    'a cycle stops its members and their children only',
    [node('x', ['y']), node('y', ['x']), node('z', ['y']), node('ok')],
    ['ok'],
    {
      x: /^dependency cycle: x -> y -> x$/,
      y: /^dependency cycle: x -> y -> x$/,
      z: /^parent "y" cannot run \(dependency cycle/,
    },
  ],
  ['an unknown parent', [node('a', ['ghost'])], [], { a: /^unknown parent "ghost"$/ }],
  ['its own parent', [node('a', ['a'], true)], [], { a: /cannot be its own parent/ }],
];

for (const [what, nodes, runnable, invalid] of cases) {
  test(`partial graph: ${what}`, () => {
    const g = buildPartialGraph(nodes);
    assert.deepEqual(g.graph.topological(), runnable);
    assert.deepEqual([...g.invalid.keys()].sort(), Object.keys(invalid).sort());
    for (const [name, re] of Object.entries(invalid)) assert.match(g.invalid.get(name) ?? '', re);
  });
}

test('graph export draws invalid schedules red and keeps their edges', () => {
  const objs = [
    { metadata: { name: 'extract' }, spec: { schedule: 'R/2026-01-01T02:00:00/P1D' } },
    { metadata: { name: 'transform' }, spec: { parents: ['extract'] } },
    { metadata: { name: 'a' }, spec: { parents: ['b'] } },
    { metadata: { name: 'b' }, spec: { parents: ['a'] } },
  ];
  const dot = renderGraph(objs, 'dot');
  assert.match(dot, /"extract" -> "transform";/);
  assert.match(dot, /"a" \[shape=ellipse, color=red, tooltip="dependency cycle: a -> b -> a"\];/);
  assert.match(dot, /"b" -> "a" \[color=red\];/);
  assert.ok(dot.trimEnd().endsWith('}'));
  const json = JSON.parse(renderGraph(objs, 'json')) as {
    edges: { from: string; to: string }[];
    invalid: { name: string }[];
  };
  assert.equal(json.edges.length, 3);
  assert.deepEqual(
    json.invalid.map((i) => i.name),
    ['a', 'b'],
  );
});
