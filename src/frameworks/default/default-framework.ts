/**
 * The default framework: a built-in scheduler, a client of the same gRPC API as any
 * other framework, that places Task objects which name no other framework. It honours
 * each task's resources, ports and attribute constraints, spreads tasks over agents (one
 * per agent per round of offers) or bin-packs them, and restarts nothing: a task that
 * ends stays ended. It asks for offers only while tasks are waiting.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logger.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { builtinClient } from '../builtin-client.js';
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { Operation } from '../../gen/mezzo/v1/Operation.js';
import { objectKey, type Store, type StoredObject } from '../../store/types.js';
import { OfferMatcher } from '../../sdk/offers.js';
import { launch } from '../../sdk/tasks.js';
import { taskInfo, taskNeeds, type TaskSpec } from './task-spec.js';
import { TASK_OBJECT_LABEL } from '../../controller/controller.js';
import { isTerminal } from '../../controller/records.js';
import { ConflictError } from '../../shared/errors.js';
import type { TaskState__Output as TaskState } from '../../gen/mezzo/v1/TaskState.js';

/** Finalizer that holds a Task object's deletion until its task is killed. */
export const TASK_FINALIZER = 'mezzo.dev/kill-task';

/** Settings for {@link DefaultFramework}. */
export interface DefaultFrameworkOptions {
  address: string;
  store: Store;
  logger: Logger;
  policy?: 'Spread' | 'BinPack';
  role?: string;
  /** Framework ID to resubscribe with (kept in the store by callers across restarts). */
  frameworkId?: string;
}

/** The default framework. */
export class DefaultFramework {
  private readonly client: SchedulerClient;
  private readonly pending = new Map<string, StoredObject>();
  private readonly launching = new Set<string>();
  private unwatch: (() => void) | undefined;
  /** Agent of each of our active tasks, for spreading. */
  private readonly agentOf = new Map<string, string>();

  constructor(private readonly opts: DefaultFrameworkOptions) {
    this.client = builtinClient('default', opts, [opts.role ?? 'default']);
    this.client.on('update', (status) => {
      if (isTerminal(status.state)) this.agentOf.delete(status.task_id);
    });
    this.client.on('offers', (offers) => {
      this.onOffers(offers).catch((err: unknown) => {
        opts.logger.warn('placing tasks failed', {
          error: err instanceof Error ? err.message : String(err),
        });
      });
    });
  }

  /** The framework ID once subscribed. */
  get id(): string {
    return this.client.id;
  }

  /** Subscribes and starts watching Task objects. */
  async start(): Promise<void> {
    await this.client.start();
    this.unwatch = this.opts.store.watch('Task', (e) => {
      this.onTask(e.object, e.type === 'DELETED');
    });
    await this.updateInterest();
  }

  /** Stops (tasks keep running; the framework can resubscribe with its ID). */
  stop(): void {
    this.unwatch?.();
    this.client.close();
  }

  private ours(obj: StoredObject): boolean {
    const fw = (obj.spec as unknown as TaskSpec).framework;
    return !fw || fw === 'default';
  }

  private onTask(obj: StoredObject, deleted: boolean): void {
    const key = objectKey(obj);
    const state = (obj.status as { state?: string } | undefined)?.state;
    if (!deleted && obj.metadata.deletionTimestamp && this.ours(obj)) {
      this.pending.delete(key);
      this.finishDeletion(obj).catch((err: unknown) => {
        this.opts.logger.warn('could not finish a task deletion', {
          task: key,
          error: String(err),
        });
      });
      return;
    }
    if (deleted || !this.ours(obj) || state) {
      this.pending.delete(key);
      if (state) this.launching.delete(key);
    } else if (!this.launching.has(key)) {
      this.pending.set(key, obj);
    }
    this.updateInterest().catch(() => undefined);
  }

  /**
   * A deleted Task object whose task still runs: kill it, and let the object go (remove
   * the finalizer) once the task is terminal or was never launched. Level-based: called
   * again on every change of the object until it is gone.
   */
  private async finishDeletion(obj: StoredObject): Promise<void> {
    const status = obj.status as { state?: string; taskId?: string } | undefined;
    const done =
      !status?.taskId || (status.state !== undefined && isTerminal(status.state as TaskState));
    if (!done && status.taskId) {
      await this.client.kill(status.taskId);
      return;
    }
    if (!(obj.metadata.finalizers ?? []).includes(TASK_FINALIZER)) return;
    const cur = await this.opts.store.get('Task', obj.metadata.name, obj.metadata.namespace);
    if (!cur) return;
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== TASK_FINALIZER);
    await this.opts.store.update(cur);
  }

  /** Adds the finalizer that makes a delete wait for the task to be killed. */
  private async addFinalizer(obj: StoredObject): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const cur = await this.opts.store.get('Task', obj.metadata.name, obj.metadata.namespace);
      if (!cur || (cur.metadata.finalizers ?? []).includes(TASK_FINALIZER)) return;
      cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), TASK_FINALIZER];
      try {
        await this.opts.store.update(cur);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }

  // Offers only while something waits.
  private async updateInterest(): Promise<void> {
    await this.client.wantOffers(this.pending.size > 0);
  }

  private async onOffers(offers: Offer__Output[]): Promise<void> {
    const waiting = [...this.pending.values()].sort((a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
    );
    const placedOn = new Map<string, number>();
    const load = (agentId: string) => {
      let n = placedOn.get(agentId) ?? 0;
      for (const a of this.agentOf.values()) if (a === agentId) n++;
      return n;
    };
    // Spread: least-loaded agents first, and only those at the minimum load this round.
    const minLoad = Math.min(...offers.map((o) => load(o.agent_id)));
    const ordered =
      this.opts.policy === 'BinPack'
        ? offers
        : [...offers].sort((a, b) => load(a.agent_id) - load(b.agent_id));
    for (const offer of ordered) {
      const matcher = new OfferMatcher(offer);
      const ops: Operation[] = [];
      const launchedObjs: StoredObject[] = [];
      for (const obj of waiting) {
        const key = objectKey(obj);
        if (this.launching.has(key)) continue;
        if (this.opts.policy !== 'BinPack' && load(offer.agent_id) > minLoad) break;
        const fit = matcher.take(taskNeeds(obj.spec as unknown as TaskSpec));
        if (!fit.ok) continue;
        const id = `${obj.metadata.namespace ?? 'default'}.${obj.metadata.name}.${randomUUID().slice(0, 8)}`;
        const info = taskInfo(obj, id, offer.agent_id, fit);
        info.labels = { ...info.labels, [TASK_OBJECT_LABEL]: key };
        ops.push(launch(info));
        launchedObjs.push(obj);
        this.launching.add(key);
        this.pending.delete(key);
        this.agentOf.set(id, offer.agent_id);
        placedOn.set(offer.agent_id, (placedOn.get(offer.agent_id) ?? 0) + 1);
      }
      if (ops.length > 0) {
        await Promise.all(launchedObjs.map((o) => this.addFinalizer(o)));
        await this.client.accept([offer.id], ops, 1);
        this.opts.logger.info('launched tasks', { agent: offer.hostname, tasks: ops.length });
      } else {
        await this.client.decline([offer.id], this.pending.size > 0 ? 1 : 5);
      }
    }
    if (placedOn.size > 0 && this.pending.size > 0) await this.client.revive(); // next round now
    await this.updateInterest();
  }
}
