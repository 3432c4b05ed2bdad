// The Task mirror writes the newest state once its turn comes under the store's rate
// limit (Store.paced): a state superseded while the write waited (STAGING, once the agent
// has reported) is never written, and the final state always is. A change the object
// would not show costs no write; a status another writer put on the object is written
// over, once. A task's STAGING is not written while its agent's first update may still
// replace it (the staging grace). An agent's update of a live state is acknowledged as its
// framework acknowledges it, its final one only once written (status-flow.ts). Real
// controller, default framework and agent on loopback;
// the embedded store with a turn that the test hands out, and every Task status write
// recorded.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { rm } from 'node:fs/promises';
import { Controller } from '../../../src/controller/controller.js';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { API_VERSION, type Store } from '../../../src/store/types.js';
import { tempDir } from '../../support/cleanup.js';
import { testAccess } from '../../support/auth.js';
import { agentTasks, eventually, startAgent, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** The embedded store whose writes wait for turns the test gives, Task statuses recorded. */
function turnStore(inner: EmbeddedStore) {
  const waiting: (() => void)[] = [];
  const written: string[] = [];
  let open = false;
  const store: Store = {
    list: (kind) => inner.list(kind),
    get: (kind, name, namespace) => inner.get(kind, name, namespace),
    create: (obj) => inner.create(obj),
    update: (obj) => inner.update(obj),
    delete: (kind, name, namespace) => inner.delete(kind, name, namespace),
    watch: (kind, handler) => inner.watch(kind, handler),
    close: () => inner.close(),
    updateStatus: (kind, name, namespace, status) => {
      if (kind === 'Task') written.push(`${name} ${String((status as { state?: unknown }).state)}`);
      return inner.updateStatus(kind, name, namespace, status);
    },
    paced: async (write) => {
      if (!open) await new Promise<void>((r) => waiting.push(r));
      return write();
    },
  };
  return {
    store,
    written,
    /** Turns taken so far are let go; `keepOpen`: every later one goes at once. */
    release(keepOpen: boolean) {
      open = keepOpen;
      for (const r of waiting.splice(0)) r();
    },
    /** Later writes wait for a turn again. */
    hold() {
      open = false;
    },
    waiting: () => waiting.length,
  };
}

/**
 * A controller on the embedded store behind `turnStore`, one agent and the default
 * framework, and Task `name` (in namespace team) applied; `open`: turns go at once;
 * `stagingGraceMs`: the controller's (default its own).
 */
async function cluster(name: string, open: boolean, stagingGraceMs?: number) {
  const dir = tempDir('mezzo-coalesce-');
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const clock = new SystemClock();
  const embedded = new EmbeddedStore(`${dir}/state.json`, clock);
  const turns = turnStore(embedded);
  turns.release(open);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store: turns.store,
    access: testAccess,
    grpcPort: 0,
    httpPort: 0,
    allocationIntervalMs: 200,
    ...(stagingGraceMs !== undefined ? { stagingGraceMs } : {}),
  });
  await controller.start();
  // Turns go first: the controller's workers must not wait for one that never comes.
  cleanup.push(async () => {
    turns.release(true);
    await controller.stop();
  });
  const agent = await startAgent(controller.grpcAddress, 'cpus:2;mem:512', `${name}-agent`);
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
  const fw = new DefaultFramework({
    address: controller.grpcAddress,
    store: embedded,
    logger: silentLogger(),
  });
  await fw.start();
  cleanup.push(() => fw.stop());
  await embedded.create({
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: { name, namespace: 'team' },
    spec: { command: 'exec sleep 300', resources: { cpus: 0.1, mem: 16 } },
  });
  const task = () => [...controller.core.tasks.values()].find((t) => t.info.name === name);
  return { embedded, turns, controller, agent, task };
}

