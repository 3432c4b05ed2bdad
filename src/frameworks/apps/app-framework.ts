/**
 * The apps framework: Marathon for Mezzo. It keeps every App's declared number of
 * instances running, replaces instances that fail or turn unhealthy (after the restart
 * backoff), scales, rolls a changed spec out under the upgrade strategy, places by
 * Marathon constraints and kills an App's instances when it is deleted. It is a client
 * of the scheduler API like any other framework.
 *
 * Design: a level-based reconciler per App key on a work queue (controller-runtime
 * style). A pass reads the App, plans from the in-memory instance view (pure, see
 * planner.ts), kills what the plan says, leaves the launches as a *demand* that the
 * next offers fill (placement.ts), and writes status when it differs. Status updates and
 * launches only enqueue the key. Task IDs carry app and spec version, so after a restart
 * the view is rebuilt from the Task mirrors and reconciliation before anything launches.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { RecordEvent } from '../../controller/controller.js';
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { TaskStatus__Output } from '../../gen/mezzo/v1/TaskStatus.js';
import type { AgentFacts } from '../../sdk/constraints.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { builtinClient } from '../builtin-client.js';
import { objectKey, type Store, type WatchEvent } from '../../store/types.js';
import { runWorkers, WorkQueue } from '../../kube/workqueue.js';
import type { BuiltinFramework, BuiltinFrameworkOptions } from '../builtin.js';
import { DEFAULT_ROLE } from './app-spec.js';
import { InstanceTracker } from './instances.js';
import { offerRound } from './offer-round.js';
import { AppReconciler, type AppRuntime, type ReadyDemand } from './reconciler.js';
import { agentFacts, mirroredTasks } from './store-helpers.js';

/** The apps framework. */
export class AppFramework implements BuiltinFramework {
  private readonly client: SchedulerClient;
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly recordEvent: RecordEvent | undefined;
  private readonly tracker = new InstanceTracker();
  private readonly runtime = new Map<string, AppRuntime>();
  private readonly agents = new Map<string, AgentFacts>();
  private readonly queue: WorkQueue;
  private readonly reconciler: AppReconciler;
  private unwatch: (() => void) | undefined;
  private workers: Promise<void> | undefined;
  /** Whether the instance view was rebuilt since the latest subscription. */
  private synced = false;
  private rotation = 0;
  /** The role of each App, and the roles subscribed to. */
  private readonly appRoles = new Map<string, string>();
  private roles: string[] = [DEFAULT_ROLE];

  constructor(opts: BuiltinFrameworkOptions) {
    this.store = opts.store;
    this.logger = opts.logger;
    this.clock = opts.clock;
    this.recordEvent = opts.recordEvent;
    this.queue = new WorkQueue(opts.clock, { baseDelayMs: 50, maxDelayMs: 10_000 });
    this.client = builtinClient(
      'apps',
      {
        ...opts,
        // Every round asks about each instance held, so one the controller forgot (or
        // whose end it never told us) comes back as an update and is replaced.
        knownTasks: () =>
          this.tracker.all().map((i) => ({ task_id: i.taskId, agent_id: i.agentId })),
      },
      [DEFAULT_ROLE],
    );
    this.reconciler = new AppReconciler({
      store: opts.store,
      clock: opts.clock,
      tracker: this.tracker,
      runtime: (key) => this.runtimeOf(key),
      agentOf: (agentId) => this.agents.get(agentId),
      kill: (taskId, agentId, grace) => this.kill(taskId, agentId, grace),
      ...(opts.recordEvent ? { recordEvent: opts.recordEvent } : {}),
    });
    this.client.on('subscribed', () => {
      this.synced = false;
      this.resync().catch((err: unknown) => {
        this.warn('rebuilding the instance view failed', err);
      });
    });
    this.client.on('update', (s) => {
      this.onUpdate(s);
    });
    this.client.on('offers', (offers) => {
      this.onOffers(offers).catch((err: unknown) => {
        this.warn('placing instances failed', err);
      });
    });
  }

  /** The framework ID once subscribed. */
  get id(): string {
    return this.client.id;
  }

  /** Subscribes, rebuilds its view of running instances, and starts reconciling Apps. */
  async start(): Promise<void> {
    await this.client.start();
    this.unwatch = this.store.watch('App', (e) => {
      this.trackRole(e);
      this.queue.add(objectKey(e.object));
    });
    this.workers = runWorkers(
      this.queue,
      1,
      async (key) => {
        if (!this.synced) return undefined;
        const result = await this.reconciler.reconcile(key);
        await this.updateInterest();
        return result;
      },
      (key, err) => {
        this.warn(`reconciling app ${key} failed`, err);
      },
    );
  }

  // Offers come per role: subscribe to every role an App runs under (and the default).
  private trackRole(e: WatchEvent): void {
    const key = objectKey(e.object);
    if (e.type === 'DELETED') this.appRoles.delete(key);
    else this.appRoles.set(key, (e.object.spec as { role?: string }).role ?? DEFAULT_ROLE);
    const roles = [...new Set([DEFAULT_ROLE, ...this.appRoles.values()])].sort();
    if (roles.join() === this.roles.join()) return;
    this.roles = roles;
    this.client.updateRoles(roles);
  }

