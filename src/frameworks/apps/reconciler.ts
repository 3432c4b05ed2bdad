/**
 * One reconcile pass of one App (level-based): read the App, plan from the instance
 * view, kill what the plan says, leave the launches as a demand for the next offers,
 * and write status when it differs from what is stored. Deletion kills every instance
 * and lets the App go (removes the finalizer) once none is left. A spec the framework
 * cannot serve (read as hostile input) launches and kills nothing: its status says which
 * field is wrong, and every other App goes on.
 */
import { sameJson } from '../../shared/same-json.js';
import type { Clock } from '../../shared/clock.js';
import type { RecordEvent } from '../../controller/controller.js';
import type { AgentFacts } from '../../sdk/constraints.js';
import type { Store } from '../../store/types.js';
import {
  backoffPolicy,
  DEFAULT_ROLE,
  desiredInstances,
  instanceNeeds,
  readAppSpec,
  specVersion,
  unreachableStrategy,
  upgradeStrategy,
  type AppSpec,
} from './app-spec.js';
import type { InstanceTracker } from './instances.js';
import type { Demand, Unplaced } from './placement.js';
import {
  backoffShouldReset,
  instanceCounts,
  planApp,
  RESET_BACKOFF_AFTER_MS,
  type BackoffState,
} from './planner.js';
import { appStatus, invalidStatus, type AppStatus, type TaskFailure } from './status.js';
import { APP_FINALIZER, setFinalizer } from './store-helpers.js';

/** Launches one app waits for, with what is needed to build them. */
export interface ReadyDemand extends Demand {
  notBefore: number;
  ref: { namespace: string; name: string };
  version: string;
  spec: AppSpec;
}

/** What the framework remembers of an app between passes (lost on restart, by design). */
export interface AppRuntime {
  backoff: BackoffState;
  lastTaskFailure: TaskFailure | undefined;
  /** From the latest offer round that left instances over. */
  unplaced: Unplaced | undefined;
  demand: ReadyDemand | undefined;
  /** The version the backoff belongs to: a spec change starts it over, as in Marathon. */
  version: string | undefined;
}

/** Collaborators of {@link AppReconciler}. */
export interface AppReconcilerOptions {
  store: Store;
  clock: Clock;
  tracker: InstanceTracker;
  runtime: (key: string) => AppRuntime;
  agentOf: (agentId: string) => AgentFacts | undefined;
  kill: (taskId: string, agentId: string, graceSeconds: number) => Promise<void>;
  recordEvent?: RecordEvent;
}

/** While an app has not converged, passes come this often even without events. */
const RESYNC_MS = 2_000;

/** Reconciles Apps. */
export class AppReconciler {
  constructor(private readonly o: AppReconcilerOptions) {}

