// The dev-mode pieces of src/auth/: token parsing and comparison, the static token file,
// the policy file and its decisions, and the per-caller token bucket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DevAuthenticator, DEV_ADMIN } from '../../../src/auth/dev-authenticator.js';
import { parsePolicy, PolicyAuthorizer, PolicyError } from '../../../src/auth/policy.js';
import { RateLimiter } from '../../../src/auth/rate-limit.js';
import { mezzoAccess } from '../../../src/auth/route-access.js';
import { parseStaticTokens, StaticTokenError } from '../../../src/auth/static-tokens.js';
import { bearerToken, sameToken } from '../../../src/auth/token.js';
import type { Principal } from '../../../src/auth/types.js';

test('bearer tokens are read from the header and compared exactly', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['Bearer abc', 'abc'],
    ['bearer   abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ];
  for (const [header, token] of cases) assert.equal(bearerToken(header), token, String(header));
  assert.equal(sameToken('abc', 'abc'), true);
  assert.equal(sameToken('abc', 'abd'), false);
  assert.equal(sameToken('abc', 'abcd'), false);
});

test('the static token file reads kube-apiserver lines and Mezzo extras, and names bad lines', async () => {
  const ids = parseStaticTokens(
    '# comment\n\nt1,alice,1,"a,b"\nt2,node,2,"",authentication.kubernetes.io/node-name=n1\nt3,bob\n',
    'f',
  );
  assert.deepEqual(
    ids.map((i) => [i.token, i.principal.username, i.principal.groups, i.principal.extra]),
    [
      ['t1', 'alice', ['a', 'b'], {}],
      ['t2', 'node', [], { 'authentication.kubernetes.io/node-name': ['n1'] }],
      ['t3', 'bob', [], {}],
    ],
  );
  for (const [text, why] of [
    ['t1,alice\nt1,bob', /f:2: a token given twice/],
    [',alice', /f:1: the token is empty/],
    ['t1,', /f:1: the user name is empty/],
    ['t1,a,1,"x', /f:1: an unterminated quote/],
    ['t1,a,1,g,bad', /f:1: extra "bad" is not key=value/],
  ] as const) {
    assert.throws(
      () => parseStaticTokens(text, 'f'),
      (e: unknown) => {
        assert.ok(e instanceof StaticTokenError);
        assert.match(e.message, why);
        return true;
      },
    );
  }
  const auth = new DevAuthenticator('admin', ids);
  assert.deepEqual(await auth.authenticate('admin'), { ok: true, principal: DEV_ADMIN });
  const alice = await auth.authenticate('t1');
  assert.ok(alice.ok && alice.principal.username === 'alice');
  assert.deepEqual(await auth.authenticate('t9'), { ok: false, reason: 'the token is not known' });
  assert.equal((await new DevAuthenticator(undefined).authenticate('')).ok, false);
});

test('the policy grants what its rules say and nothing else; system:masters everything', async () => {
  const rules = parsePolicy(
    `rules:
  - users: [alice]
    verbs: [create]
    resources: [tasks]
    namespaces: [team-a]
  - groups: [ops]
    verbs: ['*']
    resources: [tasks/log]
  - users: [alice]
    verbs: [register]
    resources: [frameworks]
    names: [analytics]
  - groups: [viewers]
    verbs: [get]
    nonResourceURLs: [/state, /debug/*]
`,
    'p',
  );
  const authz = new PolicyAuthorizer(rules);
  const who = (username: string, ...groups: string[]): Principal => ({
    username,
    groups,
    extra: {},
  });
  const cases: [Principal, ReturnType<typeof mezzoAccess>, boolean][] = [
    [who('alice'), mezzoAccess('create', 'tasks', { namespace: 'team-a', name: 'x' }), true],
    [who('alice'), mezzoAccess('create', 'tasks', { namespace: 'team-b', name: 'x' }), false],
    [who('alice'), mezzoAccess('delete', 'tasks', { namespace: 'team-a', name: 'x' }), false],
    [who('alice'), mezzoAccess('create', 'tasks'), false],
    [who('bob', 'ops'), mezzoAccess('get', 'tasks', { subresource: 'log', namespace: 'n' }), true],
    [who('bob', 'ops'), mezzoAccess('get', 'tasks', { namespace: 'n' }), false],
    [who('alice'), mezzoAccess('register', 'frameworks', { name: 'analytics' }), true],
    [who('alice'), mezzoAccess('register', 'frameworks', { name: 'default' }), false],
    [who('v', 'viewers'), { nonResource: { verb: 'get', path: '/state' } }, true],
    [who('v', 'viewers'), { nonResource: { verb: 'get', path: '/debug/x' } }, true],
    [who('v', 'viewers'), { nonResource: { verb: 'get', path: '/metrics' } }, false],
    [who('root', 'system:masters'), mezzoAccess('run-as', 'users', { name: 'root' }), true],
  ];
  for (const [p, q, allowed] of cases) {
    assert.equal(
      (await authz.authorize(p, q)).allowed,
      allowed,
      `${p.username} ${JSON.stringify(q)}`,
    );
  }
  for (const [text, why] of [
    ['rules: [{verbs: [get], resources: [tasks]}]', /names no users and no groups/],
    ['rules: [{users: [a], resources: [tasks]}]', /names no verbs/],
    ['rules: [{users: [a], verbs: [get]}]', /either resources or nonResourceURLs/],
    ['rules: [{users: [a], verbs: [get], resources: [t], bogus: 1}]', /unknown field "bogus"/],
    ['rules: 3', /needs a list "rules"/],
  ] as const) {
    assert.throws(
      () => parsePolicy(text, 'p'),
      (e: unknown) => {
        assert.ok(e instanceof PolicyError);
        assert.match(e.message, why);
        return true;
      },
    );
  }
});

test('the token bucket allows a burst, then the rate, per caller, and forgets idle callers', () => {
  let now = 0;
  const limiter = new RateLimiter({ ratePerSecond: 10, burst: 5 }, () => now);
  for (let i = 0; i < 5; i++) assert.deepEqual(limiter.take('a'), { ok: true, waitMs: 0 });
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterS: 1 });
  // Another caller has its own bucket.
  assert.deepEqual(limiter.take('b'), { ok: true, waitMs: 0 });
  now += 100; // one token back
  assert.deepEqual(limiter.take('a'), { ok: true, waitMs: 0 });
  assert.equal(limiter.take('a').ok, false);
  now += 10_000;
  limiter.take('c');
  assert.equal(limiter.size, 1);
});
