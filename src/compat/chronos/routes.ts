/**
 * Chronos' REST API (v1 scheduler endpoints) served by the controller, as an adapter onto
 * Schedule objects in one namespace (the controller's): a Chronos job is the Schedule of
 * the same name. Writes go through the same apply step as `mezzo apply` (CRD validation,
 * cycle check), and every route asks the same authorization question as the native HTTP
 * API for the same action: create/update/delete/patch/get/list on `schedules`, `kill` on
 * each task a kill ends. See docs/compat/chronos.md.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { mezzoAccess } from '../../auth/route-access.js';
import type { AccessRequest } from '../../auth/types.js';
import { applyObject } from '../../controller/apply.js';
import type { ControllerCore } from '../../controller/core.js';
import { requestedBy } from '../../controller/http/requested-by.js';
import { isTerminal, type TaskRecord } from '../../controller/records.js';
import { taskObjectOf } from '../../controller/task-mirror.js';
import {
  RUN_NOW_ARGUMENTS_ANNOTATION,
  runNowArgumentsValue,
} from '../../frameworks/schedules/run-arguments.js';
import { RUN_NOW_ANNOTATION, SCHEDULE_LABEL } from '../../frameworks/schedules/runs.js';
import { scheduleConfig } from '../../frameworks/schedules/spec.js';
import { ConflictError } from '../../shared/errors.js';
import { HttpError } from '../../shared/http/errors.js';
import { API_VERSION, type Store, type StoredObject } from '../../store/types.js';
import { argumentWords } from './arguments-text.js';
import { graphCsv, graphDot } from './graph.js';
import { jobFromChronos, jobNameErrors, type JobEndpoint } from './job-input.js';
import { jobView, summaryView } from './job-view.js';
import { searchJobs, type SearchQuery } from './search.js';
import { jobStat } from './stat.js';

/** What the Chronos routes serve. */
export interface ChronosRoutesOptions {
  store: Store;
  core: ControllerCore;
  /** The namespace Chronos jobs live in (the controller's). */
  namespace: string;
}

/** Chronos' URL prefix. */
export const CHRONOS_PREFIX = '/v1/scheduler';

/**
 * Spec fields a Chronos job cannot express: kept from the stored Schedule on an update,
 * so that a Chronos client editing a job does not undo what was set natively.
 */
const MEZZO_ONLY = ['retryBackoff', 'historyLimit', 'role'] as const;

const NAME_PARAM = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
} as const;

const JOB_BODY = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 253 } },
} as const;

const TERM = { type: 'string', maxLength: 1024 } as const;
/** The longest `arguments` string of a run-now request. */
const MAX_ARGUMENTS_TEXT = 4096;
const COUNT = { type: 'string', pattern: '^[0-9]{1,9}$' } as const;

const TEXT = 'text/plain; charset=utf-8';

type Named = FastifyRequest<{ Params: { name: string } }>;

