/**
 * The scheduler gRPC service (mezzo.v1.Scheduler) with Mesos v1 semantics. Every call
 * names its framework and stream; a call from a superseded stream is refused, so a
 * scheduler that failed over cannot act twice. Invalid calls get a gRPC status and
 * change nothing.
 */
import * as grpc from '@grpc/grpc-js';
import type { Resources } from '../allocator/index.js';
import { grpcError } from '../shared/grpc.js';
import type { SchedulerHandlers } from '../gen/mezzo/v1/Scheduler.js';
import type { CallHeader__Output } from '../gen/mezzo/v1/CallHeader.js';
import type { AccessGuard } from '../auth/access-guard.js';
import { authenticateCall, authorizeCall, samePrincipal } from '../auth/grpc-auth.js';
import { mezzoAccess } from '../auth/route-access.js';
import type { Principal } from '../auth/types.js';
import type { ControllerCore } from './core.js';
import { settle } from './async-handler.js';
import { BoundedSubscription } from './bounded-subscription.js';
import { acceptCall, DEFAULT_REFUSE_SECONDS } from './accept-call.js';
import { killForFramework, reconcileForFramework } from './scheduler-calls.js';
import { reconcileCallCost } from './call-pacing.js';
import { subscriptionProblem } from './framework-object.js';
import { acknowledged, redeliver } from './status-flow.js';
import type { EventStream, FrameworkRecord } from './records.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { FrameworkInfo__Output } from '../gen/mezzo/v1/FrameworkInfo.js';
import type { SubscribeRequest__Output } from '../gen/mezzo/v1/SubscribeRequest.js';

/** How the scheduler service checks its callers. */
export interface SchedulerAccess {
  readonly guard: AccessGuard;
  /** The namespace `register frameworks` is asked in (the controller's). */
  readonly namespace: string;
  /**
   * The user name that subscribed framework `id` before this controller started (its
   * Framework object records it), so that a restart does not hand the framework to
   * whoever resubscribes with its ID first.
   */
  readonly recordedSubscriber?: (id: string) => Promise<string | undefined>;
}

/**
 * Builds the handlers over a controller core. Every call is authenticated; a
 * subscription needs `register frameworks <role>` for each of its roles, and every later
 * call must come from the principal that subscribed.
 */
