/**
 * The controller's HTTP API on the shared HTTP layer (src/shared/http/): the operator's
 * routes (/metrics, /healthz, /readyz, /), the live cluster (/state, /logs, /kill) and
 * stored objects (/objects, /annotate, /apply), each group in src/controller/http/.
 */
import type { Server } from 'node:http';
import { createHttpApp, listenHttp } from '../shared/http/server.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Store } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { objectRoutes } from './http/object-routes.js';
import { opsRoutes } from './http/ops-routes.js';
import { taskRoutes } from './http/task-routes.js';
import { compatRoutes } from '../compat/routes.js';

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
  compatRoutes(app, core);
  return listenHttp(app, host, port);
}
