// Failover: a restarted schedules framework neither relaunches a run that was launched
// nor forgets one that was recorded. Each case stops the framework at a different point
// and starts a new instance (same framework ID) that rebuilds from the Schedule's status
// and the controller's answers to reconciliation.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { startController, until } from '../controller/support.js';
import {
  eventually,
  schedule,
  startFramework,
  startStack,
  statusOf,
  type EventLog,
  type Stack,
} from './support.js';

const MIN = 60_000;

/**
 * The status the write-ahead leaves when the framework dies before its accept: the
 * 01:00 run recorded as Launching, nextRun already moved on to 02:00.
 */
function launchingAt1am(runId: string, observedSchedule: string): Record<string, unknown> {
  return {
    nextRun: '2026-03-15T02:00:00.000Z',
    observedSchedule: `${observedSchedule} UTC`,
    successCount: 0,
    errorCount: 0,
    lastRunStart: '2026-03-15T01:00:00.000Z',
    running: [
      {
        id: runId,
        phase: 'Launching',
        scheduledTime: '2026-03-15T01:00:00.000Z',
        startedAt: '2026-03-15T01:00:00.000Z',
        attempt: 1,
        trigger: 'schedule',
      },
    ],
  };
}
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/**
 * The controller process goes (and the agent with it, its tasks running on); a new
 * controller on the same port takes over the store. The agent is not started again.
 */
async function controllerFailover(
  stack: Stack,
): Promise<{ second: Awaited<ReturnType<typeof startController>>; failedOver: Stack }> {
  const port = Number(stack.controller.grpcAddress.split(':').pop());
  await stack.agent.stop();
  await stack.controller.stop();
  await stack.store.close();
  const second = await startController(stack.controllerDir, port);
  cleanup.push(() => second.controller.stop());
  return { second, failedOver: { ...stack, controller: second.controller, store: second.store } };
}

test('a restart mid-run follows the running task instead of launching it again', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const d = stack.dir;
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1 - MIN);
  // Holds until the test opens the gate, so the restart happens while it runs.
  await stack.store.create(
    schedule('slow', {
      schedule: 'R/2026-03-15T00:00:00Z/PT1H',
      command: `echo start >> ${d}/slow.log; while [ ! -e ${d}/gate ]; do sleep 0.05; done; echo end >> ${d}/slow.log`,
    }),
  );
  const fw1 = await startFramework(stack, clock);
  cleanup.push(() => fw1.stop());
  clock.advance(MIN); // 01:00: due
  await eventually(
    async () => (await statusOf(stack, 'slow')).running?.[0]?.phase === 'Launched',
    10_000,
    'the run to be launched',
  );
  await eventually(
    () => Promise.resolve(existsSync(join(d, 'slow.log'))),
    10_000,
    'the task to start',
  );
  const id = fw1.id;
  fw1.stop();
  await fw1.settled();
  // As if the first instance died between its accept and the write that followed it:
  // status still says Launching. The controller knows the task, so it is not relaunched.
  const obj = await stack.store.get('Schedule', 'slow', 'etl');
  const st = obj?.status as { running: { phase: string }[] };
  for (const r of st.running) r.phase = 'Launching';
  await stack.store.updateStatus('Schedule', 'slow', 'etl', st);

  const fw2 = await startFramework(stack, clock, [], id);
  cleanup.push(() => fw2.stop());
  await eventually(
    async () => (await statusOf(stack, 'slow')).running?.[0]?.phase === 'Launched',
    10_000,
    'reconciliation to confirm the run',
  );
  writeFileSync(join(d, 'gate'), '');
  await eventually(
    async () => (await statusOf(stack, 'slow')).history?.[0]?.result === 'Succeeded',
    10_000,
    'the run to end',
  );
  assert.equal(readFileSync(join(d, 'slow.log'), 'utf8'), 'start\nend\n', 'started once');
  const tasks = [...stack.controller.core.tasks.values()].filter((t) =>
    t.id.startsWith('schedule.etl.slow-'),
  );
  assert.deepEqual(
    tasks.map((t) => t.id),
    [`schedule.etl.slow-${T1}-1`],
  );
  const after = await statusOf(stack, 'slow');
  assert.equal(after.successCount, 1);
  assert.equal(after.nextRun, '2026-03-15T02:00:00.000Z');
});

test('a run recorded before a crash but never accepted is launched by the next instance', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const d = stack.dir;
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1 + MIN);
  await stack.store.create(
    schedule('crashy', {
      schedule: 'R/2026-03-15T00:00:00Z/PT1H',
      command: `echo "$MEZZO_RUN_ID" >> ${d}/crashy.log`,
    }),
  );
  const runId = `crashy-${T1}-1`;
  await stack.store.updateStatus(
    'Schedule',
    'crashy',
    'etl',
    launchingAt1am(runId, 'R/2026-03-15T00:00:00Z/PT1H'),
  );
  const fw = await startFramework(stack, clock);
  cleanup.push(() => fw.stop());
  await eventually(
    async () => (await statusOf(stack, 'crashy')).history?.[0]?.result === 'Succeeded',
    10_000,
    'the recorded run to be launched and end',
  );
  assert.equal(readFileSync(join(d, 'crashy.log'), 'utf8'), `${runId}\n`);
  const st = await statusOf(stack, 'crashy');
  assert.equal(st.nextRun, '2026-03-15T02:00:00.000Z', 'not planned a second time');
  assert.deepEqual(st.missed ?? [], []);
});