test('a state superseded while its write waits is never written; the final one always is', async () => {
  const { embedded, turns, controller, agent, task } = await cluster('c1', false);
  // Launched, its write waiting for a turn. The agent sends its next update once the last
  // is acknowledged; STARTING and RUNNING are live states, acknowledged without waiting
  // for the write, so both go past the mirror while it waits (before, each waited for
  // its write and the controller saw STARTING only).
  await until(() => task()?.state === 'TASK_RUNNING', 20_000, "the agent's RUNNING");
  assert.ok(turns.waiting() > 0, 'its write waits for a turn');
  assert.deepEqual(turns.written, [], 'nothing written before the turn');
  turns.release(false);
  await until(() => turns.written.length > 0, 10_000, 'the write');
  assert.deepEqual(turns.written, ['c1 TASK_RUNNING'], 'the newest state: STAGING, STARTING never');

  // Killed while turns are held: the final update is acknowledged to the agent only once
  // written (a restarted controller could learn it nowhere else), and it lands last.
  turns.hold();
  const t = task();
  assert.ok(t);
  controller.core.killTask(t, 0);
  await until(
    () => t.state === 'TASK_KILLED' && t.unacked === undefined,
    20_000,
    'TASK_KILLED acknowledged by the framework',
  );
  const held = async () =>
    (await agentTasks(agent)).find((x) => x.taskId === t.id)?.pendingUpdates ?? -1;
  assert.ok(turns.waiting() > 0, 'its write waits for a turn');
  assert.equal(await held(), 1, 'the agent still holds TASK_KILLED');
  assert.ok(t.ackAfterWrite, 'its acknowledgement waits for the write');
  turns.release(true);
  await until(() => turns.written.at(-1) === 'c1 TASK_KILLED', 10_000, 'the final write');
  await eventually(
    async () => (await held()) === 0,
    10_000,
    () => 'the acknowledgement',
  );
  const obj = await embedded.get('Task', 'c1', 'team');
  assert.equal((obj?.status as { state?: string } | undefined)?.state, 'TASK_KILLED');
});

test("a resent update costs no write; another writer's status is written over, once", async () => {
  const { embedded, turns, controller, task } = await cluster('d1', true);
  await until(() => turns.written.includes('d1 TASK_RUNNING'), 20_000, 'RUNNING written');
  const t = task();
  assert.ok(t?.status);
  await until(() => t.mirrored === t.version, 10_000, 'every change written');
  const writes = turns.written.length;

  // The agent's RUNNING once more (as a resend after a lost acknowledgement): the task's
  // version moves, what its object shows does not.
  controller.core.applyStatus({ ...t.status });
  assert.notEqual(t.mirrored, t.version, 'a change for the mirror');
  await until(() => t.mirrored === t.version, 10_000, 'the change synced');
  assert.equal(turns.written.length, writes, 'no status write for it');

  // Another writer (as `kubectl patch --subresource=status`) says it failed.
  const obj = await embedded.get('Task', 'd1', 'team');
  await embedded.updateStatus('Task', 'd1', 'team', {
    ...obj?.status,
    state: 'TASK_FAILED',
    message: 'forged',
  });
  const state = async () =>
    ((await embedded.get('Task', 'd1', 'team'))?.status as { state?: string } | undefined)?.state;
  await until(() => turns.written.length > writes, 10_000, 'the status written again');
  assert.deepEqual(turns.written.slice(writes), ['d1 TASK_RUNNING'], 'one write put it back');
  assert.equal(await state(), 'TASK_RUNNING', 'put back');
  // Its own write's echo does not bring it back again.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(turns.written.length, writes + 1, 'no further write');
  assert.equal(await state(), 'TASK_RUNNING');
});

test("with turns free, a task's first write is its agent's first update: STAGING is not written", async () => {
  // A grace far longer than the agent takes to report STARTING, so that a slow machine
  // cannot make it end first; without the grace STAGING is written at once.
  const { turns } = await cluster('e1', true, 20_000);
  await until(() => turns.written.includes('e1 TASK_RUNNING'), 20_000, 'RUNNING written');
  const mine = turns.written.filter((w) => w.startsWith('e1 '));
  // STARTING is written unless RUNNING came before its write began.
  assert.ok(
    isDeepStrictEqual(mine, ['e1 TASK_STARTING', 'e1 TASK_RUNNING']) ||
      isDeepStrictEqual(mine, ['e1 TASK_RUNNING']),
    `STAGING never written: ${mine.join(', ')}`,
  );
});
