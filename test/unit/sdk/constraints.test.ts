import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAll,
  checkConstraint,
  validateConstraint,
  type AgentFacts,
  type Constraint,
} from '../../../src/sdk/constraints.js';

const agent = (hostname: string, attributes: Record<string, string> = {}): AgentFacts => ({
  hostname,
  attributes,
});
const a1 = agent('a1', { rack: 'r1', zone: 'z1' });
const a2 = agent('a2', { rack: 'r1', zone: 'z2' });
const a3 = agent('a3', { rack: 'r2', zone: 'z1' });

// [constraint, candidate, already placed on, fits?]
const cases: [Constraint, AgentFacts, AgentFacts[], boolean][] = [
  [{ field: 'hostname', operator: 'UNIQUE' }, a1, [], true],
  [{ field: 'hostname', operator: 'UNIQUE' }, a1, [a1], false],
  [{ field: 'hostname', operator: 'UNIQUE' }, a2, [a1], true],
  [{ field: 'rack', operator: 'CLUSTER', value: 'r2' }, a1, [], false],
  [{ field: 'rack', operator: 'CLUSTER', value: 'r2' }, a3, [], true],
  [{ field: 'rack', operator: 'CLUSTER' }, a3, [a1], false], // clusters on the first instance's rack, r1
  [{ field: 'rack', operator: 'CLUSTER' }, a2, [a1], true],
  [{ field: 'rack', operator: 'LIKE', value: 'r[12]' }, a3, [], true],
  [{ field: 'rack', operator: 'LIKE', value: 'r1' }, a3, [], false],
  [{ field: 'rack', operator: 'LIKE', value: 'r' }, a1, [], false], // full match, not substring
  [{ field: 'rack', operator: 'UNLIKE', value: 'r1' }, a1, [], false],
  [{ field: 'gpu', operator: 'UNLIKE', value: 'yes' }, a1, [], true], // absent attribute does not match
  [{ field: 'rack', operator: 'MAX_PER', value: '2' }, a2, [a1], true], // r1 has 1 < 2
  [{ field: 'rack', operator: 'MAX_PER', value: '2' }, a2, [a1, a2], false], // r1 has 2
  [{ field: 'zone', operator: 'GROUP_BY' }, a2, [a1], true], // z2 has 0, z1 has 1
  [{ field: 'zone', operator: 'GROUP_BY' }, a3, [a1], false], // z1 has 1 while z2 has 0
  [{ field: 'zone', operator: 'GROUP_BY', value: '2' }, a3, [a1, a2], true], // 1 and 1: even
  [{ field: 'rack', operator: 'EQUALS', value: 'r2' }, a3, [], true],
];

for (const [c, cand, placed, fits] of cases) {
  test(`${c.field}:${c.operator}:${c.value ?? ''} on ${cand.hostname} with [${placed.map((p) => p.hostname).join(',')}] ${fits ? 'fits' : 'does not fit'}`, () => {
    const verdict = checkConstraint(c, cand, placed, ['z1', 'z2']);
    assert.equal(verdict === undefined, fits, verdict);
  });
}

test('UNIQUE hostname over two agents caps placement at two and says why', () => {
  const agents = [agent('n1'), agent('n2')];
  const constraints: Constraint[] = [{ field: 'hostname', operator: 'UNIQUE' }];
  const placed: AgentFacts[] = [];
  const reasons: string[] = [];
  for (let i = 0; i < 5; i++) {
    const fit = agents.find((a) => checkAll(constraints, a, placed).length === 0);
    if (fit) placed.push(fit);
    else reasons.push(...checkAll(constraints, agents[0] ?? agent('x'), placed));
  }
  assert.equal(placed.length, 2);
  assert.match(reasons[0] ?? '', /hostname:UNIQUE: an instance already runs on hostname=n1/);
});

// [constraint, message]
const invalid: [Constraint, RegExp][] = [
  [{ field: 'rack', operator: 'LIKE' }, /needs a regular expression/],
  [{ field: 'rack', operator: 'LIKE', value: '(' }, /invalid regular expression/],
  [{ field: 'rack', operator: 'MAX_PER', value: '0' }, /positive whole number/],
  [{ field: 'rack', operator: 'GROUP_BY', value: 'two' }, /optional positive whole number/],
  [{ field: '', operator: 'UNIQUE' }, /field: is required/],
];
for (const [c, msg] of invalid) {
  test(`invalid constraint ${JSON.stringify(c)}`, () => {
    assert.throws(() => validateConstraint(c, 'spec.constraints[0]'), msg);
  });
}
