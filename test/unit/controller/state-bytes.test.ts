// stateBytes: the /state document from remembered blocks and frameworks is byte for byte
// the document built afresh, after each kind of change to a cluster of several blocks of
// agents and tasks; a read after no change is the last read's Buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerCore } from '../../../src/controller/core.js';
import { stateBytes, stateOf } from '../../../src/controller/http/state.js';
import { BLOCK } from '../../../src/controller/http/json-fragments.js';
import { addAgents, addTasks, frameworksCore } from '../../support/synthetic-core.js';

/** A core with `agents` agents, two tasks on each, spread over 3 frameworks. */
function cluster(agents: number): ControllerCore {
  const core = frameworksCore(3);
  addAgents(core, agents);
  addTasks(core, agents, 2 * agents);
  return core;
}

function task(core: ControllerCore, n: number) {
  const t = core.tasks.get(`task-${String(n)}`);
  assert.ok(t?.status, `task-${String(n)}`);
  return { ...t, status: t.status };
}

test('/state bytes are the document built afresh after every kind of change', () => {
  // Three blocks of tasks and a tail, two blocks of agents.
  const core = cluster(Math.ceil((3.5 * BLOCK) / 2));
  const fresh = () => JSON.stringify(stateOf(core));
  const cases: { what: string; change: () => void }[] = [
    { what: 'the first read', change: () => undefined },
    {
      what: 'a task in the first block changed status',
      change: () => core.applyStatus({ ...task(core, 3).status, message: 'changed ✓' }),
    },
    {
      what: 'a task in the tail changed status',
      change: () => core.applyStatus({ ...task(core, 3 * BLOCK + 7).status, state: 'TASK_FAILED' }),
    },
    {
      what: 'a task that ends a block removed',
      change: () => {
        core.tasks.delete(`task-${String(BLOCK - 1)}`);
        core.frameworks
          .get(`fw-${String((BLOCK - 1) % 3)}`)
          ?.tasks.delete(`task-${String(BLOCK - 1)}`);
      },
    },
    {
      what: 'a task record replaced by a renamed copy',
      change: () => {
        const t = task(core, 2 * BLOCK + 1);
        core.tasks.set(t.id, { ...t, info: { ...t.info, name: 'renamed' } });
      },
    },
    {
      what: 'a task removed and added again (now last)',
      change: () => {
        const t = task(core, 10);
        core.tasks.delete(t.id);
        core.tasks.set(t.id, t);
      },
    },
    {
      what: 'a framework disconnected',
      change: () => {
        const fw = core.frameworks.get('fw-1');
        if (fw) fw.connected = false;
      },
    },
    {
      what: 'a framework given a task at the end of its set',
      change: () => core.frameworks.get('fw-2')?.tasks.add('task-late'),
    },
    {
      what: 'a framework renamed (multi-byte, quoted)',
      change: () => {
        const fw = core.frameworks.get('fw-0');
        if (fw) fw.info = { ...fw.info, name: 'zürich "q" ✓' };
      },
    },
    {
      what: "an agent's info replaced (multi-byte hostname)",
      change: () => {
        const a = core.agents.get('agent-300');
        if (a) a.info = { ...a.info, hostname: 'hôte-✓' };
      },
    },
    {
      what: 'an agent marked unreachable',
      change: () => {
        const a = core.agents.get('agent-5');
        if (a) a.state = 'unreachable';
      },
    },
  ];
  for (const c of cases) {
    c.change();
    const bytes = stateBytes(core);
    assert.equal(bytes.toString('utf8'), fresh(), `after ${c.what}`);
    assert.equal(stateBytes(core), bytes, `after ${c.what}: read again, the very same Buffer`);
  }
});
