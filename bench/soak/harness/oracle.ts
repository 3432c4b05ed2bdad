/**
 * The soak's oracle: given one observation ({@link Facts}), every way the system is wrong
 * about its tasks. A pure function, so it is tested on hand-made facts
 * (test/integration/soak/oracle.test.ts) as well as run on the real ones.
 *
 * Sources of truth, most trusted first: the machine (processes alive in the task cgroups,
 * markers the tasks wrote), the agent's own checkpoints and update logs, then what Mezzo
 * reports (the controller's /state, falling back to the store's Task object for a task
 * the controller no longer holds), then what each framework recorded.
 */
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import { finalStates, type BatchTask } from './batch-records.js';
import { frameworkViolations } from './framework-oracle.js';
import type { Facts, ReportedTask } from './facts.js';
import type { AgentTask } from './node-facts.js';
import type { Violation } from './violations.js';
import { sourceOf } from './workload.js';

/** The state each task ended up in, for the counts. */
export interface TaskVerdict {
  id: string;
  state?: string;
}

/** The oracle's findings. */
export interface Judgement {
  violations: Violation[];
  tasks: TaskVerdict[];
  /** Batch tasks whose ACCEPT failed and that no component ever knew: never launched. */
  neverLaunched: string[];
  /**
   * Accepted launches that no component recorded (the controller died before the launch
   * reached the agent or the store) and whose framework learned a final state for them
   * through reconciliation — Mesos' contract for launches (its docs/reconciliation.md).
   */
  vanishedReported: string[];
  /**
   * Tasks whose final update the agent still resends. A figure, not a violation: the
   * framework may have its final state from reconciliation, and the agent's retry backoff
   * (Mesos: 10 s doubling to 10 min) may outlast the settling.
   */
  unacknowledged: string[];
}

/** The final state the agent recorded last, and every distinct one it recorded. */
function agentFinals(t: AgentTask | undefined): { last?: string; all: string[] } {
  const finals = (t?.updates ?? []).filter((u) => isTerminal(u.state)).map((u) => u.state);
  const last = finals.at(-1);
  return { ...(last !== undefined ? { last } : {}), all: [...new Set(finals)] };
}

/** When a task lived (to its final update, or to now), and whether it ended. */
function lifetime(f: Facts, id: string): { from: number; to: number; ended: boolean } {
  const starts = [
    ...(f.markers.get(id) ?? []).map((s) => s.at),
    f.agent.get(id)?.launchedAt ?? Infinity,
    f.batch.tasks.get(id)?.launchedAt ?? Infinity,
  ];
  const updates = f.agent.get(id)?.updates ?? [];
  const final = updates.find((u) => isTerminal(u.state));
  return { from: Math.min(...starts), to: final ? final.timestamp * 1000 : f.at, ended: !!final };
}

/** How many of the faults during a task's life the evidence names. */
const FAULTS_NAMED = 4;

/**
 * The faults injected while a task lived (give or take two seconds): for a task that
 * ended, the latest before its end (what it met last); for one that did not, the first
 * after its start (what it met first).
 */
export function faultsDuring(f: Facts, id: string, t0: number): string[] {
  const { from, to, ended } = lifetime(f, id);
  const during = f.faults
    .filter((x) => x.at >= from - 2_000 && x.at <= to + 2_000)
    .map((x) => `${x.kind}@${((x.at - t0) / 1000).toFixed(1)}s${x.detail ? ` (${x.detail})` : ''}`);
  const more = during.length - FAULTS_NAMED;
  if (more <= 0) return during;
  return ended
    ? [`${more} earlier`, ...during.slice(more)]
    : [...during.slice(0, FAULTS_NAMED), `${more} later`];
}

function describe(r: ReportedTask): string {
  return [r.state, r.reason, r.message].filter(Boolean).join(' ');
}

/** Checks one task against the machine, the agent and Mezzo's reports. */
function judgeTask(f: Facts, id: string, out: Violation[]): string | undefined {
  const ctl = f.controller?.get(id);
  const st = f.store?.get(id);
  const reported = ctl ?? st;
  const agent = f.agent.get(id);
  const finals = agentFinals(agent);
  const live = f.live.get(id);
  const pids = new Set((f.markers.get(id) ?? []).map((s) => s.pid));
  const add = (kind: Violation['kind'], detail: string) => out.push({ kind, task: id, detail });

  if (pids.size > 1) add('ran-twice', `started ${pids.size} times, pids ${[...pids].join(', ')}`);
  if (finals.all.length > 1)
    add('conflicting-final', `the agent recorded ${finals.all.join(' and ')}`);
  if (!reported) {
    if (agent || live || pids.size > 0) {
      const how = [
        agent ? 'agent checkpoint' : '',
        live ? `live pids ${live.join(',')}` : '',
        pids.size > 0 ? 'start marker' : '',
      ]
        .filter(Boolean)
        .join(', ');
      add('unknown-to-controller', `neither the controller nor the store knows it (${how})`);
    }
    return undefined;
  }
  if (ctl && st && ctl.state !== st.state)
    add('store-diverged', `controller ${describe(ctl)}, store ${describe(st)}`);
  const state = reported.state;
  const isFinal = isTerminal(state);
  const pidsAlive = live ? `pids ${live.join(',')} alive` : '';
  if (state === 'TASK_LOST') {
    add('reported-lost', `reported ${describe(reported)}`);
  } else if (finals.last !== undefined) {
    // The agent's final state is the truth; Mezzo must report exactly it — except a
    // TASK_KILLED the controller declared for a kill asked while the agent was away, which
    // is final by design (docs/reliability.md): the framework was told it and the task is
    // killed when its agent is back, so the agent's own end of it (that kill, or a death
    // before the kill arrived) does not change it. Nothing of it may run afterwards.
    const declared = state === 'TASK_KILLED' && reported.reason === 'REASON_AGENT_DISCONNECTED';
    if (!isFinal)
      add('final-state-lost', `the agent recorded ${finals.last}; reported ${describe(reported)}`);
    else if (state !== finals.last && !declared)
      add('conflicting-final', `the agent recorded ${finals.last}; reported ${describe(reported)}`);
    if (live) add('unowned-process', `the agent recorded ${finals.last}, yet ${pidsAlive}`);
  } else if (state === 'TASK_RUNNING') {
    if (!live) add('ghost-running', 'reported TASK_RUNNING, no process alive in its cgroup');
  } else if (isFinal) {
    if (live) add('unowned-process', `reported ${describe(reported)}, ${pidsAlive}`);
    else if (agent)
      add('stuck', `reported ${describe(reported)}; the agent has it, with no final state`);
  } else {
    add('stuck', `reported ${describe(reported)} after the system settled`);
  }
  return state;
}