export function schedulerService(core: ControllerCore, access: SchedulerAccess): SchedulerHandlers {
  const caller = async (
    call: grpc.ServerUnaryCall<{ header: CallHeader__Output | null }, object>,
  ): Promise<{ fw: FrameworkRecord; who: Principal } | grpc.ServiceError> => {
    const auth = await authenticateCall(access.guard, call.metadata);
    if (!auth.ok) return auth.error;
    const header = call.request.header;
    const id = header?.framework_id ?? '';
    const fw = core.frameworks.get(id);
    if (!fw)
      return grpcError(grpc.status.NOT_FOUND, `framework ${id || '(none)'} is not subscribed`);
    if (!fw.principal || !samePrincipal(fw.principal, auth.principal)) {
      return grpcError(
        grpc.status.PERMISSION_DENIED,
        `user "${auth.principal.username}" is not the principal that subscribed framework ${fw.id}`,
      );
    }
    if (header?.stream_id !== fw.streamId) {
      return grpcError(
        grpc.status.FAILED_PRECONDITION,
        "stream ID does not match the framework's current subscription",
      );
    }
    return { fw, who: auth.principal };
  };
  const unary =
    <Req extends { header: CallHeader__Output | null }>(
      fn: (
        fw: FrameworkRecord,
        req: Req,
      ) => grpc.ServiceError | undefined | Promise<grpc.ServiceError | undefined>,
      /** Tokens of its principal's pace the call costs (call-pacing.ts). */
      cost: (fw: FrameworkRecord, req: Req) => number = () => 1,
    ) =>
    (call: grpc.ServerUnaryCall<Req, object>, cb: grpc.sendUnaryData<object>): void => {
      const work = async () => {
        const checked = await caller(call);
        if (checked instanceof Error) {
          cb(checked);
          return;
        }
        const { fw, who } = checked;
        const refused = await core.calls.admit(who, cost(fw, call.request));
        if (refused) {
          cb(grpcError(grpc.status.RESOURCE_EXHAUSTED, refused.message));
          return;
        }
        // The framework may have gone while the caller was authenticated or waited its turn.
        if (core.frameworks.get(fw.id) !== fw) {
          cb(grpcError(grpc.status.NOT_FOUND, `framework ${fw.id} is not subscribed`));
          return;
        }
        // A caller that gave up (its deadline passed while it was authenticated or waited)
        // was told the call failed: applied now, a Suppress could land after the Revive it
        // sent next.
        if (call.cancelled) return;
        const err = await fn(fw, call.request);
        if (err) cb(err);
        else cb(null, {});
      };
      settle(core, call.getPath(), work(), (err) => {
        cb(err);
      });
    };

  /** Authenticates and authorizes a subscription, then subscribes it. */
  const subscribeAuthorized = async (call: EventStream): Promise<void> => {
    const auth = await authenticateCall(access.guard, call.metadata);
    if (!auth.ok) {
      call.emit('error', auth.error);
      return;
    }
    // Paced before it is authorized: on Kubernetes each authorization is a request.
    const refused = await core.calls.admit(auth.principal);
    if (refused) {
      call.emit('error', grpcError(grpc.status.RESOURCE_EXHAUSTED, refused.message));
      return;
    }
    const denied = await authorizeSubscription(
      core,
      access,
      auth.principal,
      call.request.framework_info,
    );
    if (denied) {
      call.emit('error', denied);
      return;
    }
    if (call.cancelled) return;
    const who = auth.principal;
    const stream: BoundedSubscription = new BoundedSubscription(
      call,
      core.opts.maxUnreadEventBytes,
      (unread) => {
        core.m.unreadStreamsEnded.inc();
        const fw = [...core.frameworks.values()].find((f) => f.stream === stream);
        core.log.warn('framework stream ended: its scheduler does not read it', {
          framework: fw?.id,
          name: call.request.framework_info?.name,
          principal: who.username,
          unreadBytes: unread,
        });
      },
    );
    subscribe(core, stream, who);
  };

  return {
    Subscribe(call: EventStream) {
      settle(core, 'Subscribe', subscribeAuthorized(call), (err) => call.emit('error', err));
    },
    // Authorization of the launches' users is asynchronous too: the plan is made against
    // the offers as they are once it is answered.
    Accept: unary((fw, req) =>
      acceptCall(core, fw, req, () =>
        core.frameworks.get(fw.id) === fw && req.header?.stream_id === fw.streamId
          ? fw
          : grpcError(grpc.status.FAILED_PRECONDITION, 'the framework failed over during the call'),
      ),
    ),
    Decline: unary((fw, req) => {
      if (req.offer_ids.length === 0)
        return grpcError(grpc.status.INVALID_ARGUMENT, 'decline names no offers');
      for (const id of req.offer_ids) {
        const o = core.offers.get(id);
        if (!o) return grpcError(grpc.status.NOT_FOUND, `offer ${id} is not outstanding`);
        if (o.frameworkId !== fw.id)
          return grpcError(
            grpc.status.PERMISSION_DENIED,
            `offer ${id} was made to another framework`,
          );
      }
      const refuse = req.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
      for (const id of req.offer_ids) {
        const o = core.offers.take(id);
        if (o) core.recoverOffer(o, refuse);
      }
      core.m.offers.inc({ result: 'declined' }, req.offer_ids.length);
      core.answered(fw, false, req.offer_ids.length);
      return undefined;
    }),
    Revive: unary((fw, req) => {
      core.reviveOffers(fw.id, req.roles.length > 0 ? req.roles : undefined);
      return undefined;
    }),
    Suppress: unary((fw, req) => {
      core.allocator.suppressOffers(fw.id, req.roles.length > 0 ? req.roles : undefined);
      return undefined;
    }),
    Kill: unary((fw, req) => {
      killForFramework(core, fw, req.task_id, req.grace_period_seconds ?? undefined);
      return undefined;
    }),
    Acknowledge: unary((fw, req) => {
      const task = core.tasks.get(req.task_id);
      if (!task || task.frameworkId !== fw.id)
        return grpcError(grpc.status.NOT_FOUND, `task ${req.task_id} is not known`);
      if (req.uuid.length === 0)
        return grpcError(grpc.status.INVALID_ARGUMENT, 'acknowledgement without uuid');
      acknowledged(core, task, req.uuid);
      return undefined;
    }),
    Reconcile: unary(
      (fw, req) => {
        reconcileForFramework(core, fw, req.tasks);
        return undefined;
      },
      (fw, req) => reconcileCallCost(fw, req.tasks.length),
    ),
    Message: unary(() =>
      grpcError(
        grpc.status.FAILED_PRECONDITION,
        'Mezzo runs command tasks: there is no executor to message',
      ),
    ),
    Teardown: unary((fw) => {
      core.removeFramework(fw, 'teardown requested');
      return undefined;
    }),
  };
}

