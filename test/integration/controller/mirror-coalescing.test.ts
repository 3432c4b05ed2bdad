// The Task mirror writes the newest state once its turn comes under the store's rate
// limit (Store.paced): a state superseded while the write waited (STAGING, once the agent
// has reported) is never written, and the final state always is. Real controller, default framework and agent on loopback;
// the embedded store with a turn that the test hands out, and every Task status write
// recorded.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
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
import { startAgent, until } from './support.js';

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

test('a state superseded while its write waits is never written; the final one always is', async () => {
  const dir = tempDir('mezzo-coalesce-');
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const clock = new SystemClock();
  const embedded = new EmbeddedStore(`${dir}/state.json`, clock);
  const turns = turnStore(embedded);
  // Before the controller stops: its workers must not wait for a turn that never comes.
  cleanup.push(() => {
    turns.release(true);
  });
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store: turns.store,
    access: testAccess,
    grpcPort: 0,
    httpPort: 0,
    allocationIntervalMs: 200,
  });
  await controller.start();
  cleanup.push(async () => {
    turns.release(true);
    await controller.stop();
  });
  const agent = await startAgent(controller.grpcAddress, 'cpus:2;mem:512', 'coalesce-a');
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
    metadata: { name: 'c1', namespace: 'team' },
    spec: { command: 'exec sleep 300', resources: { cpus: 0.1, mem: 16 } },
  });
  const task = () => [...controller.core.tasks.values()].find((t) => t.info.name === 'c1');
  // Launched (STAGING queued for its write), then the agent's first update (STARTING)
  // while that write waits. The agent sends its next update only once this one is
  // acknowledged, which waits for the write: one state at a time goes past the mirror.
  await until(
    () => task() !== undefined && task()?.state !== 'TASK_STAGING',
    20_000,
    "the agent's first update",
  );
  const atTurn = task()?.state ?? '';
  assert.ok(turns.waiting() > 0, 'its write waits for a turn');
  assert.deepEqual(turns.written, [], 'nothing written before the turn');
  turns.release(false);
  await until(() => turns.written.length > 0, 10_000, 'the write');
  assert.deepEqual(turns.written, [`c1 ${atTurn}`], 'the newest state, STAGING never written');
  turns.release(true);
  await until(() => turns.written.includes('c1 TASK_RUNNING'), 20_000, 'RUNNING written');
  assert.ok(
    turns.written.every((w: string) => w !== 'c1 TASK_STAGING'),
    'STAGING never',
  );
  // Killed while turns are held: whatever waits, the final state is what lands last.
  turns.hold();
  const t = task();
  assert.ok(t);
  controller.core.killTask(t, 0);
  await until(() => task()?.state === 'TASK_KILLED', 20_000, 'the task killed');
  turns.release(true);
  await until(() => turns.written.at(-1) === 'c1 TASK_KILLED', 10_000, 'the final write');
  const obj = await embedded.get('Task', 'c1', 'team');
  assert.equal((obj?.status as { state?: string } | undefined)?.state, 'TASK_KILLED');
});
