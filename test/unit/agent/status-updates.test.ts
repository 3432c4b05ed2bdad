import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import {
  MAX_MESSAGE_CHARS,
  StatusUpdateManager,
  type StoredUpdate,
} from '../../../src/agent-sidecar/status-updates.js';

function setup(): {
  dir: string;
  clock: ManualClock;
  sent: StoredUpdate[];
  connected: { v: boolean };
  make: () => StatusUpdateManager;
} {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-sum-'));
  const clock = new ManualClock(1_000_000);
  const sent: StoredUpdate[] = [];
  const connected = { v: true };
  const make = (): StatusUpdateManager =>
    new StatusUpdateManager(
      clock,
      {
        send: (u) => {
          if (!connected.v) return false;
          sent.push(u);
          return true;
        },
      },
      silentLogger(),
      1000,
      8000,
    );
  return { dir, clock, sent, connected, make };
}

test('updates are logged before sending; one in flight per task; in order on ack', async () => {
  const { dir, sent, make } = setup();
  try {
    const m = make();
    const log = join(dir, 'a.log');
    m.open('a', 'fw', log);
    const u1 = await m.update('a', { state: 'TASK_STARTING' });
    // On disk before (or as) it goes out.
    assert.match(readFileSync(log, 'utf8'), new RegExp(u1.uuid));
    const u2 = await m.update('a', { state: 'TASK_RUNNING' });
    const u3 = await m.update('a', { state: 'TASK_FINISHED', exitCode: 0 });
    assert.deepEqual(
      sent.map((u) => u.sequence),
      [1],
      'only the oldest unacked update is in flight',
    );
    assert.equal(await m.acknowledge('a', u2.uuid), false, 'not the head: ignored');
    assert.equal(await m.acknowledge('a', u1.uuid), true);
    assert.equal(await m.acknowledge('a', u1.uuid), false, 'never acknowledged twice');
    assert.deepEqual(
      sent.map((u) => u.sequence),
      [1, 2],
    );
    await m.acknowledge('a', u2.uuid);
    await m.acknowledge('a', u3.uuid);
    assert.deepEqual(
      sent.map((u) => u.state),
      ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'],
    );
    assert.equal(m.isDone('a'), true);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('unacked updates are retried with exponential backoff (1 s, 2 s, 4 s, capped at 8 s)', async () => {
  const { dir, clock, sent, make } = setup();
  try {
    const m = make();
    m.open('a', 'fw', join(dir, 'a.log'));
    await m.update('a', { state: 'TASK_RUNNING' });
    const times: number[] = [];
    const base = clock.now();
    for (let i = 0; i < 20_000; i += 100) {
      const before = sent.length;
      clock.advance(100);
      if (sent.length > before) times.push(clock.now() - base);
    }
    // First send at 0; resends after 1 s, 2 s, 4 s, 8 s (cap): at 1, 3, 7, 15 s (next 23 s).
    assert.deepEqual(times, [1000, 3000, 7000, 15000]);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('while disconnected nothing is sent; flush() resends the heads', async () => {
  const { dir, sent, connected, make } = setup();
  try {
    const m = make();
    m.open('a', 'fw', join(dir, 'a.log'));
    m.open('b', 'fw', join(dir, 'b.log'));
    connected.v = false;
    await m.update('a', { state: 'TASK_RUNNING' });
    await m.update('b', { state: 'TASK_RUNNING' });
    assert.equal(sent.length, 0);
    connected.v = true;
    m.flush();
    assert.deepEqual(sent.map((u) => u.taskId).sort(), ['a', 'b']);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('recovery replays the log: sequence, acks, unacked updates; a torn last line is ignored', async () => {
  const { dir, sent, make } = setup();
  try {
    const log = join(dir, 'a.log');
    const m1 = make();
    m1.open('a', 'fw', log);
    const u1 = await m1.update('a', { state: 'TASK_STARTING' });
    await m1.update('a', { state: 'TASK_RUNNING' });
    await m1.acknowledge('a', u1.uuid);
    await m1.stop();
    appendFileSync(log, '{"u":{"taskId":"a","sta'); // crash mid-append
    sent.length = 0;
    const m2 = make();
    await m2.recover('a', 'fw', log);
    assert.deepEqual(
      m2.pending('a').map((u) => u.state),
      ['TASK_RUNNING'],
    );
    assert.equal(m2.latest('a')?.state, 'TASK_RUNNING');
    const u3 = await m2.update('a', { state: 'TASK_FAILED', exitCode: 2 });
    assert.equal(u3.sequence, 3, 'sequence continues after recovery');
    m2.flush();
    assert.deepEqual(
      sent.map((u) => u.sequence),
      [2],
    );
    await m2.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('resends adapt to the acknowledgement latency: a controller that takes 3 s gets each update once', async () => {
  const { dir, clock, sent, make } = setup();
  try {
    // Retry bounds 1 s and 8 s (setup); the controller acknowledges every update 3 s
    // after it was sent.
    const m = make();
    const sendsPerUpdate: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `t${i}`;
      m.open(id, 'fw', join(dir, `${id}.log`));
      const u = await m.update(id, { state: 'TASK_RUNNING' });
      for (let t = 0; t < 3000; t += 100) clock.advance(100);
      assert.equal(await m.acknowledge(id, u.uuid), true);
      sendsPerUpdate.push(sent.filter((x) => x.uuid === u.uuid).length);
    }
    // The first update, before any measurement, is resent after 1 s and again 2 s later
    // (at 1 s and 3 s): 3 sends. Its acknowledgement measures 3 s: SRTT 3 s, RTTVAR 1.5 s,
    // so the next resend would wait 2 × (3 + 4 × 1.5) = 18 s, capped at 8 s; later samples
    // keep it there. Every later update is acknowledged before a resend: 1 send each.
    assert.deepEqual(sendsPerUpdate, [3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(m.ackLatencyMs, 3000);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a status message is cut to what the controller accepts', async () => {
  const { dir, make } = setup();
  try {
    const m = make();
    m.open('a', 'fw', join(dir, 'a.log'));
    const u = await m.update('a', { state: 'TASK_FAILED', message: 'x'.repeat(100_000) });
    assert.equal(u.message.length, MAX_MESSAGE_CHARS);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an update in flight waits longer when acknowledgements measured meanwhile ask for it', async () => {
  const { dir, clock, sent } = setup();
  try {
    // Mesos' bounds: 10 s, 10 min.
    const m = new StatusUpdateManager(
      clock,
      { send: (u) => sent.push(u) > 0 },
      silentLogger(),
      10_000,
      600_000,
    );
    m.open('a', 'fw', join(dir, 'a.log'));
    m.open('b', 'fw', join(dir, 'b.log'));
    // A burst: both sent at 0, before any acknowledgement was measured (b's resend is
    // first due at 10 s).
    const ua = await m.update('a', { state: 'TASK_RUNNING' });
    const ub = await m.update('b', { state: 'TASK_RUNNING' });
    for (let t = 0; t < 8000; t += 100) clock.advance(100);
    // a's acknowledgement takes 8 s: SRTT 8 s, RTTVAR 4 s, so a wait of 2 × (8 + 16) = 48 s.
    await m.acknowledge('a', ua.uuid);
    // At 10 s b's timer finds it should wait until 48 s; acknowledged at 12 s, sent once.
    for (let t = 8000; t < 12_000; t += 100) clock.advance(100);
    await m.acknowledge('b', ub.uuid);
    assert.equal(sent.filter((u) => u.uuid === ub.uuid).length, 1);
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a terminal update being written is not settled: the task is not done until it is acknowledged', async () => {
  const { dir, make } = setup();
  try {
    const m = make();
    m.open('a', 'fw', join(dir, 'a.log'));
    const running = await m.update('a', { state: 'TASK_RUNNING' });
    await m.acknowledge('a', running.uuid);
    // TASK_FINISHED is the latest update from here on, but it is neither on disk nor
    // pending until its append resolves: a re-registration in between must still report
    // the task (before the fix, isDone() was true here and the agent left it out).
    const writing = m.update('a', { state: 'TASK_FINISHED' });
    assert.equal(m.latest('a')?.state, 'TASK_FINISHED');
    assert.equal(m.pending('a').length, 0, 'not pending before the write');
    assert.equal(m.isDone('a'), false, 'being written');
    const finished = await writing;
    assert.equal(m.isDone('a'), false, 'written, not acknowledged');
    await m.acknowledge('a', finished.uuid);
    assert.equal(m.isDone('a'), true, 'acknowledged');
    await m.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pendingCount follows updates, acknowledgements, recovery and close across tasks', async () => {
  const { dir, make } = setup();
  try {
    const m = make();
    m.open('a', 'fw', join(dir, 'a.log'));
    m.open('b', 'fw', join(dir, 'b.log'));
    const a1 = await m.update('a', { state: 'TASK_STARTING' });
    await m.update('a', { state: 'TASK_RUNNING' });
    await m.update('b', { state: 'TASK_STARTING' });
    assert.equal(m.pendingCount(), 3); // a: 2, b: 1
    await m.acknowledge('a', a1.uuid);
    await m.acknowledge('a', a1.uuid); // a duplicate changes nothing
    assert.equal(m.pendingCount(), 2); // a: 1, b: 1
    await m.close('b');
    assert.equal(m.pendingCount(), 1); // a: 1
    await m.stop();
    assert.equal(m.pendingCount(), 0);
    const r = make();
    await r.recover('a', 'fw', join(dir, 'a.log'));
    assert.equal(r.pendingCount(), 1); // RUNNING was never acknowledged
    await r.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
