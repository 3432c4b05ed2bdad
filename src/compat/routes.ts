/**
 * The compatibility adapters' routes on the controller's HTTP port: Mesos' v1 scheduler
 * API (src/compat/mesos/). Each adapter translates onto the controller core; none holds
 * state of its own beyond a connection.
 */
import type { FastifyInstance } from 'fastify';
import type { ControllerCore } from '../controller/core.js';
import type { SchedulerAccess } from '../controller/scheduler-service.js';
import type { Store } from '../store/types.js';
import { mesosSchedulerRoutes } from './mesos/scheduler-route.js';
import { mesosStateRoutes } from './mesos/state-routes.js';

/** Registers every adapter's routes on the leader's HTTP app. */
export function compatRoutes(
  app: FastifyInstance,
  core: ControllerCore,
  sources: { scheduler: SchedulerAccess; store: Store },
): void {
  mesosSchedulerRoutes(app, core, sources.scheduler);
  mesosStateRoutes(app, core, core.clock.now() / 1000, {
    namespace: sources.scheduler.namespace,
    store: sources.store,
  });
}
