/**
 * The schedules the framework knows, in memory, and every decision about them: which are
 * valid (spec and dependency graph), what is due now (the planner), what a finished task
 * means (success counts, retries, owner notification), which runs wait for an offer.
 * No I/O and no timers: the framework feeds it watch events, task updates and the time,
 * then writes the status documents it hands back and carries out kills and notices.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StoredObject } from '../../store/types.js';
import { buildPartialGraph, type GraphNode } from './graph.js';
import {
  finishRun,
  nextWakeup,
  plan,
  type RunRecord,
  type ScheduleAction,
  type ScheduleConfig,
} from './planner.js';
import { readRunNowArguments } from './run-arguments.js';
import { RUN_NOW_ANNOTATION } from './runs.js';
import {
  fallbackConfig,
  scheduleConfig,
  scheduleIdentity,
  type ScheduleOwner,
  type ScheduleTask,
} from './spec.js';
import {
  fromStatus,
  readConditions,
  taskIdOf,
  toStatus,
  validCondition,
  type Condition,
  type PersistedSchedule,
} from './status.js';
import type { FailureNotice } from './notify.js';

/** A schedule as the framework tracks it. */
export interface Tracked {
  name: string;
  namespace: string;
  obj: StoredObject;
  /** The spec as stored: unchecked, read only through {@link scheduleConfig}. */
  spec: unknown;
  /** From the last spec that could be read (runs in progress end by its rules). */
  config?: ScheduleConfig;
  task?: ScheduleTask;
  owner: ScheduleOwner;
  problem?: { reason: string; message: string };
  persisted: PersistedSchedule;
  /** Runs whose task's fate is unknown since a (re)subscription: run ID → unknown answers. */
  unconfirmed: Map<string, number>;
  /** Runs killed because a newer run replaced them (not retried). */
  replaced: Set<string>;
  /** The status last written or read, for "write only on a difference" (compared as a value). */
  written: unknown;
  /**
   * The conditions as this instance last made them (read from status at first sight). A
   * transition time comes from here, not from the object: another writer's (a second
   * controller on the same cluster) then never reads as a change, where taking it from the
   * object made two instances rewrite each other's times without end.
   */
  conditions: Condition[];
  /** True while a status holding a newly planned run is not yet written (not launchable). */
  unsaved: boolean;
}

/** What the book asks the framework to do beyond writing status. */
export interface BookSink {
  kill(taskId: string): void;
  event(
    target: { name: string; namespace: string },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void;
  failure(notice: FailureNotice, webhook: string | undefined): void;
}

const REPLACED = 'replaced by a newer run';

// Events name the object only (a Tracked carries far more than an event should).
function targetOf(t: Tracked): { name: string; namespace: string } {
  return { name: t.name, namespace: t.namespace };
}

/** The in-memory schedules and their decisions. */
export class ScheduleBook {
  private readonly byKey = new Map<string, Tracked>();

  constructor(private readonly sink: BookSink) {}

  /** Every tracked schedule. */
  all(): Tracked[] {
    return [...this.byKey.values()];
  }

  /**
   * Adds or refreshes a schedule from its object. A schedule seen for the first time is
   * rebuilt from its status, its runs in progress unconfirmed until reconciliation
   * answers. Returns whether anything that planning reads changed.
   */
  upsert(obj: StoredObject): { fresh: boolean; changed: boolean } {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const cur = this.byKey.get(key);
    const spec: unknown = obj.spec;
    if (!cur) {
      const persisted = fromStatus(obj.status);
      this.byKey.set(key, {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace ?? 'default',
        obj,
        spec,
        owner: {},
        persisted,
        unconfirmed: new Map(persisted.state.running.map((r) => [r.id, 0])),
        replaced: new Set(),
        written: obj.status ?? {},
        conditions: readConditions(obj.status),
        unsaved: false,
      });
      return { fresh: true, changed: true };
    }
    const changed =
      JSON.stringify(cur.spec) !== JSON.stringify(spec) ||
      cur.obj.metadata.annotations?.[RUN_NOW_ANNOTATION] !==
        obj.metadata.annotations?.[RUN_NOW_ANNOTATION];
    cur.obj = obj;
    cur.spec = spec;
    return { fresh: false, changed };
  }

