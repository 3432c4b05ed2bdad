// Properties of the App spec reader: any value at all, or a valid spec with any field
// set to anything, is read without a throw — a spec or a problem naming a field under
// `spec` — and what it accepts can be placed on an offer and launched without a throw;
// generated valid specs are accepted and keep the version of what is stored (so an
// upgrade of Mezzo never rolls running instances). Fixed seed and a bounded count in
// `npm test`; MEZZO_FUZZ_RUNS=n runs n cases each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  instanceNeeds,
  instanceTask,
  readAppSpec,
  specVersion,
} from '../../../src/frameworks/apps/app-spec.js';
import { OfferMatcher } from '../../../src/sdk/offers.js';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';

const RUNS = Number(process.env.MEZZO_FUZZ_RUNS) || 200;
const settings = { seed: 20_260_318, numRuns: RUNS };

const offer = {
  id: 'o1',
  framework_id: 'fw',
  agent_id: 'a1',
  hostname: 'h1',
  allocation_role: 'default',
  attributes: [{ name: 'rack', text: 'r1' }],
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: 4, ranges: [], set: [], reservations: [] },
    { name: 'mem', type: 'SCALAR', scalar: 4096, ranges: [], set: [], reservations: [] },
    {
      name: 'ports',
      type: 'RANGES',
      scalar: 0,
      ranges: [{ begin: 31000, end: 31099 }],
      set: [],
      reservations: [],
    },
  ],
} as unknown as Offer__Output;

const base = {
  command: 'serve --port $PORT0',
  instances: 2,
  cpus: 0.5,
  mem: '64Mi',
  portDefinitions: [{ port: 0, name: 'http' }],
  healthChecks: [{ type: 'HTTP', portIndex: 0, path: '/health' }],
  constraints: [{ attribute: 'rack', operator: 'GROUP_BY' }],
  upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.5 },
};
const FIELDS = [
  ...Object.keys(base),
  'args',
  'disk',
  'role',
  'env',
  'labels',
  'uris',
  'unreachableStrategy',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'killGracePeriodSeconds',
];

/** Values a careless or hostile hand puts in a field. */
const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom(-1, 0, 1e9, Number.NaN, Infinity, '', '-1', 'lots', [], {}, [{}], null),
);

test('any App spec is a spec or a problem under spec, never a throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        fc.tuple(fc.constantFrom(...FIELDS), hostile).map(([k, v]) => ({ ...base, [k]: v })),
      ),
      (raw) => {
        const r = readAppSpec(raw);
        if (!r.ok) {
          assert.match(r.problem.path, /^spec/);
          return;
        }
        // Accepted: matching it to an offer and building its launch never throw.
        const fit = new OfferMatcher(offer).take(instanceNeeds(r.value));
        if (fit.ok) instanceTask({ namespace: 'ns', name: 'web' }, r.value, 't', 'a1', fit);
      },
    ),
    settings,
  );
});

const validSpec = fc.record(
  {
    command: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
    instances: fc.nat({ max: 50 }),
    cpus: fc.double({ min: 0.01, max: 8, noNaN: true }),
    mem: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('64Mi', '1Gi', '500M')),
    env: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })),
    backoffSeconds: fc.double({ min: 0, max: 600, noNaN: true }),
    backoffFactor: fc.double({ min: 1, max: 10, noNaN: true }),
    killGracePeriodSeconds: fc.nat({ max: 600 }),
  },
  { requiredKeys: ['command'] },
);

test('valid specs are accepted and keep the version of the stored spec', () => {
  fc.assert(
    fc.property(validSpec, (raw) => {
      const r = readAppSpec(raw);
      assert.ok(r.ok, r.ok ? '' : r.problem.message);
      assert.equal(specVersion(r.value), specVersion(raw));
    }),
    settings,
  );
});
