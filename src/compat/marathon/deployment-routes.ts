/**
 * `/v2/deployments`: the deployments in progress (an App rolling to a new version, being
 * started, scaled or stopped), and `DELETE /v2/deployments/{id}`, which rolls the app
 * back to the version it ran before (Marathon's default). `?force=true` (stop where it
 * is, without a rollback) has no Mezzo equivalent: the apps framework always converges
 * on the spec, so it is refused.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestedBy } from '../../controller/http/requested-by.js';
import { specVersion } from '../../frameworks/apps/app-spec.js';
import type { AppStatus } from '../../frameworks/apps/status.js';
import type { StoredObject } from '../../store/types.js';
import { marathonIdOf } from './app-id.js';
import { postEvent } from './app-routes.js';
import { appSpecOf, appTasks, deploymentOf } from './app-view.js';
import { writeApp } from './app-writes.js';
import { MarathonHttpError } from './errors.js';
import { flag, onApps, queryOf, type MarathonContext } from './request.js';
import { versionsOf } from './versions.js';

interface Found {
  app: StoredObject;
  id: string;
  action: string;
}

async function deployments(ctx: MarathonContext): Promise<Found[]> {
  return (await ctx.store.list('App')).flatMap((app) => {
    const { namespace = '', name } = app.metadata;
    if (namespace !== ctx.appNamespace) return [];
    const d = deploymentOf(app, appTasks(ctx.core, namespace, name));
    return d ? [{ app, ...d }] : [];
  });
}

async function byId(ctx: MarathonContext, req: FastifyRequest): Promise<Found | undefined> {
  const id = (req.params as { id: string }).id;
  return (await deployments(ctx)).find((d) => d.id === id);
}

/** Registers the /v2/deployments routes. */
export function deploymentRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  app.get('/v2/deployments', { config: { access: () => onApps(ctx, 'list') } }, async () =>
    (await deployments(ctx)).map((d) => {
      const appId = marathonIdOf(d.app.metadata.name);
      const action = { action: d.action, app: appId };
      return {
        id: d.id,
        version: d.app.metadata.creationTimestamp ?? '',
        affectedApps: [appId],
        affectedPods: [],
        steps: [{ actions: [action] }],
        currentActions: [{ ...action, readinessCheckResults: [] }],
        currentStep: 1,
        totalSteps: 1,
      };
    }),
  );

  app.delete(
    '/v2/deployments/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 128 } } },
      },
      config: {
        access: async (req) => {
          const d = await byId(ctx, req);
          return onApps(ctx, 'update', d?.app.metadata.name);
        },
      },
    },
    async (req) => {
      const d = await byId(ctx, req);
      const id = (req.params as { id: string }).id;
      if (!d) throw new MarathonHttpError(404, `DeploymentPlan ${id.slice(0, 128)} does not exist`);
      if (flag(queryOf(req), 'force'))
        throw new MarathonHttpError(
          422,
          'force=true (stop a deployment where it is) is not supported: Mezzo converges on the spec; DELETE without force rolls back',
        );
      // The version the deployment started from; else the version before the newest.
      const status = d.app.status as Partial<AppStatus> | undefined;
      const from = status?.deployment?.fromVersion;
      const history = versionsOf(d.app);
      const previous =
        (from !== undefined
          ? [...history]
              .reverse()
              .find((v) => specVersion(appSpecOf({ ...d.app, spec: v.spec })) === from)
          : undefined) ?? history[history.length - 2];
      if (!previous)
        throw new MarathonHttpError(
          409,
          `no earlier version of ${marathonIdOf(d.app.metadata.name)} is known to roll back to`,
        );
      const { namespace = '', name } = d.app.metadata;
      const out = await writeApp(
        ctx.store,
        { namespace, name, id: marathonIdOf(name) },
        previous.spec,
        {
          expect: 'present',
          annotations: requestedBy(req),
          now: ctx.core.clock.now(),
          force: true,
        },
      );
      postEvent(ctx, req, out);
      return { deploymentId: out.deploymentId, version: out.version };
    },
  );
}