/**
 * Whether `principal` may subscribe the framework `info` describes, as every wire asks it:
 * `register frameworks <role>` for each of its roles, and, for a framework ID already
 * known (here, or to the Framework object from before this controller started), the same
 * principal that subscribed it. Undefined when allowed, else the PERMISSION_DENIED status.
 */
export async function authorizeSubscription(
  core: ControllerCore,
  access: SchedulerAccess,
  principal: Principal,
  info: FrameworkInfo__Output | null,
): Promise<grpc.ServiceError | undefined> {
  const roles = info?.roles ?? [];
  // Checked before it is authorized: each role is a question to the authorizer.
  const problem = info ? subscriptionProblem(roles, info.failover_timeout_seconds) : undefined;
  if (problem) return grpcError(grpc.status.INVALID_ARGUMENT, `framework_info: ${problem}`);
  const denied = await authorizeCall(
    access.guard,
    principal,
    roles.map((role) =>
      mezzoAccess('register', 'frameworks', { namespace: access.namespace, name: role }),
    ),
  );
  if (denied) return denied;
  const id = info?.id ?? '';
  const existing = id ? core.frameworks.get(id) : undefined;
  // Known here: the principal that subscribed it. Known only from before this start: the
  // user name its Framework object records (a uid may differ across restarts).
  const recorded = id && !existing ? await access.recordedSubscriber?.(id) : undefined;
  const other = existing?.principal
    ? !samePrincipal(existing.principal, principal)
    : recorded !== undefined && recorded !== principal.username;
  if (!other) return undefined;
  return grpcError(
    grpc.status.PERMISSION_DENIED,
    `framework ${id} was subscribed by another principal; user "${principal.username}" may not take it over`,
  );
}

/**
 * A subscription's stream as {@link subscribe} uses it: a gRPC server stream is one; the
 * Mesos HTTP adapter provides another over a chunked response.
 */
export interface SubscriberStream {
  readonly request: SubscribeRequest__Output;
  write(event: Event): unknown;
  end(): void;
  /** Refuses the subscription before anything was written. */
  emit(event: 'error', err: grpc.ServiceError): unknown;
  /** The stream went away ('cancelled', 'close' or 'error'). */
  on(event: 'cancelled' | 'close' | 'error', listener: () => void): unknown;
}

/**
 * Subscribes (or fails over) a framework for `principal`, already authorized with
 * {@link authorizeSubscription}: SUBSCRIBED first, heartbeats, what it missed, and a
 * disconnection (failover timeout started) when the stream goes away.
 */
