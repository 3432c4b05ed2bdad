import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OfferMatcher,
  commandTask,
  launch,
  portEnvironment,
  type Fit,
} from '../../../src/sdk/index.js';

/** A refusal's reason ('' for a fit). */
const why = (f: Fit): string => (f.ok ? '' : f.reason);
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
  };
}

function offer(
  hostname: string,
  cpus: number,
  mem: number,
  ports: [number, number][] = [],
  attributes: Record<string, string> = {},
): Offer__Output {
  return {
    id: `o-${hostname}`,
    framework_id: 'fw',
    agent_id: `agent-${hostname}`,
    hostname,
    resources: [
      scalar('cpus', cpus),
      scalar('mem', mem),
      ...(ports.length
        ? [
            {
              ...scalar('ports', 0),
              type: 'RANGES' as const,
              ranges: ports.map(([begin, end]) => ({ begin, end })),
            },
          ]
        : []),
    ],
    attributes: Object.entries(attributes).map(([name, text]) => ({ name, text })),
  } as never;
}

test('take subtracts what each task claims, so the next sees only the rest', () => {
  const m = new OfferMatcher(offer('a', 2, 1024));
  // 2 cpus: 0.75 + 0.75 = 1.5 fits, a third 0.75 would make 2.25 > 2
  assert.equal(m.take({ cpus: 0.75, mem: 256 }).ok, true);
  assert.equal(m.take({ cpus: 0.75, mem: '256Mi' }).ok, true);
  const third = m.take({ cpus: 0.75, mem: 256 });
  assert.equal(third.ok, false);
  assert.match(why(third), /needs/);
  // mem: 1024 - 512 = 512 left; 0.5 cpu and 512 MiB still fit exactly
  assert.equal(m.take({ cpus: 0.5, mem: 512 }).ok, true);
  assert.equal(m.remaining.isEmpty(), true);
});

// [ports offered, ports asked, expected assignment (undefined: no fit)]
const portCases: [[number, number][], number | number[], number[] | undefined][] = [
  [[[31000, 31002]], 2, [31000, 31001]], // lowest first
  [[[31000, 31001]], 3, undefined], // only 2 offered
  [
    [
      [31000, 31000],
      [31005, 31006],
    ],
    2,
    [31000, 31005],
  ], // spans ranges
  [[[31000, 31010]], [0, 31000], [31001, 31000]], // fixed port claimed before "any"
  [[[31000, 31010]], [8080], undefined], // fixed port not offered
  [[[31000, 31010]], [31003, 31003], undefined], // the same fixed port twice
];

for (const [offered, asked, expected] of portCases) {
  test(`ports ${JSON.stringify(asked)} from ${JSON.stringify(offered)}`, () => {
    const fit = new OfferMatcher(offer('a', 4, 4096, offered)).take({
      cpus: 0.1,
      mem: 32,
      ports: asked,
    });
    if (expected === undefined) assert.equal(fit.ok, false);
    else {
      assert.ok(fit.ok);
      assert.deepEqual(fit.ports, expected);
      assert.deepEqual(
        fit.resources.filter((r) => r.name === 'ports').flatMap((r) => r.ranges ?? []),
        expected.map((p) => ({ begin: p, end: p })),
      );
    }
  });
}

test('ports taken by one task are not given to the next in the same offer', () => {
  const m = new OfferMatcher(offer('a', 4, 4096, [[31000, 31002]]));
  const first = m.take({ cpus: 0.1, mem: 32, ports: 2 });
  const second = m.take({ cpus: 0.1, mem: 32, ports: 1 });
  const third = m.take({ cpus: 0.1, mem: 32, ports: 1 });
  assert.deepEqual(first.ok && first.ports, [31000, 31001]);
  assert.deepEqual(second.ok && second.ports, [31002]);
  assert.equal(third.ok, false);
});

test('constraints see the agent and where siblings run; a miss says which rule', () => {
  const m = new OfferMatcher(offer('a', 4, 4096, [], { rack: 'r1' }));
  const unique = [{ field: 'hostname', operator: 'UNIQUE' as const }];
  assert.equal(m.take({ cpus: 1, mem: 64, constraints: unique }, []).ok, true);
  const again = m.take({ cpus: 1, mem: 64, constraints: unique }, [m.agent]);
  assert.equal(again.ok, false);
  assert.match(why(again), /hostname/);
  const like = m.take({
    cpus: 1,
    mem: 64,
    constraints: [{ field: 'rack', operator: 'LIKE', value: 'r2' }],
  });
  assert.equal(like.ok, false);
  // A refused take claims nothing: 4 - 1 = 3 cpus are left.
  assert.equal(m.take({ cpus: 3, mem: 64 }).ok, true);
});

