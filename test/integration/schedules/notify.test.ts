// Owner notifications: a run that fails for good (retries exhausted) records a
// ScheduleFailed event and POSTs JSON to the owner's webhook (a local HTTP server).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../src/shared/clock.js';
import {
  eventually,
  schedule,
  startFramework,
  startStack,
  statusOf,
  type EventLog,
} from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a failed run with no retries left tells its owner by event and webhook', async () => {
  const received: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;

  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const clock = new ManualClock(Date.parse('2026-03-15T12:00:00Z'));
  const job = schedule('flaky', {
    schedule: 'R/2026-03-16T00:00:00Z/P1D',
    retries: 0,
    command: 'echo broken >&2; exit 3',
    owner: { name: 'data-team@example.com', webhook: `http://127.0.0.1:${port}/hook` },
  });
  job.metadata.annotations = { 'mezzo.dev/run-now': '2026-03-15T12:00:00Z' };
  await stack.store.create(job);
  const events: EventLog = [];
  const fw = await startFramework(stack, clock, events);
  cleanup.push(() => fw.stop());
  await eventually(() => Promise.resolve(received.length > 0), 10_000, 'the webhook');
  const notice = received[0];
  assert.equal(notice?.schedule, 'flaky');
  assert.equal(notice.namespace, 'etl');
  assert.equal(notice.owner, 'data-team@example.com');
  assert.equal(notice.attempts, 1);
  assert.equal(notice.result, 'Failed');
  assert.match(String(notice.message), /exit code 3/);
  const failed = events.find((e) => e.reason === 'ScheduleFailed');
  assert.match(
    failed?.message ?? '',
    /flaky run flaky-\d+-1 failed after 1 attempt\(s\) \(owner data-team@example.com\)/,
  );
  const st = await statusOf(stack, 'flaky');
  assert.equal(st.errorCount, 1);
  assert.equal(st.pendingRetry, undefined);
  assert.equal(st.lastFailure, '2026-03-15T12:00:00.000Z');
});
