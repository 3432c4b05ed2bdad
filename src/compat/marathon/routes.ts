/**
 * Marathon's v2 REST API on the controller, as a fastify plugin: an adapter onto the
 * same App objects the apps framework runs and the same authorization as the native
 * HTTP API (docs/compat/marathon.md). Registered in its own scope, so that its error
 * bodies are Marathon's and an empty JSON body (marathon-python sends the header on
 * every request) is no body rather than a 400.
 */
import type { FastifyInstance } from 'fastify';
import type { ControllerCore } from '../../controller/core.js';
import type { Store } from '../../store/types.js';
import { appCollectionRoutes } from './app-routes.js';
import { appItemRoutes } from './app-item-routes.js';
import { deploymentRoutes } from './deployment-routes.js';
import { marathonErrorHandler, MarathonHttpError } from './errors.js';
import { nestsDeeperThan } from '../../shared/http/server.js';
import { MarathonEvents } from './events.js';
import { queueRoutes } from './queue.js';
import type { MarathonContext } from './request.js';
import { serverRoutes } from './server-routes.js';
import { taskRoutes } from './task-routes.js';

/** The plugin's options. */
export interface MarathonOptions {
  core: ControllerCore;
  store: Store;
  /** The controller's namespace (where offer-launched tasks' objects are). */
  namespace: string;
  /** The namespace Marathon apps live in (default `default`). */
  appNamespace?: string;
}

/** How deep a Marathon body may nest (an app definition nests 5 levels). */
export const MAX_JSON_DEPTH = 32;

/** The plugin: register with `app.register(marathonRoutes, options)`. */
export async function marathonRoutes(app: FastifyInstance, o: MarathonOptions): Promise<void> {
  const appNamespace = o.appNamespace ?? 'default';
  const events = new MarathonEvents(o.core, o.store, appNamespace);
  app.server.on('close', () => {
    events.close();
  });
  const ctx: MarathonContext = {
    core: o.core,
    store: o.store,
    appNamespace,
    taskNamespace: o.namespace,
    events,
  };
  // The shared parser (server.ts) with one difference: an empty body is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(req, text, (err, value: unknown) => {
      if (err) done(err, undefined);
      else if (nestsDeeperThan(value, MAX_JSON_DEPTH))
        done(
          new MarathonHttpError(
            400,
            `Invalid JSON: the body nests deeper than ${MAX_JSON_DEPTH} levels`,
          ),
          undefined,
        );
      else done(null, value);
    });
  });
  marathonErrorHandler(app);
  appCollectionRoutes(app, ctx);
  appItemRoutes(app, ctx);
  taskRoutes(app, ctx);
  deploymentRoutes(app, ctx);
  queueRoutes(app, ctx);
  serverRoutes(app, ctx);
  await Promise.resolve();
}
