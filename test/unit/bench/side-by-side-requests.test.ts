// The side-by-side bench's request counts, read from kube-apiserver's /metrics text:
// counters summed over codes and scopes by `VERB resource[/subresource]`, watches left
// out, and the difference between two readings per object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseRequestCounts,
  requestDelta,
  requestsPerObject,
} from '../../../bench/side-by-side/lib/requests.js';

const row = (labels: string, v: number) => `apiserver_request_total{${labels}} ${String(v)}`;

const METRICS = [
  '# HELP apiserver_request_total [STABLE] Counter of apiserver requests',
  '# TYPE apiserver_request_total counter',
  row(
    'code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="binding",verb="POST",version="v1"',
    990,
  ),
  row(
    'code="409",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="binding",verb="POST",version="v1"',
    10,
  ),
  row(
    'code="200",component="apiserver",dry_run="",group="mezzo.dev",resource="tasks",scope="resource",subresource="status",verb="PUT",version="v1alpha1"',
    1070,
  ),
  row(
    'code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"',
    3,
  ),
  row(
    'code="0",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="exec",verb="CONNECT",version="v1"',
    2,
  ),
  'apiserver_request_duration_seconds_count{verb="POST"} 5',
  row(
    'code="201",component="apiserver",dry_run="",group="",resource="events",scope="namespace",subresource="",verb="POST",version="v1"',
    1e3,
  ),
].join('\n');

test('counts by verb and resource/subresource, codes summed, watches and other metrics left out', () => {
  assert.deepEqual(parseRequestCounts(METRICS), {
    'POST pods/binding': 1000,
    'PUT tasks/status': 1070,
    'POST events': 1000,
  });
});

// [before, after, delta]
const deltas: [Record<string, number>, Record<string, number>, Record<string, number>][] = [
  [{ 'PUT tasks': 5 }, { 'PUT tasks': 5, 'POST tasks': 3 }, { 'POST tasks': 3 }],
  [{}, { a: 1, b: 4 }, { b: 4, a: 1 }],
  [{ a: 2 }, { a: 2 }, {}],
];
for (const [before, after, want] of deltas) {
  test(`delta ${JSON.stringify(before)} → ${JSON.stringify(after)}`, () => {
    const got = requestDelta(before, after);
    assert.deepEqual(got, want);
    assert.deepEqual(Object.keys(got), Object.keys(want), 'largest first');
  });
}

test('per object, to two decimals', () => {
  assert.deepEqual(requestsPerObject({ 'PUT tasks/status': 1070, 'PUT leases': 6 }, 1000), {
    'PUT tasks/status': 1.07,
    'PUT leases': 0.01,
  });
});
