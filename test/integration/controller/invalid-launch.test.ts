// Limits cannot be bypassed through the controller: a LAUNCH whose task has invalid
// resources (negative, NaN, infinite, absurd) or none an agent could enforce (no mem,
// cpus too small to give a CFS quota) is answered with TASK_ERROR / REASON_TASK_INVALID
// and a reason, the rest of the accept goes ahead, and a Task object placed by the
// default framework shows the error instead of running unlimited or pending for ever.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION } from '../../../src/store/types.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import type { Resource } from '../../../src/gen/mezzo/v1/Resource.js';
import { needCgroups } from '../agent/support/harness.js';
import { framework, startAgent, startController, until } from './support.js';
import { testCgroupRoot } from '../../support/cleanup.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

function tempDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mezzo-invalid-${what}-`));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Task cgroups under `root` (the v1 memory hierarchy the agent uses). */
function taskCgroups(root: string): string[] {
  const dir = join('/sys/fs/cgroup/memory', root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

/** `validateObjects: false` lets the store admit Tasks the CRD refuses (an earlier Mezzo's). */
async function cluster(validateObjects = true) {
  const root = testCgroupRoot('invalid');
  const { controller, store } = await startController(tempDir('ctl'), 0, { validateObjects });
  cleanup.push(() => controller.stop());
  const agent = await startAgent(
    controller.grpcAddress,
    'cpus:4;mem:1024',
    'inv1',
    '',
    tempDir('agent'),
    root,
  );
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
  await until(() => controller.core.agents.size === 1, 5_000, 'the agent');
  return { controller, store, agent, root };
}

const scalar = (name: string, value: number): Resource => ({ name, type: 'SCALAR', scalar: value });

test('a LAUNCH without enforceable limits gets TASK_ERROR with the reason; the rest runs', async (t) => {
  if (!needCgroups(t)) return;
  const { controller, agent, root } = await cluster();
  const fw = framework(controller.grpcAddress, 'direct', ['r']);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  const cases: [string, Resource[], RegExp][] = [
    // mem 0 used to leave memory.limit_in_bytes unlimited.
    ['mem-zero', [scalar('cpus', 0.1), scalar('mem', 0)], /asks for no mem/],
    ['mem-none', [scalar('cpus', 0.1)], /asks for no mem/],
    // 0.0001 cpus round to 0 thousandths: the task used to run with no CFS quota.
    ['cpus-tiny', [scalar('cpus', 0.0001), scalar('mem', 16)], /asks for no cpus/],
    ['cpus-small', [scalar('cpus', 0.005), scalar('mem', 16)], /0\.005 cpus are fewer than 0\.01/],
    ['mem-negative', [scalar('cpus', 0.1), scalar('mem', -64)], /mem: -64 is negative/],
    ['mem-nan', [scalar('cpus', 0.1), scalar('mem', Number.NaN)], /mem: NaN is not a number/],
    [
      'disk-infinite',
      [scalar('cpus', 0.1), scalar('mem', 16), scalar('disk', Number.POSITIVE_INFINITY)],
      /disk: Infinity is not finite/,
    ],
    [
      'gpus-absurd',
      [scalar('cpus', 0.1), scalar('mem', 16), scalar('gpus', 1e300)],
      /gpus: 1e\+300 is more than 10000000000/,
    ],
  ];
  let accepted: Promise<void> | undefined;
  fw.on('offers', (offers) => {
    for (const o of offers) {
      if (accepted) {
        fw.decline([o.id], 60).catch(() => undefined);
        continue;
      }
      const task = (id: string, resources: Resource[]) => ({
        task_id: id,
        name: id,
        agent_id: o.agent_id,
        command: { shell: true, value: 'touch ran; exec sleep 60' },
        resources,
      });
      const valid = task('valid', [scalar('cpus', 0.1), scalar('mem', 16)]);
      accepted = fw.accept(
        [o.id],
        [{ type: 'LAUNCH', tasks: [...cases.map(([id, res]) => task(id, res)), valid] }],
        0,
      );
    }
  });
  await fw.start();
  await until(() => accepted !== undefined, 5_000, 'an offer');
  await accepted; // the call itself succeeds
  await until(
    () => cases.every(([id]) => updates.some((u) => u.task_id === id)),
    10_000,
    'an update for every refused task',
  );
  for (const [id, , why] of cases) {
    const mine = updates.filter((u) => u.task_id === id);
    assert.deepEqual(
      mine.map((u) => u.state),
      ['TASK_ERROR'],
      id,
    );
    const u = mine[0];
    assert.equal(u?.reason, 'REASON_TASK_INVALID', id);
    assert.equal(u.source, 'SOURCE_MASTER', id);
    assert.match(u.message, why, id);
    assert.equal(controller.core.tasks.get(id)?.state, 'TASK_ERROR', id);
    // The agent never heard of it: nothing ran, no sandbox, no cgroup.
    assert.equal(agent.sandboxOf(id), undefined, id);
  }
  await until(
    () => updates.some((u) => u.task_id === 'valid' && u.state === 'TASK_RUNNING'),
    10_000,
    'the valid task running',
  );
  // Only the valid task's cgroup exists.
  assert.deepEqual(
    taskCgroups(root).map((n) => n.split('-')[0]),
    ['valid'],
  );
});

test('a Task object with mem 0 or 0.0001 cpus shows TASK_ERROR instead of running unlimited', async (t) => {
  if (!needCgroups(t)) return;
  const { controller, store, agent, root } = await cluster(false);
  const fw = new DefaultFramework({
    address: controller.grpcAddress,
    store,
    logger: silentLogger(),
  });
  await fw.start();
  cleanup.push(() => {
    fw.stop();
  });
  const specs: [string, Record<string, unknown>][] = [
    ['no-mem', { cpus: 0.1, mem: 0 }],
    ['tiny-cpus', { cpus: 0.0001, mem: 16 }],
  ];
  for (const [name, resources] of specs) {
    await store.create({
      apiVersion: API_VERSION,
      kind: 'Task',
      metadata: { name, namespace: 'inv' },
      spec: { command: 'touch ran; exec sleep 60', resources },
    });
  }
  type Status = {
    state?: string;
    reason?: string;
    message?: string;
    taskId?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
  const status = async (name: string) =>
    (await store.get('Task', name, 'inv'))?.status as Status | undefined;
  // Two layers refuse such a Task, and either answer is right: the default framework reads
  // the spec and marks it Scheduled=False InvalidSpec without launching; a framework that
  // launches it anyway gets TASK_ERROR from the controller (the test above). Never: running.
  const refusal = (st: Status | undefined) =>
    st?.state === 'TASK_ERROR' ||
    st?.conditions?.some((c) => c.type === 'Scheduled' && c.reason === 'InvalidSpec') === true;
  for (const [name] of specs) {
    const start = Date.now();
    let st = await status(name);
    while (!refusal(st)) {
      assert.ok(st?.state === undefined || st.state === 'TASK_STAGING', `${name}: ${st?.state}`);
      assert.ok(Date.now() - start < 15_000, `${name} got no final status`);
      await new Promise((r) => setTimeout(r, 50));
      st = await status(name);
    }
    if (st?.state === 'TASK_ERROR') {
      assert.equal(st.reason, 'REASON_TASK_INVALID', name);
      assert.match(st.message ?? '', /cannot be limited: it asks for no (mem|cpus)/, name);
    } else {
      const c = st?.conditions?.find((x) => x.type === 'Scheduled');
      assert.match(c?.message ?? '', /spec\.resources\.(mem|cpus)/, name);
    }
    assert.equal(agent.sandboxOf(st?.taskId ?? ''), undefined, `${name} never reached the agent`);
  }
  assert.deepEqual(taskCgroups(root), [], 'no task cgroup at all');
});

test('a LAUNCH whose task ID an agent could not report back is refused as a call', async (t) => {
  if (!needCgroups(t)) return;
  const { controller, agent } = await cluster();
  const fw = framework(controller.grpcAddress, 'long-ids', ['r']);
  cleanup.push(() => fw.close());
  // Agents may report IDs of at most 1,024 characters without control characters; before,
  // a framework could launch such a task, and its agent was then refused at every
  // re-registration, taking every other framework's tasks on it down too.
  const ids = ['x'.repeat(1025), 'line\nbreak'];
  const answers: string[] = [];
  let offered = false;
  fw.on('offers', (offers) => {
    for (const o of offers) {
      if (offered) {
        fw.decline([o.id], 60).catch(() => undefined);
        continue;
      }
      offered = true;
      const launchOne = async (id: string) => {
        const task = {
          task_id: id,
          name: 'bad-id',
          agent_id: o.agent_id,
          command: { shell: true, value: 'exec sleep 60' },
          resources: [scalar('cpus', 0.1), scalar('mem', 16)],
        };
        await fw.accept([o.id], [{ type: 'LAUNCH', tasks: [task] }], 0).then(
          () => answers.push('accepted'),
          (err: unknown) => answers.push(err instanceof Error ? err.message : String(err)),
        );
      };
      void (async () => {
        for (const id of ids) await launchOne(id);
      })();
    }
  });
  await fw.start();
  await until(() => answers.length === ids.length, 10_000, 'both answers');
  assert.match(answers[0] ?? '', /INVALID_ARGUMENT.*task_id: 1025 characters, more than 1024/);
  assert.match(answers[1] ?? '', /INVALID_ARGUMENT.*task_id: holds control characters/);
  assert.equal(controller.core.tasks.size, 0, 'nothing recorded');
  assert.equal(agent.sandboxOf(ids[0] ?? ''), undefined);
});
