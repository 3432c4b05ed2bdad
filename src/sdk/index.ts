/**
 * The Mezzo framework SDK (`mezzo/sdk`): a scheduler client that keeps its subscription
 * alive across controller failovers, and helpers to match offers, place tasks by
 * Marathon-style constraints and build the operations that launch them. See
 * docs/framework-sdk.md for a tutorial.
 */
export {
  SchedulerClient,
  type SchedulerClientOptions,
  type SchedulerEvents,
} from './scheduler-client.js';
export { OfferMatcher, scalarNeeds, type Fit, type TaskNeeds } from './offers.js';
export {
  commandTask,
  healthCheckInfo,
  launch,
  portEnvironment,
  type CommandTaskSpec,
  type FetchUri,
  type HealthCheckSpec,
} from './tasks.js';
export {
  checkAll,
  checkConstraint,
  validateConstraint,
  type AgentFacts,
  type Constraint,
  type ConstraintOperator,
} from './constraints.js';
export type { Offer__Output as Offer } from '../gen/mezzo/v1/Offer.js';
export type { TaskStatus__Output as TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
export type { TaskInfo } from '../gen/mezzo/v1/TaskInfo.js';
export type { Resource } from '../gen/mezzo/v1/Resource.js';
export type { Operation } from '../gen/mezzo/v1/Operation.js';
