/**
 * `POST /api/v1/scheduler`, Mesos' v1 scheduler HTTP API (docs/scheduler-http-api.md in
 * Apache Mesos), on the controller core. SUBSCRIBE answers 200 with a RecordIO stream of
 * events and the `Mesos-Stream-Id` header; every other call must carry that header and
 * answers 202, or 400 for a malformed or unsupported call, 403 for a framework that is
 * not subscribed or a stream ID that is not its current one.
 *
 * Callers are checked as the gRPC scheduler service checks them (the same functions):
 * the HTTP guard authenticates the token (Bearer, or a Mesos library's Basic credentials
 * whose password is the token); SUBSCRIBE needs `register frameworks <role>` for each
 * role and may not take over another principal's framework; every later call must come
 * from the principal that subscribed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/http/errors.js';
import { grpcError } from '../../shared/grpc.js';
import { reconcileCallCost, type CallRefusal } from '../../controller/call-pacing.js';
import type { ControllerCore } from '../../controller/core.js';
import * as grpc from '@grpc/grpc-js';
import { samePrincipal } from '../../auth/grpc-auth.js';
import type { Principal } from '../../auth/types.js';
import {
  authorizeSubscription,
  subscribe,
  type SchedulerAccess,
} from '../../controller/scheduler-service.js';
import { decodeMessage, formatOf, MalformedMessage, type WireFormat } from './codec.js';
import type { MasterInfo } from './events.js';
import type { MesosCall } from './types.js';
import { carryOutCall } from './calls.js';
import { frameworkInfoFromMesos } from './frameworks.js';
import { Refused, refusedOr } from './refused.js';
import { HttpSubscription, STREAM_ID_HEADER } from './subscription.js';
import { mesosStyleErrors } from './plain-errors.js';

/** The path of the scheduler API. */
export const SCHEDULER_PATH = '/api/v1/scheduler';

/** Largest call body: an ACCEPT launching many tasks at once. */
const BODY_LIMIT = 4 * 1024 * 1024;

/** The version SUBSCRIBED and the state endpoints report: the Mesos API level served. */
export const MESOS_API_VERSION = '1.11.0';

function bad(message: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', message);
}

function ipv4Number(address: string | undefined): number {
  const parts = (address ?? '')
    .replace(/^::ffff:/, '')
    .split('.')
    .map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  // Mesos writes the address in network byte order read as a little-endian integer.
  return parts.reduceRight((acc, p) => acc * 256 + p, 0);
}

/** This master as SUBSCRIBED describes it: the address the request reached. */
export function masterInfoOf(req: FastifyRequest): MasterInfo {
  const host = req.socket.localAddress ?? '127.0.0.1';
  const port = req.socket.localPort ?? 0;
  return {
    id: `mezzo-${host}:${String(port)}`,
    ip: ipv4Number(host),
    port,
    hostname: host,
    version: MESOS_API_VERSION,
  };
}

function readCall(req: FastifyRequest): { call: MesosCall; format: WireFormat } {
  const format = formatOf(req.headers['content-type']);
  if (!format)
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send application/json or application/x-protobuf',
    );
  const decoded = decodeMessage('mesos.v1.scheduler.Call', format, req.body);
  if (decoded instanceof MalformedMessage) throw bad(`malformed call: ${decoded.message}`);
  // decodeMessage checked every field present against mesos.v1.scheduler.Call.
  const call = decoded as MesosCall;
  if (!call.type) throw bad("a call needs 'type'");
  return { call, format };
}

function answerFormat(req: FastifyRequest, body: WireFormat): WireFormat {
  const accept = req.headers.accept;
  if (
    accept === undefined ||
    accept === '' ||
    accept.split(',').some((a) => a.trim().startsWith('*/*'))
  )
    return body;
  for (const a of accept.split(',')) {
    const f = formatOf(a);
    if (f) return f;
  }
  throw new HttpError(
    406,
    'NOT_ACCEPTABLE',
    'the event stream is application/json or application/x-protobuf',
  );
}

/** The HTTP status of a refused subscription or call. */
function httpOf(err: grpc.ServiceError): HttpError {
  if (err.code === grpc.status.PERMISSION_DENIED)
    return new HttpError(403, 'FORBIDDEN', err.details);
  if (err.code === grpc.status.UNAUTHENTICATED)
    return new HttpError(401, 'UNAUTHENTICATED', err.details);
  if (err.code === grpc.status.UNAVAILABLE) return new HttpError(503, 'UNAVAILABLE', err.details);
  return bad(err.details);
}

/** The caller the HTTP guard authenticated (the route is not public). */
function callerOf(req: FastifyRequest): Principal {
  const who = req.principal;
  if (!who) throw new HttpError(401, 'UNAUTHENTICATED', 'authentication required');
  return who;
}

