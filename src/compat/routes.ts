/**
 * The compatibility adapters' routes on the controller's HTTP port: Mesos' v1 scheduler
 * API (src/compat/mesos/). Each adapter translates onto the controller core; none holds
 * state of its own beyond a connection.
 */
import type { FastifyInstance } from 'fastify';
import type { ControllerCore } from '../controller/core.js';
import { mesosSchedulerRoutes } from './mesos/scheduler-route.js';
import { mesosStateRoutes } from './mesos/state-routes.js';

/** Registers every adapter's routes on the leader's HTTP app. */
export function compatRoutes(app: FastifyInstance, core: ControllerCore): void {
  mesosSchedulerRoutes(app, core);
  mesosStateRoutes(app, core, core.clock.now() / 1000);
}