  /** Forgets a deleted schedule; returns the task IDs of its runs that may still run. */
  remove(namespace: string, name: string): string[] {
    const t = this.byKey.get(`${namespace}/${name}`);
    if (!t) return [];
    this.byKey.delete(`${namespace}/${name}`);
    return t.persisted.state.running.map((r) => taskIdOf(namespace, r.id));
  }

  /** The schedule and run a task belongs to. */
  findTask(taskId: string): { t: Tracked; run: RunRecord } | undefined {
    for (const t of this.byKey.values()) {
      for (const run of t.persisted.state.running) {
        if (taskIdOf(t.namespace, run.id) === taskId) return { t, run };
      }
    }
    return undefined;
  }

  /** Runs recorded in status and confirmed unlaunched: they wait for an offer. */
  launchable(): { t: Tracked; run: RunRecord }[] {
    const out: { t: Tracked; run: RunRecord }[] = [];
    for (const t of this.byKey.values()) {
      // Without a task ever read there is nothing to launch (the spec never was valid).
      if (t.unsaved || !t.task) continue;
      for (const run of t.persisted.state.running) {
        if (t.persisted.phases.get(run.id) === 'Launching' && !t.unconfirmed.has(run.id))
          out.push({ t, run });
      }
    }
    return out.sort((a, b) => a.run.startedAt - b.run.startedAt);
  }

