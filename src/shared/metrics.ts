/**
 * Prometheus metrics on prom-client. Each process owns one {@link MetricsRegistry}
 * (never prom-client's global one) and passes it to components, so tests and several
 * components in one process do not collide. Names follow Prometheus conventions:
 * `mezzo_<component>_<what>_total` for counters, base units (`_seconds`, `_bytes`).
 */
import client from 'prom-client';

/** A prom-client registry with helpers that make re-registration idempotent. */
export class MetricsRegistry {
  /** The underlying prom-client registry, for exposition. */
  readonly registry: client.Registry;

  constructor(options: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}) {
    this.registry = new client.Registry();
    if (options.labels) this.registry.setDefaultLabels(options.labels);
    if (options.defaultMetrics) {
      client.collectDefaultMetrics({ register: this.registry, prefix: 'mezzo_process_' });
    }
  }

  /** A counter, created on first use. */
  counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): client.Counter<L> {
    return this.getOrCreate(
      name,
      () => new client.Counter<L>({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  /** A gauge, created on first use. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): client.Gauge<L> {
    return this.getOrCreate(
      name,
      () => new client.Gauge<L>({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  /** A histogram, created on first use; buckets in the metric's base unit. */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = client.exponentialBuckets(0.0005, 2, 16),
  ): client.Histogram<L> {
    return this.getOrCreate(
      name,
      () =>
        new client.Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] }),
    );
  }

  /** The text exposition format, for a `/metrics` endpoint. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private getOrCreate<M extends client.Metric>(name: string, make: () => M): M {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as M;
    return make();
  }
}
