// Offer filters, framework failover and invalid calls against a real controller, real
// agents and SDK frameworks over loopback gRPC.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import { framework, launch, startAgent, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function cluster(n = 1) {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const agents: Agent[] = [];
  for (let i = 0; i < n; i++)
    agents.push(await startAgent(controller.grpcAddress, 'cpus:2;mem:512', `h${i}`));
  cleanup.push(async () => {
    for (const a of agents) await a.stop();
  });
  await until(() => controller.core.agents.size === n, 5_000, 'agents');
  return { controller, agents };
}

test('a declined offer is not re-offered to the decliner before refuse_seconds, and goes to the other framework at once', async () => {
  const { controller } = await cluster();
  const a = framework(controller.grpcAddress, 'a', ['r']);
  const b = framework(controller.grpcAddress, 'b', ['r']);
  cleanup.push(() => {
    a.close();
    b.close();
  });
  const seenA: { at: number; offer: Offer__Output }[] = [];
  const seenB: { at: number; offer: Offer__Output }[] = [];
  a.on('offers', (os) => {
    for (const o of os) seenA.push({ at: Date.now(), offer: o });
  });
  // b hands back everything it is offered (refuse 0), so whatever a refuses cycles
  // between b and the free pool without ever reaching a early.
  b.on('offers', (os) => {
    for (const o of os) seenB.push({ at: Date.now(), offer: o });
    b.decline(
      os.map((o) => o.id),
      0,
    ).catch(() => undefined);
  });
  await a.start();
  await until(() => seenA.length > 0, 5_000, 'an offer to a');
  const first = seenA[0];
  assert.ok(first);
  // b subscribes only now, so the agent's resources are with a's outstanding offer.
  await b.start();
  const declinedAt = Date.now();
  await a.decline([first.offer.id], 2);
  await until(() => seenB.length > 0, 2_000, 'the declined resources to reach b');
  const toB = seenB[0];
  assert.ok(toB);
  assert.ok(
    toB.at - declinedAt < 1_000,
    `b got the resources ${toB.at - declinedAt} ms after the decline`,
  );
  // b declines everything (refuse 0): a must still not see it until its 2 s filter lapses.
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(seenA.length, 1, 'a was not re-offered inside its refuse window');
  await b.suppress();
  await until(() => seenA.length > 1, 5_000, 'the re-offer to a after the filter');
  const again = seenA[1];
  assert.ok(again);
  assert.ok(again.at - declinedAt >= 1_900, `a re-offered after ${again.at - declinedAt} ms`);
});

test('invalid calls get a clear status and change nothing', async () => {
  const { controller } = await cluster();
  const a = framework(controller.grpcAddress, 'inv', ['r']);
  cleanup.push(() => a.close());
  const offers: Offer__Output[] = [];
  a.on('offers', (os) => offers.push(...os));
  await a.start();
  await until(() => offers.length > 0, 5_000, 'an offer');
  const o = offers[0];
  assert.ok(o);
  const code = async (p: Promise<void>) =>
    p.then(
      () => grpc.status.OK,
      (e: unknown) => (e as grpc.ServiceError).code,
    );
  assert.equal(
    await code(a.accept(['offer-nope'], [launch('x', o.agent_id, 'true', 0.1, 16)])),
    grpc.status.NOT_FOUND,
  );
  // More cpus than the offer holds.
  assert.equal(
    await code(a.accept([o.id], [launch('x', o.agent_id, 'true', 64, 16)])),
    grpc.status.INVALID_ARGUMENT,
  );
  // The same task ID twice in one accept.
  const twice = {
    type: 'LAUNCH' as const,
    tasks: [
      ...launch('dup', o.agent_id, 'true', 0.1, 16).tasks,
      ...launch('dup', o.agent_id, 'true', 0.1, 16).tasks,
    ],
  };
  assert.equal(await code(a.accept([o.id], [twice])), grpc.status.INVALID_ARGUMENT);
  assert.equal(controller.core.tasks.size, 0, 'nothing launched');
  assert.ok(controller.core.offers.get(o.id), 'the offer is still outstanding');
  // A valid accept now works, and reusing its task ID later is refused.
  await a.accept([o.id], [launch('ok', o.agent_id, 'sleep 30', 0.1, 16)], 0);
  await until(() => offers.length > 1, 5_000, 'a new offer');
  const next = offers.at(-1);
  assert.ok(next);
  assert.equal(
    await code(a.accept([next.id], [launch('ok', next.agent_id, 'true', 0.1, 16)])),
    grpc.status.INVALID_ARGUMENT,
  );
});

test('a framework that resubscribes within its failover timeout keeps its tasks; one that does not loses them', async () => {
  const { controller } = await cluster();
  const run = async (name: string, failoverSeconds: number) => {
    const fw = framework(controller.grpcAddress, name, ['r'], failoverSeconds);
    let launched = false;
    fw.on('offers', (os) => {
      for (const o of os) {
        if (!launched) {
          launched = true;
          fw.accept([o.id], [launch(`${name}-t`, o.agent_id, 'exec sleep 60', 0.5, 32)]).catch(
            () => undefined,
          );
        } else fw.decline([o.id], 60).catch(() => undefined);
      }
    });
    const id = await fw.start();
    await until(
      () => controller.core.tasks.get(`${name}-t`)?.state === 'TASK_RUNNING',
      10_000,
      `${name}'s task running`,
    );
    fw.close();
    return id;
  };
  const keepId = await run('keep', 30);
  const loseId = await run('lose', 0.5);
  // lose: its 0.5 s failover timeout passes; its task is killed and it is removed.
  await until(
    () => controller.core.tasks.get('lose-t')?.state === 'TASK_KILLED',
    10_000,
    "lose's task killed",
  );
  assert.equal(controller.core.frameworks.has(loseId), false);
  // keep: resubscribes with its ID well within 30 s and finds its task still running.
  const again = framework(controller.grpcAddress, 'keep', ['r'], 30, keepId);
  cleanup.push(() => again.close());
  assert.equal(await again.start(), keepId);
  assert.equal(controller.core.tasks.get('keep-t')?.state, 'TASK_RUNNING');
  assert.equal(controller.core.frameworks.get(keepId)?.connected, true);
});
