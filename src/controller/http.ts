/**
 * The controller's HTTP API on the shared HTTP layer (src/shared/http/): the operator's
 * routes (/metrics, /healthz, /readyz), the live cluster (/state, /logs, /kill), stored
 * objects (/objects, /annotate, /apply) and the dashboard (/, /ui/, /events), each group
 * in src/controller/http/.
 */
import type { Server } from 'node:http';
import { createHttpApp, listenHttp } from '../shared/http/server.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Store } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { newIdentity } from './http/dashboard-view.js';
import { DashboardFeed, eventsRoute } from './http/events-stream.js';
import { objectRoutes } from './http/object-routes.js';
import { opsRoutes } from './http/ops-routes.js';
import { taskRoutes } from './http/task-routes.js';

export { stateOf } from './http/state.js';

/** Starts the HTTP server on host:port (0 picks a port). */
export async function startHttp(
  core: ControllerCore,
  metrics: MetricsRegistry,
  store: Store,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const app = createHttpApp({ boundary: { logger: core.log, metrics, component: 'controller' } });
  opsRoutes(app, metrics);
  taskRoutes(app, core);
  objectRoutes(app, store);
  dashboardRoutes(app);
  eventsRoute(app, new DashboardFeed(core, store, newIdentity(core.clock.now())));
  return listenHttp(app, host, port);
}