test('an unparseable amount is a refusal with a reason, not a throw', () => {
  const fit = new OfferMatcher(offer('a', 4, 4096)).take({ cpus: 1, mem: 'lots' });
  assert.equal(fit.ok, false);
});

test('commandTask exports ports as PORT0.., keeps argv apart from shell strings', () => {
  assert.deepEqual(portEnvironment([31000, 31001]), {
    PORT0: '31000',
    PORT1: '31001',
    PORT: '31000',
    PORTS: '31000,31001',
  });
  const shell = commandTask({
    taskId: 't1',
    name: 'web',
    agentId: 'a',
    resources: [],
    ports: [31000],
    command: 'serve --port $PORT0',
    env: { MODE: 'x' },
    healthCheck: { type: 'HTTP', portIndex: 0, path: '/health' },
  });
  const cmd = shell.command;
  assert.ok(cmd);
  assert.equal(cmd.shell, true);
  assert.deepEqual(cmd.environment, {
    PORT0: '31000',
    PORT: '31000',
    PORTS: '31000',
    MODE: 'x',
  });
  assert.equal(shell.health_check?.port, 31000);
  const argv = commandTask({
    taskId: 't2',
    name: 'x',
    agentId: 'a',
    resources: [],
    command: ['/bin/echo', 'a', 'b'],
  });
  assert.deepEqual(
    [argv.command?.shell, argv.command?.value, argv.command?.arguments],
    [false, '/bin/echo', ['a', 'b']],
  );
  assert.equal(launch(shell, argv).tasks?.length, 2);
});

test('reserved resources are named with their reservation and spent first', () => {
  const o = offer('a', 1, 1024);
  // cpus: 1 unreserved + 1 reserved to eng; mem 1024 unreserved.
  o.resources.push({
    ...scalar('cpus', 1),
    reservations: [{ type: 'STATIC', role: 'eng', principal: '', labels: {} }],
  });
  const m = new OfferMatcher(o);
  // 1.5 cpus = 1 (eng, reserved first) + 0.5 (unreserved)
  const fit = m.take({ cpus: 1.5, mem: 64 });
  assert.ok(fit.ok);
  const cpus = fit.resources.filter((r) => r.name === 'cpus');
  assert.deepEqual(cpus.map((r) => [r.scalar, r.reservations?.map((x) => x.role) ?? []]).sort(), [
    [0.5, []],
    [1, ['eng']],
  ]);
  // 2 - 1.5 = 0.5 cpus left, all unreserved.
  assert.equal(m.remaining.scalar('cpus'), 0.5);
  assert.equal(m.remaining.hasReservations(), false);
});

// Needs a hand-edited object can carry: [ports asked, the refusal names]. Before, -1 threw
// a RangeError out of take() (new Array(-1)) and 1e9 filled a billion-slot array.
const hostilePorts: [unknown, RegExp][] = [
  [-1, /ports: -1 is not a whole number from 0 to 65535/],
  [1.5, /ports: 1.5 is not a whole number/],
  [1e9, /ports: 1000000000 is not a whole number from 0 to 65535/],
  [Number.NaN, /ports: NaN/],
  ['3', /ports must be a count or a list of ports, not string/],
  [[31000, -2], /ports\[1\]: -2 is not a port number/],
  [[70000], /ports\[0\]: 70000 is not a port number/],
  [{ length: 5 }, /ports must be a count or a list/],
];
for (const [ports, reason] of hostilePorts) {
  test(`ports ${JSON.stringify(ports)}: a refusal naming the field, not a throw`, () => {
    const m = new OfferMatcher(offer('a', 4, 4096, [[31000, 31010]]));
    const fit = m.take({ cpus: 0.1, mem: 32, ports: ports as number });
    assert.equal(fit.ok, false);
    assert.match(why(fit), reason);
    // The refusal claimed nothing: the whole offer is still there for the next task.
    assert.deepEqual(m.take({ cpus: 4, mem: 4096, ports: 11 }).ok, true);
  });
}

test('more ports than the offer holds is refused before any list of them is built', () => {
  // 11 ports offered (31000-31010); 65535 asked: refused by count, nothing claimed.
  const m = new OfferMatcher(offer('a', 4, 4096, [[31000, 31010]]));
  assert.match(why(m.take({ cpus: 0.1, mem: 32, ports: 65535 })), /lacks the host ports/);
  assert.equal(m.take({ cpus: 0.1, mem: 32, ports: 11 }).ok, true);
});

test('constraints that are not a list are a refusal', () => {
  const m = new OfferMatcher(offer('a', 4, 4096));
  const fit = m.take({ cpus: 1, mem: 64, constraints: 'hostname:UNIQUE' as never });
  assert.match(why(fit), /constraints must be a list/);
});
