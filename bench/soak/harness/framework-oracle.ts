/**
 * The oracle's checks of the built-in frameworks' own records against the truth: each
 * Schedule's run bookkeeping (runs still "running" whose task ended, success and error
 * counts, the result of each run in its history) and each App's instance count against
 * the processes really alive in the agent's cgroups. A deleted App leaves nothing.
 */
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import type { Facts, ReportedTask, ScheduleFacts } from './facts.js';
import type { Violation } from './violations.js';
import { NAMESPACE, appOf, sourceOf } from './workload.js';

/** The Schedule a run's task belongs to (`schedule.<ns>.<name>-<time>-<attempt>`). */
export function scheduleOf(taskId: string): string | undefined {
  if (sourceOf(taskId) !== 'schedules') return undefined;
  const run = taskId.slice(`schedule.${NAMESPACE}.`.length);
  const parts = run.split('-');
  return parts.length >= 3 ? parts.slice(0, -2).join('-') : undefined;
}

/** The result a Schedule records for a task's final state. */
export function resultOf(state: string): string {
  if (state === 'TASK_FINISHED') return 'Succeeded';
  if (state === 'TASK_KILLED') return 'Killed';
  return 'Failed';
}

function reportedOf(f: Facts, id: string): ReportedTask | undefined {
  return f.controller?.get(id) ?? f.store?.get(id);
}

function allTaskIds(f: Facts): Set<string> {
  return new Set([...(f.controller?.keys() ?? []), ...(f.store?.keys() ?? [])]);
}

function scheduleViolations(f: Facts, s: ScheduleFacts, out: Violation[]): void {
  for (const task of s.running) {
    const r = reportedOf(f, task);
    if (!r)
      out.push({
        kind: 'not-delivered',
        task,
        detail: `Schedule ${s.name} holds the run as running; no task of that ID is known`,
      });
    else if (isTerminal(r.state))
      out.push({
        kind: 'not-delivered',
        task,
        detail: `Schedule ${s.name} holds the run as running; the task ended ${r.state}`,
      });
  }
  const finals = [...allTaskIds(f)].filter(
    (id) => scheduleOf(id) === s.name && isTerminal(reportedOf(f, id)?.state ?? ''),
  );
  const counted = s.successCount + s.errorCount;
  if (counted !== finals.length)
    out.push({
      kind: 'schedule-count',
      detail: `Schedule ${s.name}: ${s.successCount} succeeded + ${s.errorCount} failed = ${counted} runs ended, but ${finals.length} of its tasks ended`,
    });
  // While the history is not full, every ended run is in it, with the right result.
  if (s.history.length >= s.historyLimit) return;
  const history = new Map(s.history.map((h) => [h.task, h.result]));
  for (const id of finals) {
    const state = reportedOf(f, id)?.state ?? '';
    const result = history.get(id);
    if (result === undefined)
      out.push({
        kind: 'not-delivered',
        task: id,
        detail: `ended ${state}; Schedule ${s.name} has no finished run for it`,
      });
    else if (result !== resultOf(state))
      out.push({
        kind: 'conflicting-final',
        task: id,
        detail: `ended ${state}; Schedule ${s.name} recorded ${result}`,
      });
  }
}

function liveOfApp(f: Facts, app: string): string[] {
  return [...f.live.keys()].filter((id) => appOf(id) === app);
}

function appViolations(f: Facts, out: Violation[]): void {
  for (const a of f.apps ?? []) {
    if (f.deletedApps.includes(a.name)) continue;
    const live = liveOfApp(f, a.name).length;
    if (live !== a.instances || a.statusInstances !== live)
      out.push({
        kind: 'app-instances',
        detail: `App ${a.name}: spec ${a.instances}, status ${a.statusInstances ?? '-'}, ${live} really running`,
      });
  }
  for (const name of f.deletedApps) {
    const live = liveOfApp(f, name);
    if (live.length > 0)
      out.push({
        kind: 'deleted-app-remains',
        detail: `App ${name} was deleted; ${live.length} of its tasks still run: ${live.join(', ')}`,
      });
    if ((f.apps ?? []).some((a) => a.name === name))
      out.push({
        kind: 'deleted-app-remains',
        detail: `App ${name} was deleted; its object remains`,
      });
  }
}

/** Every way the built-in frameworks' records disagree with the truth. */
export function frameworkViolations(f: Facts): Violation[] {
  const out: Violation[] = [];
  for (const s of f.schedules ?? []) scheduleViolations(f, s, out);
  appViolations(f, out);
  return out;
}
