/**
 * The allocator's Prometheus metrics, registered in a {@link MetricsRegistry} the owner
 * passes in (the allocator imports no metrics library itself: it stays a pure library).
 */
import type { MetricsRegistry } from '../shared/metrics.js';
import type { PassOffers } from './pass.js';
import type { AllocatorState } from './state.js';

/** Allocator metrics; every method is a no-op without a registry. */
export class AllocatorMetrics {
  private readonly runSeconds;
  private readonly offers;
  private readonly roleShare;

  constructor(registry: MetricsRegistry | undefined) {
    this.runSeconds = registry?.histogram(
      'mezzo_allocator_allocation_run_seconds',
      'Duration of one allocation pass (full or incremental)',
      ['kind'],
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    this.offers = registry?.counter(
      'mezzo_allocator_offers_total',
      'Offers made to frameworks, by the kind of pass that made them',
      ['kind'],
    );
    this.roleShare = registry?.gauge(
      'mezzo_allocator_role_dominant_share',
      'Dominant share of each role (allocated / total of its dominant resource)',
      ['role'],
    );
  }

  /** Records a pass: its run time, the offers made, the shares of roles it changed. */
  afterPass(
    kind: 'full' | 'incremental',
    seconds: number,
    out: PassOffers,
    state: AllocatorState,
  ): void {
    let count = 0;
    for (const offers of out.values()) count += offers.size;
    this.observeRun(kind, seconds);
    this.offersMade(kind, count);
    for (const role of state.changedRoles) {
      if (state.roles.get(role)) this.setRoleShare(role, state.roleSorter.share(role));
      else this.removeRole(role);
    }
    state.changedRoles.clear();
  }

  /** Records one pass. */
  observeRun(kind: 'full' | 'incremental', seconds: number): void {
    this.runSeconds?.observe({ kind }, seconds);
  }

  /** Counts offers made by a pass of this kind. */
  offersMade(kind: 'full' | 'incremental', n: number): void {
    if (n > 0) this.offers?.inc({ kind }, n);
  }

  /** Publishes a role's dominant share. */
  setRoleShare(role: string, share: number): void {
    this.roleShare?.set({ role }, share);
  }

  /** Drops a role that no longer exists. */
  removeRole(role: string): void {
    this.roleShare?.remove({ role });
  }
}
