// Placing app instances on a batch of offers: spreading, constraints, roles, and the
// reasons reported for what does not fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferMatcher } from '../../../src/sdk/offers.js';
import { placeAll, roleFits, type Demand } from '../../../src/frameworks/apps/placement.js';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import type { Resource__Output } from '../../../src/gen/mezzo/v1/Resource.js';

function scalar(name: string, value: number): Resource__Output {
  return {
    name,
    type: 'SCALAR',
    scalar: value,
    ranges: [],
    set: [],
    reservations: [],
    revocable: false,
  } as never;
}

function offer(
  hostname: string,
  cpus: number,
  attrs: Record<string, string> = {},
  role = 'default',
): Offer__Output {
  return {
    id: `o-${hostname}`,
    framework_id: 'fw',
    agent_id: `agent-${hostname}`,
    hostname,
    resources: [scalar('cpus', cpus), scalar('mem', 1024)],
    attributes: Object.entries(attrs).map(([name, text]) => ({ name, text })),
    allocation_role: role,
  };
}

function demand(count: number, over: Partial<Demand> = {}): Demand {
  return {
    app: 'team/web',
    count,
    needs: { cpus: 1, mem: 64 },
    role: 'default',
    placed: [],
    ...over,
  };
}

const hostsOf = (r: ReturnType<typeof placeAll>) =>
  r.placements.map((p) => p.matcher.agent.hostname);

test('spreads over agents: the least loaded offer first', () => {
  const r = placeAll(
    [new OfferMatcher(offer('a1', 4)), new OfferMatcher(offer('a2', 4))],
    [demand(4)],
    () => [],
  );
  // 4 instances over 2 agents: 2 each, alternating.
  assert.deepEqual(hostsOf(r).sort(), ['a1', 'a1', 'a2', 'a2']);
  assert.equal(r.unplaced.size, 0);
});

test('instances already placed count toward the spread', () => {
  const placed = [{ hostname: 'a1', attributes: {} }];
  const r = placeAll(
    [new OfferMatcher(offer('a1', 4)), new OfferMatcher(offer('a2', 4))],
    [demand(1, { placed })],
    () => [],
  );
  assert.deepEqual(hostsOf(r), ['a2']);
});

test('UNIQUE hostname over two agents places two and reports the third', () => {
  const r = placeAll(
    [new OfferMatcher(offer('a1', 4)), new OfferMatcher(offer('a2', 4))],
    [
      demand(3, {
        needs: { cpus: 1, mem: 64, constraints: [{ field: 'hostname', operator: 'UNIQUE' }] },
      }),
    ],
    () => [],
  );
  assert.deepEqual(hostsOf(r).sort(), ['a1', 'a2']);
  const u = r.unplaced.get('team/web');
  assert.equal(u?.count, 1);
  assert.match(u.reason, /hostname:UNIQUE: an instance already runs on hostname=a1/);
  assert.match(u.reason, /hostname=a2/);
});

test('resources short: 3 cpus fit one instance of 2, the reason names the agent', () => {
  const r = placeAll(
    [new OfferMatcher(offer('a1', 3))],
    [demand(2, { needs: { cpus: 2, mem: 64 } })],
    () => [],
  );
  assert.equal(r.placements.length, 1);
  assert.equal(r.unplaced.get('team/web')?.count, 1);
  assert.match(r.unplaced.get('team/web')?.reason ?? '', /^a1/);
});

test('offers of another role do not fit', () => {
  const r = placeAll([new OfferMatcher(offer('a1', 4, {}, 'batch'))], [demand(1)], () => []);
  assert.equal(r.placements.length, 0);
  assert.match(r.unplaced.get('team/web')?.reason ?? '', /offered to role batch/);
});

test('no offers: everything unplaced with that reason', () => {
  const r = placeAll([], [demand(2)], () => []);
  assert.deepEqual(r.unplaced.get('team/web'), { count: 2, reason: 'no offers' });
});

const roles: [string, string, boolean][] = [
  ['default', 'default', true],
  ['', 'default', true], // an offer without a role is the default role's
  ['batch', 'default', false],
  ['', 'batch', false],
];
for (const [offerRole, appRole, fits] of roles) {
  test(`offer role "${offerRole}" for app role "${appRole}": ${fits}`, () => {
    assert.equal(roleFits(offerRole, appRole), fits);
  });
}
