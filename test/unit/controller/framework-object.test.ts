// What a subscription may ask for: its roles and failover timeout must make a Framework
// object the CRD accepts (the check runs before the subscription is authorized), and the
// object shows a failover timeout of at most a year.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  frameworkObject,
  MAX_SHOWN_FAILOVER_S,
  subscriptionProblem,
} from '../../../src/controller/framework-object.js';

const WEEK = 604_800;
const ROWS: { roles: string[]; timeout?: number; says?: RegExp }[] = [
  { roles: ['eng/backend'] },
  { roles: ['*'] }, // Mesos' default role
  { roles: ['a', 'b.c', 'd-e', '_f'] },
  { roles: Array.from({ length: 64 }, (_, i) => `r${String(i)}`) }, // the CRD's maximum
  { roles: ['x'.repeat(253)] },
  { roles: ['eng'], timeout: 10 * 365 * 86_400 }, // ten years: taken, shown as one
  { roles: ['eng'], timeout: 0 },
  { roles: [], says: /roles.*(Required|at least 1|should have at least)/ },
  { roles: [''], says: /roles\[0\].*should match/ },
  { roles: ['../x'], says: /roles\[0\].*Invalid value: "\.\.\/x"/ },
  { roles: ['a b'], says: /roles\[0\]/ },
  { roles: ['a*'], says: /roles\[0\]/ },
  { roles: ['ok', '*/x'], says: /roles\[1\]/ },
  { roles: ['a', 'a'], says: /roles\[1\].*Duplicate/ },
  { roles: ['x'.repeat(254)], says: /roles\[0\].*253/ },
  {
    // 20,000 roles: the first errors and a count, not 20,000 lines.
    roles: Array.from({ length: 20_000 }, (_, i) => `r${String(i)}`),
    says: /roles: Too many: 20000: must have at most 64 items/,
  },
  { roles: ['eng'], timeout: -1, says: /failover_timeout_seconds.*0 or more \(got -1\)/ },
  { roles: ['eng'], timeout: Number.NaN, says: /got NaN/ },
  { roles: ['eng'], timeout: Number.POSITIVE_INFINITY, says: /got Infinity/ },
];

for (const { roles, timeout = WEEK, says } of ROWS) {
  const label = `${roles.length > 3 ? `${String(roles.length)} roles` : JSON.stringify(roles).slice(0, 40)}, ${String(timeout)} s`;
  test(`subscription ${label}: ${says ? 'refused' : 'taken'}`, () => {
    const problem = subscriptionProblem(roles, timeout);
    if (!says) assert.equal(problem, undefined);
    else {
      assert.match(problem ?? '', says);
      assert.ok((problem ?? '').length < 2_000, `a short message (${String(problem?.length)})`);
    }
  });
}

test('the object shows at most a year of failover timeout, the subscriber and the name', () => {
  const o = frameworkObject(
    {
      id: 'fw-1',
      name: 'Spark Pi',
      roles: ['*'],
      failoverTimeoutSeconds: 1e12,
      subscriber: 'alice',
    },
    'mezzo',
  );
  assert.equal(o.spec['failoverTimeoutSeconds'], MAX_SHOWN_FAILOVER_S);
  assert.deepEqual(o.spec['roles'], ['*']);
  assert.equal(o.metadata.annotations?.['mezzo.dev/subscribed-by'], 'alice');
  assert.equal(o.metadata.labels?.['mezzo.dev/framework-name'], 'Spark-Pi');
});
