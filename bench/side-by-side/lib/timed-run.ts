/**
 * The timed part of a run, the same for both schedulers: a watch opened first, M objects
 * created at once, then waiting until all are seen running (or the time limit), with
 * the CPU each named process used meanwhile and the machine's load.
 */
import { loadavg } from 'node:os';
import type * as k8s from '@kubernetes/client-node';
import { figures, round } from './figures.js';
import { createAll, watchFirstSeen } from './objects.js';
import { cpuAll } from './processes.js';
import { requestDelta, requestsPerObject, type RequestCounts } from './requests.js';
import type { RunResult } from './run-result.js';

/** What to create and how to see it running. */
export interface TimedRun {
  readonly kc: k8s.KubeConfig;
  /** The collection watched (the objects' namespace). */
  readonly path: string;
  /** Every object's name starts with this (the name is the prefix and a 5-digit index). */
  readonly prefix: string;
  readonly objects: number;
  readonly running: (o: Record<string, unknown>) => boolean;
  readonly create: (name: string) => Promise<unknown>;
  /** Processes whose CPU time is reported, by name. */
  readonly pids: Record<string, number | undefined>;
  readonly limitMs: number;
  /** Creates in flight at once. */
  readonly inFlight: number;
  /** The apiserver's request counts now (its /metrics). */
  readonly requests: () => Promise<RequestCounts>;
}

/** Runs it; the figures of {@link RunResult} that it measures. */
export async function timedRun(
  r: TimedRun,
): Promise<
  Pick<
    RunResult,
    'objects' | 'all_created_ms' | 'completed' | 'to_running' | 'cpu_s' | 'load' | 'requests'
  >
> {
  const watch = await watchFirstSeen(r.kc, r.path, r.prefix, r.running);
  try {
    const requests0 = await r.requests();
    const cpu0 = cpuAll(r.pids);
    const load0 = loadavg()[0] ?? 0;
    const t0 = performance.now();
    const created = await createAll(
      r.objects,
      r.inFlight,
      (i) => `${r.prefix}${String(i).padStart(5, '0')}`,
      r.create,
    );
    const createdMs = performance.now() - t0;
    const deadline = t0 + r.limitMs;
    while (watch.at.size < r.objects && performance.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    const cpu1 = cpuAll(r.pids);
    const delta = requestDelta(requests0, await r.requests());
    return {
      objects: r.objects,
      all_created_ms: round(createdMs),
      completed: watch.at.size === r.objects,
      to_running: figures(t0, created, watch.at),
      cpu_s: Object.fromEntries(
        Object.keys(r.pids).map((k) => [k, round((cpu1[k] ?? 0) - (cpu0[k] ?? 0))]),
      ),
      load: { start: round(load0), end: round(loadavg()[0] ?? 0) },
      requests: { total: delta, per_object: requestsPerObject(delta, r.objects) },
    };
  } finally {
    watch.stop();
  }
}
