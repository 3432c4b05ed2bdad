/**
 * An informer that keeps itself alive. `@kubernetes/client-node`'s ListWatch caches
 * objects and resumes watches from the last resource version, but after any error (a
 * dropped connection, an apiserver restart, a refused list) it simply stops. This wrapper
 * restarts it with backoff, forever, until stopped — resuming from the last resource
 * version, or relisting (with deletes for objects that vanished meanwhile) when that
 * version is gone.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Backoff } from './backoff.js';

/** The minimum an object needs for the cache. */
export type KubeObject = k8s.KubernetesObject;

/** Handlers for changes; `update` gets the new and the previous object when known. */
export interface InformerHandlers<T extends KubeObject> {
  add?: (obj: T) => void;
  update?: (obj: T) => void;
  delete?: (obj: T) => void;
}

/** Options for {@link ResilientInformer}. */
export interface InformerOptions<T extends KubeObject> {
  kubeConfig: k8s.KubeConfig;
  /** Watch path, e.g. `/apis/mezzo.dev/v1alpha1/tasks`. */
  path: string;
  /** Lists the objects (the same collection as `path`). */
  list: () => Promise<k8s.KubernetesListObject<T>>;
  clock: Clock;
  logger: Logger;
  labelSelector?: string;
  /** Restart backoff; default 200 ms doubling to 30 s. */
  backoff?: Backoff;
  /** Called on every error, for metrics. */
  onError?: (err: unknown) => void;
}

/** A cached, self-restarting view of one collection. */
export class ResilientInformer<T extends KubeObject> {
  private readonly lw: k8s.ListWatch<T>;
  private readonly backoff: Backoff;
  private restartTimer: Timer | undefined;
  private stopped = true;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private restartsTotal = 0;

  constructor(private readonly opts: InformerOptions<T>) {
    this.backoff = opts.backoff ?? new Backoff({ initialMs: 200, maxMs: 30_000 });
    const watch = new k8s.Watch(opts.kubeConfig);
    // autoStart=false: start() below owns the lifecycle.
    this.lw = new k8s.ListWatch<T>(opts.path, watch, opts.list, false, opts.labelSelector);
    this.lw.on(k8s.ERROR, (err: unknown) => {
      this.scheduleRestart(err);
    });
    this.lw.on(k8s.CONNECT, () => {
      // CONNECT fires before the (re)list; the list succeeding marks sync below.
    });
    const markHealthy = () => {
      this.backoff.reset();
    };
    this.lw.on(k8s.ADD, markHealthy);
    this.lw.on(k8s.UPDATE, markHealthy);
    this.lw.on(k8s.DELETE, markHealthy);
  }

  /** Registers change handlers (before {@link start} to see the initial list as adds). */
  on(handlers: InformerHandlers<T>): void {
    if (handlers.add) this.lw.on(k8s.ADD, handlers.add);
    if (handlers.update) this.lw.on(k8s.UPDATE, handlers.update);
    if (handlers.delete) this.lw.on(k8s.DELETE, handlers.delete);
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    this.stopped = false;
    const synced = this.waitForSync();
    this.run();
    await synced;
  }

  /** Stops watching; the cache keeps its last contents. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    await this.lw.stop();
  }

  /** Resolves once the cache holds a complete list. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** True once a list has completed. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Times the informer restarted after an error. */
  get restarts(): number {
    return this.restartsTotal;
  }

  /** Every cached object. */
  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  /** One cached object. */
  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  /** The resource version the watch resumes from. */
  get resourceVersion(): string {
    return this.lw.latestResourceVersion();
  }

  private run(): void {
    this.lw.start().then(
      () => {
        // start() resolves once the list is cached and the watch request is open.
        if (!this.synced && this.lw.latestResourceVersion() !== '') {
          this.synced = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
      },
      (err: unknown) => {
        this.scheduleRestart(err);
      },
    );
  }

  private scheduleRestart(err: unknown): void {
    this.opts.onError?.(err);
    if (this.stopped || this.restartTimer) return;
    const delay = this.backoff.next();
    this.opts.logger.warn('informer failed; restarting', {
      path: this.opts.path,
      error: err instanceof Error ? err.message : String(err),
      retryInMs: Math.round(delay),
      attempt: this.backoff.attempts,
    });
    this.restartTimer = this.opts.clock.setTimer(delay, () => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restartsTotal++;
      this.run();
    });
  }
}
