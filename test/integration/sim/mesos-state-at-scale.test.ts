// Mesos' /master/state and the operator API's GET_STATE find each agent's and each
// framework's offers through the offer book's indexes: with every agent holding an
// outstanding offer, building either document walks the outstanding offers no more than
// once in all (it used to walk them once per agent and once per framework: O(agents ×
// offers)), and the offered resources it reports are each agent's and framework's own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { stateDoc } from '../../../src/compat/mesos/state.js';
import { getState } from '../../../src/compat/mesos/operator.js';
import { startSimAgents } from '../../../src/sim/index.js';
import type { OfferBook } from '../../../src/controller/offer-book.js';
import { framework, startController, until } from '../controller/support.js';
import { TEST_TOKEN } from '../../support/auth.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const AGENTS = 12;

/** Counts the offer book's whole-book walks (`filter`, `all`) from now on. */
function countBookWalks(book: OfferBook): { walks: number } {
  const counter = { walks: 0 };
  const filter = book.filter.bind(book);
  const all = book.all.bind(book);
  book.filter = (pred) => {
    counter.walks++;
    return filter(pred);
  };
  book.all = () => {
    counter.walks++;
    return all();
  };
  return counter;
}

interface MesosAgent {
  id: string;
  offered_resources: Record<string, number | string>;
}
interface MesosFramework {
  id: string;
  offered_resources: Record<string, number | string>;
  offers: unknown[];
}
interface V1Agent {
  agent_info: { id: { value: string } };
  offered_resources: { name: string; scalar?: { value: number } }[];
}

test('Mesos state documents use the offer indexes and report each offer once', async () => {
  // A long offer timeout: the offers stay outstanding while the documents are built.
  const { controller } = await startController(undefined, 0, { offerTimeoutMs: 600_000 });
  cleanup.push(() => controller.stop());
  const core = controller.core;
  const sim = await startSimAgents({
    controller: controller.grpcAddress,
    token: TEST_TOKEN,
    count: AGENTS,
    prefix: 'mstate',
    cpus: 4,
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.5,
  });
  cleanup.push(() => sim.close());
  await sim.allRegistered();
  // Two frameworks in two roles, neither answering: every agent's resources end up offered.
  const held = new Map<string, number>();
  for (const name of ['hold-a', 'hold-b']) {
    const fw = framework(controller.grpcAddress, name, [name], 60);
    cleanup.push(() => fw.close());
    fw.on('offers', (offers) => held.set(name, (held.get(name) ?? 0) + offers.length));
    await fw.start();
  }
  await until(() => core.offers.size === AGENTS, 10_000, 'an offer outstanding on every agent');

  const walks = countBookWalks(core.offers);
  const me = {
    id: 'm',
    address: '127.0.0.1:1',
    hostname: 'localhost',
    port: 1,
    version: 'test',
    startTime: 0,
  };
  const doc = stateDoc(core, me) as { slaves: MesosAgent[]; frameworks: MesosFramework[] };
  const v1 = getState(core) as { get_agents: { agents: V1Agent[] } };
  assert.equal(walks.walks, 0, 'no walk over every offer per agent or per framework');

  assert.equal(doc.slaves.length, AGENTS);
  for (const a of doc.slaves) assert.equal(a.offered_resources.cpus, 4, `agent ${a.id} offered`);
  for (const a of v1.get_agents.agents) {
    const cpus = a.offered_resources.find((r) => r.name === 'cpus')?.scalar?.value;
    assert.equal(cpus, 4, `GET_STATE agent ${a.agent_info.id.value} offered`);
  }
  const offeredCpus = doc.frameworks.map((f) => Number(f.offered_resources.cpus));
  assert.equal(
    offeredCpus.reduce((x, y) => x + y, 0),
    4 * AGENTS,
  );
  assert.equal(
    doc.frameworks.reduce((n, f) => n + f.offers.length, 0),
    AGENTS,
    'each outstanding offer listed under its framework once',
  );
});
