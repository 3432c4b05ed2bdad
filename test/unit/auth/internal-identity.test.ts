import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERNAL_USER, withInternalIdentity } from '../../../src/auth/internal-identity.js';
import type { AccessControl, Principal } from '../../../src/auth/types.js';

// The wrapped access control: every token is an unprivileged caller; every question denied.
const outside: Principal = { username: 'someone', groups: [], extra: {} };
const base: AccessControl & { agentIdentity: { identities: string[] } } = {
  authenticator: { authenticate: () => Promise.resolve({ ok: true, principal: outside }) },
  authorizer: { authorize: () => Promise.resolve({ allowed: false, reason: 'no' }) },
  agentIdentity: { identities: ['agent'] },
};
const what = { nonResource: { verb: 'get', path: '/state' } };

test('the in-process token is an administrator; other tokens go to the wrapped control', async () => {
  const access = withInternalIdentity(base, 'secret-token');
  const inside = await access.authenticator.authenticate('secret-token');
  assert.ok(inside.ok);
  assert.equal(inside.principal.username, INTERNAL_USER);
  assert.deepEqual(await access.authorizer.authorize(inside.principal, what), { allowed: true });
  const other = await access.authenticator.authenticate('secret-tokex');
  assert.ok(other.ok);
  assert.equal(other.principal.username, 'someone');
  assert.equal((await access.authorizer.authorize(other.principal, what)).allowed, false);
  assert.deepEqual(access.agentIdentity, { identities: ['agent'] });
});

// [title, principal a TokenReview could return]: none may pass as the internal identity.
const impostors: [string, Principal][] = [
  ['the same user name, no uid', { username: INTERNAL_USER, groups: [], extra: {} }],
  [
    'the same user name, another uid',
    { username: INTERNAL_USER, uid: 'guess', groups: [], extra: {} },
  ],
];
for (const [title, who] of impostors) {
  test(`the internal identity cannot be claimed: ${title}`, async () => {
    const access = withInternalIdentity(base, 'secret-token');
    assert.equal((await access.authorizer.authorize(who, what)).allowed, false);
  });
}
