/**
 * The allocator: Mesos' hierarchical weighted DRF allocator with quota, reservations,
 * refuse filters and incremental allocation, as a pure synchronous library.
 * See docs/allocator.md.
 */
export { Resources, type ResourcesResult } from './resources.js';
export { MAX_SCALAR } from './fixed.js';
export type { ResourceProto, ResourceProtoLike, WireInt } from './proto.js';
export type { Entry, Kind, Range, Reservation, ReservationType } from './resource-entry.js';
export type { Quantities } from './quantities.js';
export { quantitiesToObject } from './quantities.js';
export {
  HierarchicalAllocator,
  type AgentInfo,
  type AllocatorOptions,
  type FrameworkInfo,
  type OfferCallback,
  type OfferedResources,
  type PassStats,
  type QuotaSpec,
} from './allocator.js';
export { dominantShare, type HeldBack } from './introspection.js';
export type { Fairness } from './state.js';
export type { Sorter } from './sorter.js';
export { DrfSorter } from './drf-sorter.js';
export { RandomSorter } from './random-sorter.js';
export { Rng } from './rng.js';
export { parseQuantity } from './parse.js';
export { MIN_TASK_CPUS, taskLimitsProblem } from './task-limits.js';