/** Registers the Chronos routes (a fastify plugin, registered by src/controller/http.ts). */
export const chronosRoutes: FastifyPluginCallback<ChronosRoutesOptions> = (app, opts, done) => {
  const { store, core, namespace } = opts;
  const on = (verb: string, name?: string): AccessRequest =>
    mezzoAccess(verb, 'schedules', { namespace, ...(name !== undefined ? { name } : {}) });
  const onNamed = (verb: string) => (req: FastifyRequest) =>
    on(verb, (req.params as { name: string }).name);

  const jobs = async (): Promise<StoredObject[]> =>
    (await store.list('Schedule')).filter((o) => o.metadata.namespace === namespace);

  /** The named Schedule, or a 400 for a name no Schedule can have, or a 404. */
  const jobNamed = async (name: string): Promise<StoredObject> => {
    const why = jobNameErrors(name);
    if (why) throw new HttpError(400, 'BAD_REQUEST', why);
    const found = await store.get('Schedule', name, namespace);
    if (!found) throw new HttpError(404, 'NOT_FOUND', `job "${name}" not found in ${namespace}`);
    return found;
  };

  /** The runs of a job the controller knows and that have not ended. */
  const liveTasks = (name: string): TaskRecord[] =>
    [...core.tasks.values()].filter(
      (t) => t.info.labels?.[SCHEDULE_LABEL] === `${namespace}/${name}` && !isTerminal(t.state),
    );

  const save = async (req: FastifyRequest, endpoint: JobEndpoint): Promise<void> => {
    const read = jobFromChronos(req.body, endpoint, core.clock.now());
    if (!read.ok) throw new HttpError(400, 'BAD_REQUEST', read.problem.message);
    const { name, spec, annotations } = read.value;
    const current = await store.get('Schedule', name, namespace);
    const kept = current?.spec ?? {};
    for (const k of MEZZO_ONLY) if (kept[k] !== undefined) spec[k] = kept[k];
    const webhook = (kept['owner'] as { webhook?: unknown } | undefined)?.webhook;
    if (typeof webhook === 'string')
      spec['owner'] = { ...(spec['owner'] as object | undefined), webhook };
    const parents = Array.isArray(spec['parents']) ? (spec['parents'] as string[]) : [];
    for (const p of parents) {
      if (!(await store.get('Schedule', p, namespace)))
        throw new HttpError(400, 'BAD_REQUEST', `parents: unknown parent job "${p}"`);
    }
    // The framework's own reading: a time zone or period it cannot use is refused now,
    // not reported later on the object's status.
    const parsed = scheduleConfig(name, spec);
    if (!parsed.ok) throw new HttpError(400, 'BAD_REQUEST', parsed.message);
    const outcome = await applyObject(
      store,
      {
        apiVersion: API_VERSION,
        kind: 'Schedule',
        metadata: { name, namespace, annotations },
        spec,
      },
      requestedBy(req),
    );
    if (!outcome.ok) throw new HttpError(400, 'BAD_REQUEST', outcome.error ?? 'rejected');
  };

  const saveRoute = {
    config: {
      access: async (req: FastifyRequest) => {
        const name = (req.body as { name: string }).name;
        const exists =
          jobNameErrors(name) === undefined && (await store.get('Schedule', name, namespace));
        return on(exists ? 'update' : 'create', name);
      },
    },
    schema: { body: JOB_BODY },
  };
  for (const endpoint of ['iso8601', 'dependency'] as const) {
    app.post(`${CHRONOS_PREFIX}/${endpoint}`, saveRoute, async (req, reply) => {
      await save(req, endpoint);
      return reply.code(204).send();
    });
  }

  app.get(`${CHRONOS_PREFIX}/jobs`, { config: { access: () => on('list') } }, async () =>
    (await jobs()).map(jobView),
  );

  app.get(`${CHRONOS_PREFIX}/jobs/summary`, { config: { access: () => on('list') } }, async () => ({
    jobs: (await jobs()).map(summaryView),
  }));

  app.get<{ Querystring: SearchQuery }>(
    `${CHRONOS_PREFIX}/jobs/search`,
    {
      config: { access: () => on('list') },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { name: TERM, command: TERM, any: TERM, limit: COUNT, offset: COUNT },
        },
      },
    },
    async (req) => searchJobs((await jobs()).map(jobView), req.query),
  );

  app.put<{ Params: { name: string }; Querystring: { arguments?: string } }>(
    `${CHRONOS_PREFIX}/job/:name`,
    {
      config: {
        // Arguments change what the run executes: that is `update`, not only `patch`.
        access: (req) => {
          const run = onNamed('patch')(req);
          const text = (req.query as { arguments?: string }).arguments ?? '';
          return text.trim() === '' ? run : [run, onNamed('update')(req)];
        },
      },
      schema: {
        params: NAME_PARAM,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { arguments: { type: 'string', maxLength: MAX_ARGUMENTS_TEXT } },
        },
      },
    },
    async (req, reply) => {
      // As Chronos: an empty or blank string is no arguments.
      const read = argumentWords(req.query.arguments ?? '');
      if (!read.ok) throw new HttpError(400, 'BAD_REQUEST', read.message);
      await runNow(
        store,
        req.params.name,
        core.clock.now(),
        requestedBy(req),
        jobNamed,
        read.words,
      );
      return reply.code(204).send();
    },
  );

  app.delete(
    `${CHRONOS_PREFIX}/job/:name`,
    { config: { access: onNamed('delete') }, schema: { params: NAME_PARAM } },
    async (req: Named, reply) => {
      const { name } = req.params;
      await jobNamed(name);
      const children = (await jobs()).filter((j) =>
        ((j.spec as { parents?: unknown }).parents as unknown[] | undefined)?.includes(name),
      );
      if (children.length > 0)
        throw new HttpError(
          409,
          'CONFLICT',
          `job "${name}" is a parent of ${children.map((c) => `"${c.metadata.name}"`).join(', ')}: delete or change them first`,
        );
      await store.delete('Schedule', name, namespace);
      return reply.code(204).send();
    },
  );

  app.delete(
    `${CHRONOS_PREFIX}/task/kill/:name`,
    {
      config: {
        access: (req) => {
          const name = (req.params as { name: string }).name;
          return [
            on('get', name),
            ...liveTasks(name).map((t) => mezzoAccess('kill', 'tasks', taskObjectOf(t, namespace))),
          ];
        },
      },
      schema: { params: NAME_PARAM },
    },
    async (req: Named, reply) => {
      await jobNamed(req.params.name);
      for (const t of liveTasks(req.params.name)) core.killTask(t);
      return reply.code(204).send();
    },
  );

  app.get(
    `${CHRONOS_PREFIX}/job/stat/:name`,
    { config: { access: onNamed('get') }, schema: { params: NAME_PARAM } },
    async (req: Named) =>
      jobStat(await jobNamed(req.params.name), (id) => core.tasks.get(id)?.agentId ?? ''),
  );

  app.get(
    `${CHRONOS_PREFIX}/graph/dot`,
    { config: { access: () => on('list') } },
    async (_req, reply) => reply.type(TEXT).send(graphDot(await jobs())),
  );
  app.get(
    `${CHRONOS_PREFIX}/graph/csv`,
    { config: { access: () => on('list') } },
    async (_req, reply) => reply.type(TEXT).send(graphCsv(await jobs())),
  );
  done();
};

