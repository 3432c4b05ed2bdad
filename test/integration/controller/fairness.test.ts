// Weighted DRF end to end: two frameworks with role weights 1 and 3 saturate two real
// agents, launching one task per offer and declining the rest with refuse 0 so that
// every pass re-offers to the framework with the lowest weighted share.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from '../../../src/store/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { framework, launch, startAgent, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

function greedyOnePerOffer(fw: SchedulerClient, prefix: string, launched: string[]): void {
  let n = 0;
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const cpus = o.resources.find((r) => r.name === 'cpus')?.scalar ?? 0;
      const mem = o.resources.find((r) => r.name === 'mem')?.scalar ?? 0;
      if (cpus >= 0.25 && mem >= 32) {
        const id = `${prefix}-${n++}`;
        launched.push(id);
        fw.accept([o.id], [launch(id, o.agent_id, 'exec sleep 120', 0.25, 32)], 0).catch(
          () => undefined,
        );
      } else {
        fw.decline([o.id], 0).catch(() => undefined);
      }
    }
  });
}

test('weights 1 and 3 settle at a 1:3 dominant-share ratio within 5 %', async () => {
  const { controller, store } = await startController();
  cleanup.push(() => controller.stop());
  // Roles with weights, as `mezzo apply` or kubectl would create them.
  await store.create({
    apiVersion: API_VERSION,
    kind: 'Role',
    metadata: { name: 'light' },
    spec: { weight: 1 },
  });
  await store.create({
    apiVersion: API_VERSION,
    kind: 'Role',
    metadata: { name: 'heavy' },
    spec: { weight: 3 },
  });
  const agents: Agent[] = [];
  for (const h of ['n1', 'n2'])
    agents.push(await startAgent(controller.grpcAddress, 'cpus:2;mem:1024', h));
  cleanup.push(async () => {
    for (const a of agents) await a.stop();
  });
  await until(() => controller.core.agents.size === 2, 5_000, 'agents');

  const a = framework(controller.grpcAddress, 'light-fw', ['light']);
  const b = framework(controller.grpcAddress, 'heavy-fw', ['heavy']);
  cleanup.push(async () => {
    await a.teardown().catch(() => undefined);
    await b.teardown().catch(() => undefined);
    a.close();
    b.close();
  });
  const la: string[] = [];
  const lb: string[] = [];
  greedyOnePerOffer(a, 'a', la);
  greedyOnePerOffer(b, 'b', lb);
  await Promise.all([a.start(), b.start()]);
  // 4 cpus / 0.25 = 16 tasks saturate the cluster.
  await until(() => la.length + lb.length >= 16, 20_000, 'saturation');
  await until(
    () =>
      [...controller.core.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length === 16,
    20_000,
    'all 16 tasks running on the agents',
  );
  // Dominant shares of what the tasks hold (cluster: 4 cpus, 2048 MiB):
  // light: 4 tasks = max(1/4 cpus, 128/2048 mem) = 0.25; heavy: 12 tasks = max(3/4, 384/2048) = 0.75.
  const share = (fwId: string) => {
    let cpus = 0;
    let mem = 0;
    for (const t of controller.core.tasks.values()) {
      if (t.frameworkId !== fwId || t.state !== 'TASK_RUNNING') continue;
      cpus += t.resources.scalar('cpus');
      mem += t.resources.scalar('mem');
    }
    return Math.max(cpus / 4, mem / 2048);
  };
  const sa = share(a.id);
  const sb = share(b.id);
  assert.ok(sa > 0 && sb > 0, `shares ${sa} ${sb}`);
  const ratio = sb / sa;
  assert.ok(
    Math.abs(ratio - 3) / 3 <= 0.05,
    `ratio ${ratio.toFixed(3)} (light ${la.length}, heavy ${lb.length})`,
  );
});