  /** Stops; instances keep running and a later start resubscribes and adopts them. */
  stop(): void {
    this.unwatch?.();
    this.queue.shutDown();
    this.client.close();
    this.workers?.catch(() => undefined);
  }

  private runtimeOf(key: string): AppRuntime {
    let rt = this.runtime.get(key);
    if (!rt) {
      rt = {
        backoff: { failures: 0, lastFailureAt: undefined },
        lastTaskFailure: undefined,
        unplaced: undefined,
        demand: undefined,
        version: undefined,
      };
      this.runtime.set(key, rt);
    }
    return rt;
  }

  private warn(what: string, err: unknown): void {
    this.logger.warn(what, { error: err instanceof Error ? err.message : String(err) });
  }

  private async kill(taskId: string, agentId: string, grace: number): Promise<void> {
    this.tracker.markKilled(taskId, this.clock.now());
    try {
      await this.client.kill(taskId, agentId, grace);
    } catch (err) {
      // Not killed: let the next pass try again.
      const inst = this.tracker.get(taskId);
      if (inst) inst.killRequested = false;
      throw err;
    }
  }

  /**
   * After every (re)subscription: learn agents and this framework's tasks from the
   * mirrors, ask the controller for the state of all of them (implicit reconciliation
   * for what it knows, explicit for what we hold, so forgotten ones come back
   * TASK_UNKNOWN), and only then let the reconciler plan launches.
   */
  private async resync(): Promise<void> {
    for (const [id, facts] of await agentFacts(this.store)) this.agents.set(id, facts);
    const now = this.clock.now();
    for (const t of await mirroredTasks(this.store, this.client.id)) {
      if (!this.tracker.get(t.task_id)) this.tracker.apply(t, now, this.agents.get(t.agent_id));
    }
    await this.client.reconcile([]);
    const held = this.tracker.all().map((i) => ({ task_id: i.taskId, agent_id: i.agentId }));
    if (held.length > 0) await this.client.reconcile(held);
    this.synced = true;
    for (const app of await this.store.list('App')) this.queue.add(objectKey(app));
    await this.updateInterest();
  }

  private onUpdate(s: TaskStatus__Output): void {
    const now = this.clock.now();
    const out = this.tracker.apply(s, now, this.agents.get(s.agent_id));
    if (!out) return;
    if (out.failed) {
      const rt = this.runtimeOf(out.instance.app);
      rt.backoff = { failures: rt.backoff.failures + 1, lastFailureAt: now };
      rt.lastTaskFailure = {
        taskId: s.task_id,
        state: s.state,
        message: [s.reason !== 'REASON_UNSPECIFIED' ? s.reason : '', s.message]
          .filter(Boolean)
          .join(': '),
        at: new Date(now).toISOString(),
      };
      const [namespace, name] = out.instance.app.split('/');
      this.recordEvent?.(
        { kind: 'App', name: name ?? '', namespace: namespace ?? '' },
        'Warning',
        'InstanceFailed',
        `instance ${s.task_id} ended ${s.state}${s.message ? `: ${s.message}` : ''}`,
      );
    }
    this.queue.add(out.instance.app);
  }

  // Offers only while launches wait.
  private async updateInterest(): Promise<void> {
    await this.client.wantOffers(this.synced && this.readyDemands().length > 0);
  }

  private readyDemands(): ReadyDemand[] {
    const now = this.clock.now();
    const out: ReadyDemand[] = [];
    for (const rt of this.runtime.values()) {
      const d = rt.demand;
      if (d && d.count > 0 && d.notBefore <= now) out.push(d);
    }
    return out;
  }

  private knownValues(field: string): string[] {
    const values = new Set<string>();
    for (const a of this.agents.values()) {
      const v = field === 'hostname' ? a.hostname : a.attributes[field];
      if (v !== undefined) values.add(v);
    }
    return [...values];
  }

  private async onOffers(offers: Offer__Output[]): Promise<void> {
    for (const o of offers) {
      this.agents.set(o.agent_id, {
        hostname: o.hostname,
        attributes: Object.fromEntries(o.attributes.map((a) => [a.name, a.text])),
      });
    }
    const ready = this.synced ? this.readyDemands() : [];
    // Rotate which app goes first, so that one app cannot take every offer each round.
    const start = ready.length > 0 ? this.rotation++ % ready.length : 0;
    await offerRound(offers, {
      client: this.client,
      tracker: this.tracker,
      logger: this.logger,
      now: this.clock.now(),
      ready: [...ready.slice(start), ...ready.slice(0, start)],
      runtime: (app) => this.runtimeOf(app),
      knownValues: (f) => this.knownValues(f),
      requeue: (app) => {
        this.queue.add(app);
      },
    });
    await this.updateInterest();
  }
}
