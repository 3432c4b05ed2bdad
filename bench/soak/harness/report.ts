/**
 * The soak's JSON report: faults by kind, tasks by source and final state, lost and
 * duplicated counts, the batch framework's status deliveries per task and per update,
 * the controller's memory, and every violation with its evidence.
 */
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import { finalStates, type BatchLog } from './batch-records.js';
import type { SoakConfig } from './config.js';
import type { Facts } from './facts.js';
import type { Judgement } from './oracle.js';
import { LOSSES, type Violation } from './violations.js';
import { appOf, sourceOf } from './workload.js';

/** Resident memory of the controller over the run. */
export interface RssSummary {
  maxMiB: number;
  finalMiB: number;
  samples: number;
}

/** What the run measured besides the final observation. */
export interface RunFigures {
  t0: number;
  chaosEnded: number;
  settledAt: number;
  converged: boolean;
  faults: Record<string, number>;
  events: string[];
  rss: RssSummary;
  controllerStarts: number;
  agentStarts: number;
  frameworkStarts: number;
}

/** Violations listed per kind in the report (the counts cover all of them). */
const EXAMPLES_PER_KIND = 6;

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function count(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A few violations of one kind, taken in turn from each source (apps, schedules, batch,
 * none) so that every flavour of it shows.
 */
function examples(vs: Violation[]): Violation[] {
  const groups = new Map<string, Violation[]>();
  for (const v of vs) {
    const key = v.task === undefined ? '' : sourceOf(v.task);
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const out: Violation[] = [];
  for (let i = 0; out.length < Math.min(EXAMPLES_PER_KIND, vs.length); i++)
    for (const g of groups.values()) {
      const v = g[i];
      if (v && out.length < EXAMPLES_PER_KIND) out.push(v);
    }
  return out;
}

/** Status deliveries the batch framework saw, per task and per distinct update. */
export function deliveries(batch: BatchLog): Record<string, unknown> {
  const tasks = [...batch.tasks.values()].filter((t) => t.deliveries.length > 0);
  const perTask = tasks.map((t) => t.deliveries.length);
  const byUuid = new Map<string, number>();
  let reconciliation = 0;
  for (const t of tasks)
    for (const d of t.deliveries) {
      if (d.uuid === '') reconciliation++;
      else byUuid.set(d.uuid, (byUuid.get(d.uuid) ?? 0) + 1);
    }
  const perUpdate = [...byUuid.values()];
  const finals = tasks.filter((t) => finalStates(t).length > 0);
  const finalDeliveries = finals.map((t) => t.deliveries.filter((d) => isTerminal(d.state)).length);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    tasks_with_updates: tasks.length,
    updates_per_task: {
      mean: round(sum(perTask) / Math.max(1, tasks.length)),
      max: Math.max(0, ...perTask),
    },
    deliveries_per_update: {
      distinct_updates: perUpdate.length,
      mean: round(sum(perUpdate) / Math.max(1, perUpdate.length)),
      max: Math.max(0, ...perUpdate),
    },
    final_deliveries_per_task: {
      tasks: finals.length,
      mean: round(sum(finalDeliveries) / Math.max(1, finals.length)),
      histogram: count(finalDeliveries.map(String)),
    },
    reconciliation_answers: reconciliation,
  };
}

/** The report's object. */
export function buildReport(
  cfg: SoakConfig,
  facts: Facts,
  j: Judgement,
  fig: RunFigures,
  extra: Violation[],
): Record<string, unknown> {
  const violations = [...j.violations, ...extra];
  const lostTasks = new Set(violations.filter((v) => LOSSES.has(v.kind)).map((v) => v.task ?? ''));
  const dupTasks = new Set(
    violations.filter((v) => v.kind === 'ran-twice').map((v) => v.task ?? ''),
  );
  const states = j.tasks.map((t) => t.state ?? '(unknown)');
  return {
    benchmark: 'soak',
    preset: cfg.name,
    seed: cfg.seed,
    ok: violations.length === 0,
    duration_s: {
      total: round((fig.settledAt - fig.t0) / 1000, 1),
      chaos: round((fig.chaosEnded - fig.t0) / 1000, 1),
      settle: round((fig.settledAt - fig.chaosEnded) / 1000, 1),
    },
    converged: fig.converged,
    faults: { ...fig.faults, total: Object.values(fig.faults).reduce((a, b) => a + b, 0) },
    workload_events: fig.events,
    process_starts: {
      controller: fig.controllerStarts,
      agent: fig.agentStarts,
      batch_framework: fig.frameworkStarts,
    },
    tasks: {
      launched: j.tasks.length,
      by_source: count(j.tasks.map((t) => sourceOf(t.id))),
      terminal: count(states.filter((s) => isTerminal(s))),
      running: states.filter((s) => s === 'TASK_RUNNING').length,
      other: count(states.filter((s) => !isTerminal(s) && s !== 'TASK_RUNNING')),
      lost: lostTasks.size,
      duplicated: dupTasks.size,
      never_launched: j.neverLaunched.length,
      launch_vanished_then_reconciled: j.vanishedReported.length,
      final_update_unacknowledged: j.unacknowledged.length,
    },
    deliveries: deliveries(facts.batch),
    apps: (facts.apps ?? []).map((a) => ({
      name: a.name,
      instances: a.instances,
      status: a.statusInstances,
      running: [...facts.live.keys()].filter((id) => appOf(id) === a.name).length,
    })),
    schedules: (facts.schedules ?? []).map((s) => ({
      name: s.name,
      succeeded: s.successCount,
      failed: s.errorCount,
      running: s.running.length,
    })),
    controller: {
      rss_mib: {
        max: round(fig.rss.maxMiB, 1),
        final: round(fig.rss.finalMiB, 1),
        ceiling: cfg.rssCeilingMiB,
        samples: fig.rss.samples,
      },
      tasks_in_memory: facts.controller?.size,
    },
    violations: {
      total: violations.length,
      by_kind: count(violations.map((v) => v.kind)),
      examples: Object.fromEntries(
        [...new Set(violations.map((v) => v.kind))].map((k) => [
          k,
          examples(violations.filter((v) => v.kind === k)),
        ]),
      ),
    },
  };
}
