/**
 * The allocator's public types: options, registration data, offers and quotas.
 */
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Resources } from './resources.js';
import type { Fairness } from './state.js';

/** Resources offered to a framework on one agent, for one of its roles. */
export interface OfferedResources {
  agentId: string;
  role: string;
  resources: Resources;
}

/** Receives the offers of one pass for one framework. */
export type OfferCallback = (frameworkId: string, offers: OfferedResources[]) => void;

/** A role's quota: guaranteed resources and a hard limit (both optional). */
export interface QuotaSpec {
  guarantee?: Resources;
  limit?: Resources;
}

/** Construction options. */
export interface AllocatorOptions {
  /** Time source for refuse filters (ms). */
  clock: { now(): number };
  /** Where offers go, once per framework per pass. */
  offerCallback: OfferCallback;
  /** Role and framework ordering: weighted DRF (default) or weighted random. */
  fairness?: Fairness;
  /** Seed for agent shuffling and the random sorter (default 0). */
  seed?: number;
  /**
   * An offer must contain at least one of these (Mesos' `--min_allocatable_resources`);
   * default `cpus:0.01` or `mem:32`. An empty list offers anything non-empty.
   */
  minAllocatable?: Resources[];
  /**
   * At most this many offers to one framework in one pass (default 0: no bound,
   * as in Mesos). The agents a framework would have had beyond it go to the next
   * framework in the same order; with thousands of agents this keeps a framework that
   * wants one task from being sent (and declining) a share of the whole cluster each pass.
   */
  maxOffersPerFrameworkPerPass?: number;
  /** Registry for the allocator's metrics. */
  metrics?: MetricsRegistry;
  /** A high-resolution ms timer for the run-time histogram (default: `clock.now`). */
  hrtime?: () => number;
}

/** Framework registration data. */
export interface FrameworkInfo {
  roles: string[];
  active?: boolean;
}

/** Agent registration data. */
export interface AgentInfo {
  hostname: string;
  attributes?: Record<string, string>;
}
