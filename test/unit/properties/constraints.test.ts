// Placement constraints (src/sdk/constraints.ts) on any input: validation answers with a
// ValidationError or accepts, and an accepted constraint can be checked against any
// agent without an exception; a LIKE pattern matches whole attribute values only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkConstraint,
  validateConstraint,
  type AgentFacts,
  type Constraint,
} from '../../../src/sdk/constraints.js';
import { ValidationError } from '../../../src/shared/errors.js';
import { word } from './arbitraries.js';
import { fuzz } from './fuzz.js';

const OPERATORS = ['EQUALS', 'LIKE', 'UNLIKE', 'UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER'];
/** Regex-ish text: letters, groups, alternation, classes, quantifiers, escapes. */
const pattern = fc
  .array(
    fc.constantFrom('a', 'b', 'r', '1', '(', ')', '|', '.*', '[', ']', '?', '+', '\\', '^', '$'),
    {
      maxLength: 8,
    },
  )
  .map((xs) => xs.join(''));
const constraint: fc.Arbitrary<Constraint> = fc.record(
  {
    field: fc.oneof(fc.constantFrom('hostname', 'rack', ''), fc.string({ maxLength: 5 })),
    operator: fc.oneof(fc.constantFrom(...OPERATORS), fc.string({ maxLength: 6 })) as fc.Arbitrary<
      Constraint['operator']
    >,
    value: fc.oneof(pattern, fc.nat({ max: 20 }).map(String), fc.string({ maxLength: 6 })),
  },
  { requiredKeys: ['field', 'operator'] },
);
const agent: fc.Arbitrary<AgentFacts> = fc.record({
  hostname: word('abr12.', 0, 6),
  attributes: fc.dictionary(fc.constantFrom('rack', 'zone'), word('abr12', 0, 4)),
});

test('any constraint is valid or a ValidationError; a valid one checks against any agent', () => {
  fc.assert(
    fc.property(constraint, agent, fc.array(agent, { maxLength: 4 }), (c, a, placed) => {
      try {
        validateConstraint(c, 'spec.constraints[0]');
      } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return;
      }
      assert.ok(OPERATORS.includes(c.operator), `accepted unknown operator ${c.operator}`);
      const verdict = checkConstraint(c, a, placed, ['r1', 'r2']);
      assert.ok(verdict === undefined || typeof verdict === 'string');
    }),
    fuzz(1000),
  );
});

test('LIKE accepts an attribute only when the whole value matches the pattern', () => {
  fc.assert(
    fc.property(pattern, word('abr1', 0, 5), (value, attr) => {
      const c: Constraint = { field: 'rack', operator: 'LIKE', value };
      try {
        validateConstraint(c, 'c');
      } catch {
        return;
      }
      // An accepted pattern is a regular expression by itself...
      const re = new RegExp(value);
      const fits =
        checkConstraint(c, { hostname: 'h', attributes: { rack: attr } }, []) === undefined;
      // ...and LIKE holds exactly when some match of it spans the whole value.
      const whole = new RegExp(`^(?:${value})$`).test(attr);
      assert.equal(fits, whole);
      if (fits) assert.ok(re.test(attr));
    }),
    fuzz(1000),
  );
});
