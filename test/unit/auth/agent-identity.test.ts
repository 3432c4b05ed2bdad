import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NODE_NAME_EXTRA,
  agentResourceName,
  checkAgentIdentity,
  serviceAccountUser,
} from '../../../src/auth/agent-identity.js';
import type { Principal } from '../../../src/auth/types.js';

const agentSa = serviceAccountUser('mezzo', 'mezzo-agent');
const who = (username: string, node?: string): Principal => ({
  username,
  groups: ['system:serviceaccounts'],
  extra: node ? { [NODE_NAME_EXTRA]: [node] } : {},
});
const onNode1 = { nodeName: 'node-1', hostname: 'host-1' };

// [title, caller, claim, allowed identities, allowed?, reason contains]
const cases: [string, Principal, typeof onNode1, string[], boolean, string][] = [
  ['the agent SA on its own node', who(agentSa, 'node-1'), onNode1, [agentSa], true, ''],
  ['the agent SA with an unbound token', who(agentSa), onNode1, [agentSa], true, ''],
  [
    'another SA',
    who('system:serviceaccount:team-a:batch', 'node-1'),
    onNode1,
    [agentSa],
    false,
    `only ${agentSa}`,
  ],
  [
    'the agent SA claiming another node',
    who(agentSa, 'node-2'),
    onNode1,
    [agentSa],
    false,
    'bound to node node-2',
  ],
  ['no identity pinned (dev), bound token', who('anyone', 'node-1'), onNode1, [], true, ''],
  [
    'no node name: the hostname is compared',
    who(agentSa, 'host-1'),
    { nodeName: '', hostname: 'host-1' },
    [agentSa],
    true,
    '',
  ],
];
for (const [title, caller, claim, identities, allowed, reason] of cases) {
  test(`agent identity: ${title}`, () => {
    const d = checkAgentIdentity(caller, claim, { identities });
    assert.equal(d.allowed, allowed);
    if (!d.allowed)
      assert.match(d.reason, new RegExp(reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
}

test('agent identity: the RBAC name of a registration is its node, else its hostname', () => {
  assert.equal(agentResourceName(onNode1), 'node-1');
  assert.equal(agentResourceName({ nodeName: '', hostname: 'h' }), 'h');
  assert.equal(agentSa, 'system:serviceaccount:mezzo:mezzo-agent');
});
