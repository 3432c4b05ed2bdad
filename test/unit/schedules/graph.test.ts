import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyGraph } from '../../../src/frameworks/schedules/graph.js';

const pipeline = [
  { name: 'load', parents: ['transform'], scheduled: false },
  { name: 'extract', parents: [], scheduled: true },
  { name: 'transform', parents: ['extract'], scheduled: false },
  { name: 'report', parents: ['load', 'extract'], scheduled: false },
];

test('topological order puts parents first; DOT and JSON exports list every edge', () => {
  const g = DependencyGraph.build(pipeline);
  assert.deepEqual(g.topological(), ['extract', 'transform', 'load', 'report']);
  assert.deepEqual(g.childrenOf('extract'), ['transform', 'report']);
  const dot = g.toDot();
  assert.match(dot, /"extract" \[shape=box\];/);
  assert.match(dot, /"transform" -> "load";/);
  assert.equal(g.toJSON().edges.length, 4);
});

// [nodes, message]
const invalid: [{ name: string; parents: string[]; scheduled: boolean }[], RegExp][] = [
  [
    [
      { name: 'a', parents: ['c'], scheduled: true },
      { name: 'b', parents: ['a'], scheduled: false },
      { name: 'c', parents: ['b'], scheduled: false },
    ],
    /dependency cycle: a -> b -> c -> a/,
  ],
  [[{ name: 'a', parents: ['a'], scheduled: true }], /cannot be its own parent/],
  [[{ name: 'a', parents: ['ghost'], scheduled: false }], /unknown parent "ghost"/],
  [[{ name: 'a', parents: [], scheduled: false }], /needs a schedule or at least one parent/],
  [
    [
      { name: 'a', parents: [], scheduled: true },
      { name: 'a', parents: [], scheduled: true },
    ],
    /duplicate schedule name/,
  ],
];
for (const [nodes, msg] of invalid) {
  test(`rejects ${msg.source}`, () => {
    assert.throws(() => DependencyGraph.build(nodes), msg);
  });
}