export function subscribe(
  core: ControllerCore,
  call: SubscriberStream,
  principal: Principal,
): void {
  const info = call.request.framework_info;
  if (!info || info.roles.length === 0 || !info.name) {
    call.emit(
      'error',
      grpcError(grpc.status.INVALID_ARGUMENT, 'framework_info needs a name and at least one role'),
    );
    return;
  }
  if (info.id && !core.frameworks.has(info.id) && core.completed.isRemoved(info.id)) {
    // As Mesos' master: a framework torn down (or past its failover timeout) is over; its
    // ID does not come back (its tasks were killed, its scheduler must register anew).
    call.emit(
      'error',
      grpcError(
        grpc.status.FAILED_PRECONDITION,
        `framework ${info.id} was removed; subscribe without an ID to register a new one`,
      ),
    );
    return;
  }
  const streamId = core.newId('stream');
  let fw = info.id ? core.frameworks.get(info.id) : undefined;
  if (fw) {
    // Failover: the new scheduler instance takes over; the old stream is told and closed.
    fw.failoverTimer?.cancel();
    fw.failoverTimer = undefined;
    if (fw.stream && fw.stream !== call) {
      fw.stream.write({
        type: 'ERROR',
        error: { message: 'framework failed over to a new subscription' },
      });
      fw.stream.end();
    }
    fw.info = info;
    fw.principal = principal;
    fw.streamId = streamId;
    fw.stream = call;
    fw.connected = true;
    if (fw.roles.join() !== info.roles.join())
      core.allocator.updateFramework(fw.id, { roles: info.roles });
    fw.roles = info.roles;
    core.allocator.activateFramework(fw.id);
  } else {
    // A new framework, or one resubscribing after a controller restart with its old ID.
    const id = info.id || core.newId('fw');
    const used = new Map<string, Resources>();
    const tasks = new Set<string>();
    // Every task it had that this controller holds (rebuilt from agents and the store),
    // the finished ones too: their last updates may still be unacknowledged.
    for (const t of core.tasks.values()) if (t.frameworkId === id) tasks.add(t.id);
    fw = {
      id,
      info: { ...info, id },
      roles: info.roles,
      streamId,
      stream: call,
      connected: true,
      failoverTimer: undefined,
      heartbeatTimer: undefined,
      tasks,
      registeredAt: core.clock.now(),
      principal,
    };
    core.frameworks.set(id, fw);
    // Tasks already running (known from agent re-registration) count as allocated.
    for (const a of core.agents.values()) {
      const r = core.usedOn(a).get(id);
      if (r) used.set(a.id, r);
    }
    core.addFramework(id, { roles: info.roles }, used);
    if (call.request.suppressed_roles.length > 0)
      core.allocator.suppressOffers(id, call.request.suppressed_roles);
  }
  const record = fw;
  core.log.info('framework subscribed', {
    framework: record.id,
    name: info.name,
    roles: info.roles,
  });
  call.write({
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: record.id,
      stream_id: streamId,
      heartbeat_interval_seconds: core.opts.frameworkHeartbeatMs / 1000,
    },
  });
  const beat = () => {
    if (record.stream !== call) return;
    call.write({ type: 'HEARTBEAT' });
    record.heartbeatTimer = core.clock.setTimer(core.opts.frameworkHeartbeatMs, beat);
  };
  record.heartbeatTimer?.cancel();
  record.heartbeatTimer = core.clock.setTimer(core.opts.frameworkHeartbeatMs, beat);
  // What it missed while disconnected (or before this controller's restart).
  redeliver(core, record);
  core.opts.onFrameworkChanged?.(record, false);
  const gone = () => {
    if (record.stream !== call) return; // superseded by a newer subscription
    disconnect(core, record);
  };
  call.on('cancelled', gone);
  call.on('close', gone);
  call.on('error', gone);
}

function disconnect(core: ControllerCore, fw: FrameworkRecord): void {
  if (!fw.connected || core.frameworks.get(fw.id) !== fw) return;
  fw.connected = false;
  fw.stream = undefined;
  fw.heartbeatTimer?.cancel();
  core.allocator.deactivateFramework(fw.id);
  core.rescind(core.offers.ofFramework(fw.id));
  const timeoutMs = Math.max(0, (fw.info.failover_timeout_seconds || 0) * 1000);
  core.log.info('framework disconnected', { framework: fw.id, failoverTimeoutMs: timeoutMs });
  fw.failoverTimer = core.clock.setTimer(timeoutMs, () => {
    if (!fw.connected && core.frameworks.get(fw.id) === fw)
      core.removeFramework(fw, 'failover timeout expired');
  });
  core.opts.onFrameworkChanged?.(fw, false);
}