async function startSubscription(
  core: ControllerCore,
  access: SchedulerAccess,
  req: FastifyRequest,
  reply: FastifyReply,
  call: MesosCall,
  format: WireFormat,
): Promise<void> {
  if (req.headers[STREAM_ID_HEADER.toLowerCase()] !== undefined)
    throw bad(
      `a SUBSCRIBE call must not carry ${STREAM_ID_HEADER}: each subscription gets a new one`,
    );
  const sub = call.subscribe;
  if (!sub) throw bad("a SUBSCRIBE call needs 'subscribe'");
  const info = refusedOr(() => frameworkInfoFromMesos(sub.framework_info, sub.offer_constraints));
  if (info instanceof Refused) throw bad(info.message);
  if (call.framework_id && call.framework_id.value !== info.id)
    throw bad("'framework_id' and 'subscribe.framework_info.id' differ");
  if (!info.name) throw bad('framework_info.name is empty');
  const out = answerFormat(req, format);
  const who = callerOf(req);
  const denied = await authorizeSubscription(core, access, who, info);
  if (denied) throw httpOf(denied);
  // The scheduler may have hung up while it was authorized.
  reply.hijack();
  if (reply.raw.destroyed || req.raw.socket.destroyed) return;
  // No batches: a chunked HTTP response sends each write in the turn it is made.
  const request = {
    framework_info: info,
    suppressed_roles: sub.suppressed_roles ?? [],
    max_batch_bytes: 0,
  };
  const stream = new HttpSubscription(
    request,
    reply.raw,
    out,
    masterInfoOf(req),
    core.opts.maxUnreadEventBytes,
  );
  subscribe(core, stream, who);
}

/** A call past its principal's pace: 429 with `Retry-After`, as the HTTP guard answers. */
function tooMany(reply: FastifyReply, refused: CallRefusal): HttpError {
  void reply.header('retry-after', String(refused.retryAfterS));
  return new HttpError(429, 'TOO_MANY_REQUESTS', refused.message);
}

/**
 * The HTTP guard only authenticates here: what a call needs depends on its framework
 * (checked in the handler, with the gRPC service's functions), not on the route. Each
 * request, SUBSCRIBE included, takes one token of its principal's scheduler-call pace
 * (shared with its gRPC calls) in place of the guard's per-user request rate, which
 * would hold a Mesos scheduler to less than a gRPC one.
 */
function schedulerRouteConfig(core: ControllerCore) {
  return {
    access: () => [],
    basicAuth: true,
    pace: (who: Principal) => core.calls.admit(who),
  } as const;
}

/** Registers the scheduler API on `app` (its own scope: the protobuf body parser stays here). */
export function mesosSchedulerRoutes(
  app: FastifyInstance,
  core: ControllerCore,
  access: SchedulerAccess,
): void {
  void app.register((scope, _opts, done) => {
    mesosStyleErrors(scope);
    scope.addContentTypeParser(
      'application/x-protobuf',
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_req, body, parsed) => {
        parsed(null, body);
      },
    );
    scope.post(
      SCHEDULER_PATH,
      { bodyLimit: BODY_LIMIT, config: schedulerRouteConfig(core) },
      async (req, reply) => {
        const { call, format } = readCall(req);
        if (call.type === 'SUBSCRIBE') {
          await startSubscription(core, access, req, reply, call, format);
          return reply;
        }
        const id = call.framework_id?.value;
        if (!id) throw bad(`a ${call.type ?? ''} call needs 'framework_id'`);
        const streamId = req.headers[STREAM_ID_HEADER.toLowerCase()];
        if (typeof streamId !== 'string' || streamId === '')
          throw bad(`every call but SUBSCRIBE must carry the ${STREAM_ID_HEADER} header`);
        const fw = core.frameworks.get(id);
        if (!fw?.connected)
          throw new HttpError(403, 'FORBIDDEN', `framework ${id} is not subscribed`);
        const who = callerOf(req);
        if (!fw.principal || !samePrincipal(fw.principal, who))
          throw new HttpError(
            403,
            'FORBIDDEN',
            `user "${who.username}" is not the principal that subscribed framework ${fw.id}`,
          );
        if (fw.streamId !== streamId)
          throw new HttpError(
            403,
            'FORBIDDEN',
            `${STREAM_ID_HEADER} ${streamId} is not framework ${id}'s current subscription`,
          );
        // Not yet validated: carryOutCall refuses a malformed list.
        const asked: unknown = call.reconcile?.tasks;
        const tasks = Array.isArray(asked) ? asked.length : 0;
        // The guard took one token for the request; a reconciliation costs its tasks too.
        const extra = call.type === 'RECONCILE' ? reconcileCallCost(fw, tasks) - 1 : 0;
        const refused = extra > 0 ? await core.calls.admit(who, extra) : undefined;
        if (refused) throw tooMany(reply, refused);
        // New roles need what subscribing in them needs, as a new subscription would.
        const update = call.update_framework;
        if (call.type === 'UPDATE_FRAMEWORK' && update) {
          const next = refusedOr(() =>
            frameworkInfoFromMesos(update.framework_info, update.offer_constraints),
          );
          if (next instanceof Refused) throw bad(next.message);
          const denied = await authorizeSubscription(core, access, who, { ...next, id: fw.id });
          if (denied) throw httpOf(denied);
        }
        const current = () =>
          core.frameworks.get(fw.id) === fw && fw.connected && fw.streamId === streamId
            ? fw
            : grpcError(
                grpc.status.FAILED_PRECONDITION,
                'the framework failed over during the call',
              );
        const answer = await carryOutCall(core, fw, call, current);
        if (answer instanceof Refused) throw bad(answer.message);
        if (answer) throw answer;
        return reply.code(202).send();
      },
    );
    done();
  });
}
