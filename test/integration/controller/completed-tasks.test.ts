// Finished tasks do not grow the controller's memory without bound (issue 12): a
// controller process run with --max-completed-tasks-per-framework=5 keeps the 5 most
// recently completed tasks of a framework that ran 20, while the store keeps the final
// state of all 20 in their Task objects.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { StoredObject } from '../../../src/store/types.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { framework, launch, startAgent, until } from './support.js';
import {
  controllerPorts,
  getJson,
  killController,
  spawnController,
  type ControllerProcess,
} from './process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const cgroupRoot = testCgroupRoot('completed');
const dir = tempDir('mezzo-completed-');
const cleanup: (() => Promise<unknown> | undefined)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
  await cleanCgroupTrees(cgroupRoot);
  await rm(dir, { recursive: true, force: true });
});

const TASKS = 20;
const BOUND = 5;

test('completed tasks kept per framework up to the bound; all final states in the store', async () => {
  let c: ControllerProcess | undefined = await spawnController(
    join(dir, 'controller'),
    await controllerPorts(),
    ['--max-completed-tasks-per-framework', String(BOUND)],
  );
  cleanup.push(() => (c ? killController(c) : undefined));
  const agent: Agent = await startAgent(
    c.grpcAddress,
    'cpus:4;mem:1024',
    'c1',
    '',
    join(dir, 'agent'),
    cgroupRoot,
  );
  cleanup.push(() => agent.stop());
  const fw = framework(c.grpcAddress, 'history', ['h']);
  cleanup.push(() => {
    fw.close();
    return undefined;
  });
  let launched = 0;
  const finished = new Set<string>();
  fw.on('offers', (offers) => {
    for (const o of offers) {
      if (launched >= TASKS) {
        fw.decline([o.id], 60).catch(() => undefined);
        continue;
      }
      const id = `h${String(launched++)}`;
      fw.accept([o.id], [launch(id, o.agent_id, 'true', 0.1, 16)], 0).catch(() => undefined);
    }
  });
  fw.on('update', (s) => {
    if (s.state === 'TASK_FINISHED') finished.add(s.task_id);
  });
  const fwId = await fw.start();
  await until(() => finished.size === TASKS, 60_000, `${TASKS} tasks finished`);
  const state = async () =>
    (
      await getJson<{ tasks: { id: string; framework_id: string }[] }>(
        c as ControllerProcess,
        '/state',
      )
    ).tasks
      .filter((t) => t.framework_id === fwId)
      .map((t) => t.id);
  // Once the framework acknowledged the last updates and the store has the final states.
  const start = Date.now();
  while ((await state()).length > BOUND) {
    assert.ok(Date.now() - start < 30_000, `still held: ${(await state()).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const held = await state();
  // What is held is history, not live tasks: every held task finished.
  assert.equal(held.length, BOUND, held.join(', '));
  for (const id of held) assert.ok(finished.has(id), `${id} is a completed task`);
  // The store mirror writes asynchronously: the held (newest) tasks' final states may
  // still be on their way, so read until every object shows one or the deadline passes.
  const objects = async () =>
    (await getJson<StoredObject[]>(c as ControllerProcess, '/objects?kind=Task')).filter(
      (o) => (o.status as { frameworkId?: string } | undefined)?.frameworkId === fwId,
    );
  const settled = Date.now();
  let stored = await objects();
  while (
    stored.some((o) => (o.status as { state?: string }).state !== 'TASK_FINISHED') &&
    Date.now() - settled < 10_000
  ) {
    await new Promise((r) => setTimeout(r, 100));
    stored = await objects();
  }
  assert.equal(stored.length, TASKS, 'every task keeps its Task object');
  for (const o of stored)
    assert.equal((o.status as { state?: string }).state, 'TASK_FINISHED', o.metadata.name);
  await killController(c);
  c = undefined;
});
