/**
 * The controller's HTTP API on the shared HTTP layer (src/shared/http/): the operator's
 * routes (/metrics, /healthz, /readyz), the live cluster (/state, /logs, /kill), stored
 * objects (/objects, /annotate, /apply) and the dashboard (/, /ui/, /events), each group
 * in src/controller/http/.
 */
import type { Server } from 'node:http';
import { installHttpGuard } from '../auth/http-guard.js';
import { chronosRoutes } from '../compat/chronos/routes.js';
import type { RateLimit } from '../auth/rate-limit.js';
import type { AccessControl } from '../auth/types.js';
import { createHttpApp, listenHttp } from '../shared/http/server.js';
import type { CertificateReloader } from '../shared/tls/certificate-reloader.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Store } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { decisionRoutes } from './http/decision-routes.js';
import { newIdentity } from './http/dashboard-view.js';
import { DashboardFeed, eventsRoute } from './http/events-stream.js';
import { objectRoutes } from './http/object-routes.js';
import { opsRoutes } from './http/ops-routes.js';
import { taskRoutes } from './http/task-routes.js';
import { compatRoutes } from '../compat/routes.js';
import type { SchedulerAccess } from './scheduler-service.js';
import { marathonRoutes } from '../compat/marathon/routes.js';

export { stateOf } from './http/state.js';

/** What {@link startHttp} serves and how it guards it. */
export interface ControllerHttpOptions {
  core: ControllerCore;
  metrics: MetricsRegistry;
  store: Store;
  access: AccessControl;
  /** Serve HTTPS with this certificate. */
  tls?: CertificateReloader;
  /** Per-caller request rate (default: the guard's). */
  rateLimit?: RateLimit;
  /** Where offer-launched tasks' objects are (the controller's namespace). */
  namespace: string;
  /** How scheduler calls are checked (shared with the gRPC service): the Mesos HTTP API. */
  scheduler: SchedulerAccess;
  host: string;
  /** 0 picks a port. */
  port: number;
}

/** Starts the HTTP server; every route is guarded (src/auth/http-guard.ts). */
export async function startHttp(
  o: ControllerHttpOptions,
): Promise<{ server: Server; port: number }> {
  const { core, metrics, store } = o;
  const app = createHttpApp({
    boundary: { logger: core.log, metrics, component: 'controller' },
    ...(o.tls ? { tls: o.tls } : {}),
  });
  installHttpGuard(app, {
    access: o.access,
    metrics,
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
  });
  opsRoutes(app, metrics);
  taskRoutes(app, core, o.namespace);
  objectRoutes(app, store);
  dashboardRoutes(app);
  void app.register(chronosRoutes, { store, core, namespace: o.namespace });
  decisionRoutes(app, core);
  eventsRoute(app, new DashboardFeed(core, store, newIdentity(core.clock.now())));
  compatRoutes(app, core, { scheduler: o.scheduler, store });
  await app.register(marathonRoutes, { core, store, namespace: o.namespace });
  return listenHttp(app, o.host, o.port);
}