  /** One pass for `namespace/name`; resolves when to come back, if at all. */
  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [namespace = '', name = ''] = key.split('/');
    const { store, tracker, clock } = this.o;
    const obj = await store.get('App', name, namespace);
    const now = clock.now();
    const rt = this.o.runtime(key);
    if (!obj) {
      // Gone without our finalizer (e.g. removed by force): kill what is left.
      for (const i of tracker.of(key)) {
        if (!i.killRequested) await this.o.kill(i.taskId, i.agentId, 0);
      }
      rt.demand = undefined;
      return undefined;
    }
    const read = readAppSpec(obj.spec);
    const deleting = obj.metadata.deletionTimestamp !== undefined;
    if (!deleting) await setFinalizer(store, name, namespace, true);
    if (!read.ok && !deleting) {
      rt.demand = undefined;
      rt.unplaced = undefined;
      const prev = obj.status as Partial<AppStatus> | undefined;
      const counts = instanceCounts(tracker.of(key), false, now);
      const status = invalidStatus(
        prev,
        counts,
        read.problem.message,
        obj.metadata.generation ?? 1,
        now,
      );
      if (!sameJson(prev, status)) {
        await store.updateStatus('App', name, namespace, status);
        this.o.recordEvent?.(
          { kind: 'App', name, namespace, ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}) },
          'Warning',
          'InvalidSpec',
          read.problem.message,
        );
      }
      return undefined;
    }
    // Being deleted with a spec it cannot read: kill with the defaults.
    const spec: AppSpec = read.ok ? read.value : {};
    // The version of the stored spec, as instances were labelled with it.
    const version = specVersion(obj.spec);
    const hasChecks = (spec.healthChecks?.length ?? 0) > 0;
    const live = tracker.of(key);
    if (rt.version !== version || backoffShouldReset(live, version, hasChecks, now)) {
      rt.backoff = { failures: 0, lastFailureAt: undefined };
      rt.version = version;
    }
    const desired = desiredInstances(spec);
    const grace = spec.killGracePeriodSeconds ?? 3;
    const plan = planApp({
      instances: desired,
      version,
      strategy: upgradeStrategy(spec),
      hasHealthChecks: hasChecks,
      deleting,
      killGraceSeconds: grace,
      live,
      backoff: rt.backoff,
      policy: backoffPolicy(spec),
      unreachable: unreachableStrategy(spec),
      now,
    });
    for (const id of plan.kill) {
      const inst = tracker.get(id);
      if (inst) await this.o.kill(id, inst.agentId, grace);
    }
    if (deleting) {
      rt.demand = undefined;
      if (tracker.of(key).length === 0) {
        if ((obj.metadata.finalizers ?? []).includes(APP_FINALIZER)) {
          await setFinalizer(store, name, namespace, false);
        }
        return undefined;
      }
      return { requeueAfterMs: RESYNC_MS };
    }

    if (plan.launch > 0) {
      const placed = live
        .filter((i) => !i.killRequested)
        .map((i) => i.agent ?? this.o.agentOf(i.agentId))
        .filter((a): a is AgentFacts => a !== undefined);
      rt.demand = {
        app: key,
        count: plan.launch,
        needs: instanceNeeds(spec),
        role: spec.role ?? DEFAULT_ROLE,
        placed,
        notBefore: plan.notBefore,
        ref: { namespace, name },
        version,
        spec,
      };
    } else {
      rt.demand = undefined;
      rt.unplaced = undefined;
    }
    const delayedUntil = plan.launch > 0 && plan.notBefore > now ? plan.notBefore : undefined;
    const prev = obj.status as Partial<AppStatus> | undefined;
    const status = appStatus({
      prev,
      plan,
      desired,
      version,
      generation: obj.metadata.generation ?? 1,
      unplaced: rt.unplaced,
      lastTaskFailure: rt.lastTaskFailure ?? prev?.lastTaskFailure,
      delayedUntil,
      failures: rt.backoff.failures,
      now,
    });
    if (!sameJson(prev, status)) {
      await store.updateStatus('App', name, namespace, status);
      this.announce(obj.metadata.uid, namespace, name, prev, status);
    }
    if (delayedUntil !== undefined) return { requeueAfterMs: delayedUntil - now };
    if (!plan.converged) return { requeueAfterMs: RESYNC_MS };
    // Without health checks the backoff resets after a quiet run: look again then.
    if (rt.backoff.failures > 0) return { requeueAfterMs: RESET_BACKOFF_AFTER_MS };
    return undefined;
  }

  // Events for the transitions a user watches for.
  private announce(
    uid: string | undefined,
    namespace: string,
    name: string,
    prev: Partial<AppStatus> | undefined,
    next: AppStatus,
  ): void {
    const record = this.o.recordEvent;
    if (!record) return;
    const target = { kind: 'App' as const, name, namespace, ...(uid ? { uid } : {}) };
    if (next.deployment && next.deployment.id !== prev?.deployment?.id) {
      record(target, 'Normal', 'DeploymentStarted', `rolling to spec ${next.deployment.toVersion}`);
    }
    if (!next.deployment && prev?.deployment) {
      record(
        target,
        'Normal',
        'DeploymentFinished',
        `all instances run spec ${next.version ?? ''}`,
      );
    }
    if (next.unplaced > 0 && next.unplacedReason !== prev?.unplacedReason) {
      record(
        target,
        'Warning',
        'Unplaceable',
        `${next.unplaced} instances cannot be placed: ${next.unplacedReason ?? ''}`,
      );
    }
  }
}
