// AgentsByNode: the index behind "an agent replaced on its node". Each row is a step and
// what `on` answers for the nodes after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentsByNode } from '../../../src/controller/agents-by-node.js';

test('AgentsByNode places, moves and forgets agents', () => {
  const idx = new AgentsByNode();
  const rows: { step: () => void; what: string; want: Record<string, string[]> }[] = [
    { step: () => idx.set('a1', 'n1'), what: 'a1 on n1', want: { n1: ['a1'], n2: [] } },
    { step: () => idx.set('a2', 'n1'), what: 'a2 also on n1', want: { n1: ['a1', 'a2'], n2: [] } },
    {
      step: () => idx.set('a1', 'n1'),
      what: 'a1 again: no change',
      want: { n1: ['a1', 'a2'], n2: [] },
    },
    // A re-registration that reports another hostname moves the agent.
    { step: () => idx.set('a1', 'n2'), what: 'a1 moves to n2', want: { n1: ['a2'], n2: ['a1'] } },
    { step: () => idx.remove('a2'), what: 'a2 forgotten', want: { n1: [], n2: ['a1'] } },
    {
      step: () => idx.remove('a9'),
      what: 'an unknown agent: no change',
      want: { n1: [], n2: ['a1'] },
    },
  ];
  for (const { step, what, want } of rows) {
    step();
    for (const [node, ids] of Object.entries(want)) {
      assert.deepEqual(idx.on(node).sort(), ids, `${what}: on(${node})`);
    }
  }
  assert.deepEqual([idx.has('a1'), idx.has('a2')], [true, false]);
  // on() is a copy: removing while iterating it misses nobody.
  idx.set('b1', 'n3');
  idx.set('b2', 'n3');
  for (const id of idx.on('n3')) idx.remove(id);
  assert.deepEqual(idx.on('n3'), []);
});