/**
 * Asks for a run now, as `mezzo run-schedule` does: a new value of the run-now
 * annotation (the framework serves each distinct value once), with the run's arguments
 * bound to that value (or none: a plain run drops earlier ones), written again on a
 * conflict with a concurrent writer.
 */
async function runNow(
  store: Store,
  name: string,
  now: number,
  by: Record<string, string>,
  jobNamed: (name: string) => Promise<StoredObject>,
  words: readonly string[],
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const found = await jobNamed(name);
    const previous = found.metadata.annotations?.[RUN_NOW_ANNOTATION];
    let value = new Date(now).toISOString();
    // Two requests within one millisecond still ask for two runs.
    if (previous?.startsWith(value)) value = `${value}#${randomUUID().slice(0, 8)}`;
    const kept = Object.entries(found.metadata.annotations ?? {}).filter(
      ([k]) => k !== RUN_NOW_ARGUMENTS_ANNOTATION,
    );
    found.metadata.annotations = {
      ...Object.fromEntries(kept),
      [RUN_NOW_ANNOTATION]: value,
      ...(words.length > 0
        ? { [RUN_NOW_ARGUMENTS_ANNOTATION]: runNowArgumentsValue(value, words) }
        : {}),
      ...by,
    };
    try {
      await store.update(found);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
    }
  }
}