  /** The earliest time planning has something to do. */
  wakeup(): number | undefined {
    const times = this.all()
      .filter((t) => t.config !== undefined && t.problem === undefined)
      .map((t) => nextWakeup(t.persisted.state))
      .filter((x): x is number => x !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /**
   * Validates every schedule and plans the valid ones at `now`, parents first. Each is
   * read and planned on its own: a bad spec, or a failure planning one schedule, is a
   * condition on that schedule, and every other one is planned as usual.
   */
  planAll(now: number): void {
    const namespaces = new Map<string, Tracked[]>();
    for (const t of this.byKey.values())
      namespaces.set(t.namespace, [...(namespaces.get(t.namespace) ?? []), t]);
    for (const group of namespaces.values()) {
      const byName = new Map(group.map((t) => [t.name, t]));
      const specProblems = new Map<string, string>();
      const nodes: GraphNode[] = [];
      for (const t of group) {
        const parsed = scheduleConfig(t.name, t.spec);
        if (!parsed.ok) {
          specProblems.set(t.name, parsed.message);
          continue;
        }
        // The last valid settings are kept: runs in progress still end by their rules.
        t.config = parsed.config;
        t.task = parsed.task;
        t.owner = parsed.owner;
        nodes.push({
          name: t.name,
          parents: parsed.config.parents,
          scheduled: parsed.config.recurrence !== undefined,
        });
      }
      const { graph, invalid } = buildPartialGraph(nodes, specProblems);
      for (const t of group) {
        const specProblem = specProblems.get(t.name);
        const graphProblem = invalid.get(t.name);
        this.setProblem(
          t,
          specProblem !== undefined
            ? { reason: 'InvalidSpec', message: specProblem }
            : graphProblem !== undefined
              ? {
                  reason: graphProblem.startsWith('dependency cycle')
                    ? 'DependencyCycle'
                    : 'InvalidDependencies',
                  message: graphProblem,
                }
              : undefined,
        );
      }
      const ctx = {
        lastSuccessOf: (name: string) => byName.get(name)?.persisted.state.lastSuccess,
      };
      for (const name of graph.topological()) {
        const t = byName.get(name);
        if (!t?.config || t.problem) continue;
        try {
          this.planOne(t, t.config, now, ctx);
        } catch (err) {
          // A broken invariant in one schedule's plan stops that schedule only.
          this.setProblem(t, {
            reason: 'InternalError',
            message: `planning failed: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }
    }
  }

  private setProblem(t: Tracked, problem: { reason: string; message: string } | undefined): void {
    if (problem && problem.message !== t.problem?.message) {
      this.sink.event(
        targetOf(t),
        'Warning',
        problem.reason,
        `schedule cannot run: ${problem.message}`,
      );
    }
    t.problem = problem;
  }

  private planOne(
    t: Tracked,
    cfg: ScheduleConfig,
    now: number,
    ctx: { lastSuccessOf(name: string): number | undefined },
  ): void {
    const p = t.persisted;
    const ann = t.obj.metadata.annotations?.[RUN_NOW_ANNOTATION];
    let state = p.state;
    if (ann !== undefined && ann !== p.handledRunNow) {
      // Served once per distinct value; recorded in the same status write as the run.
      p.handledRunNow = ann;
      const args = readRunNowArguments(t.obj.metadata.annotations, ann);
      if (args.ok) {
        state = { ...state, manualRequest: now, manualArguments: args.arguments };
      } else {
        // Running the plain command instead would run what nobody asked for.
        this.sink.event(
          targetOf(t),
          'Warning',
          'InvalidRunArguments',
          `run-now ${ann} not served: ${args.message}`,
        );
      }
    }
    const identity = scheduleIdentity(t.spec);
    if (p.observedSchedule !== identity) {
      // A new calendar: the persisted nextRun belonged to the old one.
      state = { ...state, nextRun: undefined };
      p.observedSchedule = identity;
    }
    const r = plan(cfg, state, now, ctx);
    p.state = r.state;
    this.apply(t, r.actions, now);
  }

  private apply(t: Tracked, actions: ScheduleAction[], now: number): void {
    for (const a of actions) {
      switch (a.type) {
        case 'launch':
          t.persisted.phases.set(a.run.id, 'Launching');
          t.unsaved = true;
          break;
        case 'kill':
          t.replaced.add(a.runId);
          if (t.persisted.phases.get(a.runId) === 'Launched')
            this.sink.kill(taskIdOf(t.namespace, a.runId));
          else this.finish(t, a.runId, 'Killed', REPLACED, now);
          break;
        case 'missed':
          this.sink.event(
            targetOf(t),
            'Warning',
            'RunMissed',
            a.until !== undefined
              ? `runs due from ${new Date(a.missed.scheduledTime).toISOString()} to ${new Date(a.until).toISOString()} skipped: ${a.missed.reason}`
              : `run due at ${new Date(a.missed.scheduledTime).toISOString()} skipped: ${a.missed.reason}`,
          );
          break;
        case 'notifyFailure':
          this.sink.failure(
            {
              schedule: t.name,
              namespace: t.namespace,
              ...(t.owner.name ? { owner: t.owner.name } : {}),
              runId: a.run.id,
              taskId: taskIdOf(t.namespace, a.run.id),
              attempts: a.attempts,
              result: a.run.result ?? 'Failed',
              message: a.run.message ?? '',
              scheduledTime: new Date(a.run.scheduledTime).toISOString(),
              finishedAt: new Date(a.run.finishedAt ?? 0).toISOString(),
            },
            t.owner.webhook,
          );
          break;
      }
    }
  }

  /** Records the end of a run (a terminal task state); a repeated update is a no-op. */
  finish(
    t: Tracked,
    runId: string,
    result: 'Succeeded' | 'Failed' | 'Killed',
    message: string,
    now: number,
  ): void {
    // An invalid schedule still records how its runs end, with its last valid settings.
    const cfg = t.config ?? fallbackConfig(t.name);
    const replaced = t.replaced.delete(runId);
    const r = finishRun(cfg, t.persisted.state, runId, result, now, replaced ? REPLACED : message);
    t.persisted.state = r.state;
    t.persisted.phases.delete(runId);
    t.unconfirmed.delete(runId);
    if (result !== 'Succeeded' && !replaced) {
      this.sink.event(
        t,
        'Warning',
        'RunFailed',
        `run ${runId} ${result.toLowerCase()}: ${message}`,
      );
    }
    this.apply(t, r.actions, now);
  }

  /** Status documents that differ from what was last written. */
  changedStatuses(now: number): { t: Tracked; status: Record<string, unknown> }[] {
    const out: { t: Tracked; status: Record<string, unknown> }[] = [];
    for (const t of this.byKey.values()) {
      t.conditions = validCondition(t.conditions, t.problem, t.obj.metadata.generation, now);
      const status = toStatus(t.namespace, t.persisted, t.conditions, t.obj.metadata.generation);
      if (!isDeepStrictEqual(status, t.written)) out.push({ t, status });
      else t.unsaved = false;
    }
    return out;
  }
}