test('a controller failover mid-run: the new leader and framework follow the run, once', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const d = stack.dir;
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1);
  await stack.store.create(
    schedule('nightly', {
      schedule: 'R/2026-03-15T01:00:00Z/P1D',
      command: `echo start >> ${d}/nightly.log; while [ ! -e ${d}/gate ]; do sleep 0.05; done; echo end >> ${d}/nightly.log`,
    }),
  );
  const fw1 = await startFramework(stack, clock);
  cleanup.push(() => fw1.stop());
  await eventually(
    async () => (await statusOf(stack, 'nightly')).running?.[0]?.phase === 'Launched',
    10_000,
    'the run to be launched',
  );
  await until(
    () => [...stack.controller.core.tasks.values()].some((t) => t.state === 'TASK_RUNNING'),
    10_000,
    'the task to run',
  );
  // The controller process goes (controller and its built-in frameworks), and so does the
  // agent for a while (its task keeps running); a new controller takes over the store.
  const id = fw1.id;
  fw1.stop();
  await fw1.settled();
  const { second, failedOver } = await controllerFailover(stack);
  const events: EventLog = [];
  const fw2 = await startFramework(failedOver, clock, events, id);
  cleanup.push(() => fw2.stop());
  // The new controller does not know the task until the agent is back, and expects the
  // agent (its Agent object was Active): it holds its answer to the framework's
  // reconciliation, and the framework waits instead of launching the run again.
  assert.ok(second.controller.core.recoveringAgents(), 'the agent is expected back');
  await until(() => fw2.id !== '', 10_000, 'the framework to resubscribe');
  await fw2.settled();
  assert.equal(events.filter((e) => e.reason === 'RunUnconfirmed').length, 0);
  assert.equal((await statusOf(failedOver, 'nightly')).running?.[0]?.phase, 'Launched');
  // The controller holds only the task it rebuilt from its Task object, waiting for its agent.
  const held = [...second.controller.core.tasks.values()];
  assert.deepEqual(
    held.map((t) => t.fromStore),
    [true],
    'nothing launched again',
  );

  await stack.restartAgent(second.controller.grpcAddress);
  await until(
    () => [...second.controller.core.tasks.values()].some((t) => t.state === 'TASK_RUNNING'),
    15_000,
    'the agent to re-register its task',
  );
  clock.advance(10_000); // the next reconciliation round finds it
  writeFileSync(join(d, 'gate'), '');
  await eventually(
    async () => (await statusOf(failedOver, 'nightly')).history?.[0]?.result === 'Succeeded',
    15_000,
    'the run to end',
  );
  assert.equal(readFileSync(join(d, 'nightly.log'), 'utf8'), 'start\nend\n', 'started once');
  const st = await statusOf(failedOver, 'nightly');
  assert.equal(st.successCount, 1);
  assert.equal(st.history?.length, 1);
  assert.equal(st.nextRun, '2026-03-16T01:00:00.000Z');
});

test('a run never accepted, asked about while the controller recovers, launches once asked again', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const d = stack.dir;
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1 - 30 * MIN);
  await stack.store.create(
    schedule('held', {
      schedule: 'R/2026-03-15T01:00:00Z/PT1H',
      command: `echo "$MEZZO_RUN_ID" >> ${d}/held.log`,
    }),
  );
  // A first instance only to have a framework ID to fail over with (nothing is due yet).
  const fw1 = await startFramework(stack, clock);
  await until(() => fw1.id !== '', 10_000, 'the framework to subscribe');
  const id = fw1.id;
  fw1.stop();
  await fw1.settled();
  // The controller and its agent go; the run was recorded (Launching) but never accepted.
  const { second, failedOver } = await controllerFailover(stack);
  const runId = `held-${T1}-1`;
  await failedOver.store.updateStatus(
    'Schedule',
    'held',
    'etl',
    launchingAt1am(runId, 'R/2026-03-15T01:00:00Z/PT1H'),
  );
  clock.advance(31 * MIN); // 01:01, the run recorded at 01:00 still waiting
  // The new controller expects its agent back, so it holds its answer about the run.
  assert.ok(second.controller.core.recoveringAgents(), 'the agent is expected back');
  const fw2 = await startFramework(failedOver, clock, [], id);
  cleanup.push(() => fw2.stop());
  await until(() => fw2.id !== '', 10_000, 'the framework to resubscribe');
  await fw2.settled();
  assert.equal((await statusOf(failedOver, 'held')).running?.[0]?.phase, 'Launching');
  assert.equal(existsSync(join(d, 'held.log')), false, 'not launched while unanswered');

  // The agent is back (the controller's recovery ends) and the framework asks again after
  // its retry wait, 10 s, well before its periodic round (60 s): TASK_UNKNOWN, so it launches.
  await stack.restartAgent(second.controller.grpcAddress);
  await until(
    () => !second.controller.core.recoveringAgents(),
    15_000,
    'the controller to end its recovery',
  );
  clock.advance(10_000);
  await eventually(
    async () => (await statusOf(failedOver, 'held')).history?.[0]?.result === 'Succeeded',
    15_000,
    'the run to be launched and end',
  );
  assert.equal(readFileSync(join(d, 'held.log'), 'utf8'), `${runId}\n`, 'launched once');
});
