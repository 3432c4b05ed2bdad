/**
 * Kubernetes Events for user-visible changes (a task failed, an agent was lost, offers
 * declined for too long). Like client-go's recorder it aggregates: the same reason and
 * message on the same object within the window bumps `count` and `lastTimestamp` on the
 * existing Event instead of creating a new one, so a flapping condition cannot flood
 * etcd. Recording never throws: events are best effort and a failure is only logged.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/** The object an event is about. */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  /** Empty for cluster-scoped objects; their events go to `clusterEventNamespace`. */
  namespace?: string;
  uid?: string;
}

/** Settings for {@link EventRecorder}. */
export interface EventRecorderOptions {
  kubeConfig: k8s.KubeConfig;
  /** Reporting component, e.g. `mezzo-controller`. */
  component: string;
  /** Reporting instance, e.g. the pod name. */
  instance: string;
  clock: Clock;
  logger: Logger;
  /** Namespace for events about cluster-scoped objects. Default `default`. */
  clusterEventNamespace?: string;
  /** Window in which identical events are aggregated. Default 10 minutes. */
  aggregateWindowMs?: number;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  lastMs: number;
}

/** Writes core/v1 Events with aggregation. */
export class EventRecorder {
  private readonly api: k8s.CoreV1Api;
  private readonly recent = new Map<string, Recorded>();
  private seq = 0;

  constructor(private readonly opts: EventRecorderOptions) {
    this.api = opts.kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  /** Records a Normal event. */
  normal(target: EventTarget, reason: string, message: string): Promise<void> {
    return this.record(target, 'Normal', reason, message);
  }

  /** Records a Warning event. */
  warning(target: EventTarget, reason: string, message: string): Promise<void> {
    return this.record(target, 'Warning', reason, message);
  }

  /** Records an event; resolves when written (or when writing failed and was logged). */
  async record(
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = this.opts.clock.now();
    const namespace = target.namespace ?? this.opts.clusterEventNamespace ?? 'default';
    const key = [target.kind, namespace, target.name, target.uid ?? '', type, reason, message].join(
      '\u0000',
    );
    const window = this.opts.aggregateWindowMs ?? 600_000;
    const prior = this.recent.get(key);
    try {
      if (prior && now - prior.lastMs < window) {
        prior.count++;
        prior.lastMs = now;
        await this.api.patchNamespacedEvent(
          {
            name: prior.name,
            namespace: prior.namespace,
            body: { count: prior.count, lastTimestamp: new Date(now) },
          },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        return;
      }
      const name = `${target.name}.${now.toString(16)}${(this.seq++).toString(16)}`.slice(0, 253);
      await this.api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.name,
            namespace: target.namespace,
            uid: target.uid,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          count: 1,
          firstTimestamp: new Date(now),
          lastTimestamp: new Date(now),
          source: { component: this.opts.component },
          reportingComponent: this.opts.component,
          reportingInstance: this.opts.instance,
        },
      });
      this.recent.set(key, { name, namespace, count: 1, lastMs: now });
      this.prune(now, window);
    } catch (err) {
      this.opts.logger.warn('could not record event', {
        reason,
        object: `${target.kind}/${target.name}`,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private prune(now: number, window: number): void {
    if (this.recent.size < 4096) return;
    for (const [k, v] of this.recent) if (now - v.lastMs >= window) this.recent.delete(k);
  }
}
