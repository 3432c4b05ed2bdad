// Batches on the agent stream (agent.proto's AgentBatch and ControllerBatch): an agent
// and a controller that both read them send what each writes in one turn of its event
// loop as one message; with a controller from before batches every message goes alone;
// a malformed batch from the controller is ignored and counted. Real gRPC on loopback,
// a real agent, real task processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';

const BURST = 200;

/** Launches `BURST` tasks running `true` at once and waits until all are FINISHED. */
async function burst(h: Awaited<ReturnType<typeof startHarness>>): Promise<string[]> {
  const ids = Array.from({ length: BURST }, (_, i) => `b-${String(i)}`);
  for (const id of ids) h.controller.launch(shellTask(id, 'true', { cpus: 0.01, mem: 8 }));
  await h.controller.waitFor(
    () => ids.every((id) => h.controller.latest(id)?.state === 'TASK_FINISHED'),
    60_000,
    `all ${String(BURST)} FINISHED`,
  );
  return ids;
}

test('launches and status updates travel in batches both ways, in order', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    const ids = await burst(h);
    // The 200 launches were written in one turn: fewer messages than launches reached
    // the agent, and at least one carried several.
    const sent = h.controller.sentBatches;
    assert.ok(
      sent.batches >= 1 && sent.messages >= BURST,
      `controller → agent: ${JSON.stringify(sent)}`,
    );
    // 600 updates, produced as tasks start and end: some shared a turn.
    const received = h.controller.received;
    assert.ok(
      received.batches >= 1 && received.messages > received.batches,
      `agent → controller: ${JSON.stringify(received)}`,
    );
    // Each task's updates arrived in their order, each once, with their sequence numbers.
    for (const id of ids) {
      assert.deepEqual(h.controller.states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      const seqs = (h.controller.deliveries.get(id) ?? []).map((d) => d.status.sequence);
      assert.deepEqual(seqs, [1, 2, 3], id);
    }
  } finally {
    await h.cleanup();
  }
});

test('with a controller from before batches every message goes alone', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness({}, {}, { batches: false });
  try {
    const ids = await burst(h);
    assert.deepEqual(h.controller.received, { batches: 0, messages: 0 }, 'the agent sent none');
    assert.deepEqual(h.controller.sentBatches, { batches: 0, messages: 0 });
    for (const id of ids)
      assert.deepEqual(h.controller.states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  } finally {
    await h.cleanup();
  }
});

test('a batch holding a batch is ignored and counted; the next message is served', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    const stream = h.controller.stream;
    assert.ok(stream);
    const launch = (id: string) => ({
      launch_task: {
        task: { framework_id: 'fw-1', ...shellTask(id, 'true') },
        framework: { id: 'fw-1', name: 'test', user: '', checkpoint: true },
      },
    });
    // Written on the stream directly: the fake controller's own outbox never nests.
    stream.write({
      batch: { messages: [launch('outer'), { batch: { messages: [launch('inner')] } }] },
    });
    h.controller.launch(shellTask('after', 'true'));
    await h.controller.waitForState('after', 'TASK_FINISHED');
    // Neither task of the malformed batch was launched: the whole batch was refused.
    assert.deepEqual(h.controller.states('outer'), []);
    assert.deepEqual(h.controller.states('inner'), []);
    const metrics = await h.agent.metrics.exposition();
    assert.match(metrics, /^mezzo_agent_controller_messages_rejected_total\{payload="batch"\} 1$/m);
  } finally {
    await h.cleanup();
  }
});