/** Batch tasks: the framework got exactly the final state Mezzo reports. */
function judgeBatchDelivery(
  t: BatchTask,
  reported: ReportedTask | undefined,
  out: Violation[],
): void {
  const got = finalStates(t);
  if (got.length > 1) {
    out.push({
      kind: 'conflicting-final',
      task: t.id,
      detail: `the framework was told ${got.join(' then ')}`,
    });
    return;
  }
  if (!reported) return;
  if (isTerminal(reported.state)) {
    if (got.length === 0)
      out.push({
        kind: 'not-delivered',
        task: t.id,
        detail: `${reported.state} never reached the batch framework`,
      });
    else if (got[0] !== reported.state)
      out.push({
        kind: 'conflicting-final',
        task: t.id,
        detail: `the framework was told ${got[0] ?? ''}, Mezzo reports ${describe(reported)}`,
      });
  } else if (got.length > 0) {
    // Not a conflict yet: the framework's record is read after /state, so a task that
    // ended in between is told final there and reported running here (seen under load).
    // It heals when Mezzo reports the final state, and is a loss if it never does.
    out.push({
      kind: 'final-state-lost',
      task: t.id,
      detail: `the framework was told ${got[0] ?? ''}, Mezzo still reports ${describe(reported)}`,
    });
  }
}

/** Judges one observation; `t0` is when the run started (for the fault timeline). */
export function judge(f: Facts, t0: number): Judgement {
  const out: Violation[] = [];
  if (!f.controller || !f.store)
    out.push({ kind: 'controller-unavailable', detail: 'no /state or /objects answer' });
  for (const c of f.crashes)
    out.push({
      kind: 'process-crashed',
      detail: `${c.process} exited (code ${c.code ?? '-'}, signal ${c.signal ?? '-'}) at ${((c.at - t0) / 1000).toFixed(1)}s: ${c.logTail.slice(-3).join(' | ')}`,
    });
  for (const [key, pids] of f.live)
    if (key.startsWith('cgroup:'))
      out.push({
        kind: 'unowned-process',
        detail: `${key} (no agent checkpoint) holds pids ${pids.join(',')}`,
      });

  const ids = new Set<string>([
    ...(f.controller?.keys() ?? []),
    ...(f.store?.keys() ?? []),
    ...f.agent.keys(),
    ...[...f.live.keys()].filter((k) => !k.startsWith('cgroup:')),
    ...f.markers.keys(),
    ...f.batch.tasks.keys(),
  ]);
  const tasks: TaskVerdict[] = [];
  const neverLaunched: string[] = [];
  const vanishedReported: string[] = [];
  for (const id of [...ids].sort()) {
    const known =
      f.controller?.has(id) === true ||
      f.store?.has(id) === true ||
      f.agent.has(id) ||
      f.live.has(id) ||
      f.markers.has(id);
    const b = f.batch.tasks.get(id);
    if (!known && b) {
      if (b.accepted === true && finalStates(b).length > 0) vanishedReported.push(id);
      else if (b.accepted === true)
        out.push({
          kind: 'launch-vanished',
          task: id,
          detail: 'ACCEPT answered OK; no component knows the task, nor told the framework',
        });
      else neverLaunched.push(id);
      if (b.accepted === true) tasks.push({ id });
      continue;
    }
    const state = judgeTask(f, id, out);
    tasks.push({ id, ...(state !== undefined ? { state } : {}) });
    if (b && sourceOf(id) === 'batch')
      judgeBatchDelivery(b, f.controller?.get(id) ?? f.store?.get(id), out);
  }
  out.push(...frameworkViolations(f));
  for (const v of out) if (v.task !== undefined) v.faults = faultsDuring(f, v.task, t0);
  const unacknowledged = [...f.agent.values()]
    .filter((t) => {
      const last = t.updates.findLast((u) => isTerminal(u.state));
      return last !== undefined && !t.acked.has(last.uuid);
    })
    .map((t) => t.taskId);
  return { violations: out, tasks, neverLaunched, vanishedReported, unacknowledged };
}
