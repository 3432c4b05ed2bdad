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
import type { ControllerCore } from './core.js';
import { planAccept } from './accept.js';
import {
  carryOutAccept,
  DEFAULT_REFUSE_SECONDS,
  killForFramework,
  reconcileForFramework,
} from './scheduler-calls.js';
import { noteOfferOutcome } from './decline-streak.js';
import { acknowledged, redeliver } from './status-flow.js';
import type { EventStream, FrameworkRecord } from './records.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { SubscribeRequest__Output } from '../gen/mezzo/v1/SubscribeRequest.js';

/** Builds the handlers over a controller core. */
export function schedulerService(core: ControllerCore): SchedulerHandlers {
  const caller = (header: CallHeader__Output | null): FrameworkRecord | grpc.ServiceError => {
    const id = header?.framework_id ?? '';
    const fw = core.frameworks.get(id);
    if (!fw)
      return grpcError(grpc.status.NOT_FOUND, `framework ${id || '(none)'} is not subscribed`);
    if (header?.stream_id !== fw.streamId) {
      return grpcError(
        grpc.status.FAILED_PRECONDITION,
        "stream ID does not match the framework's current subscription",
      );
    }
    return fw;
  };
  const unary =
    <Req extends { header: CallHeader__Output | null }>(
      fn: (fw: FrameworkRecord, req: Req) => grpc.ServiceError | undefined,
    ) =>
    (call: grpc.ServerUnaryCall<Req, object>, cb: grpc.sendUnaryData<object>) => {
      const fw = caller(call.request.header);
      if (fw instanceof Error) {
        cb(fw);
        return;
      }
      const err = fn(fw, call.request);
      if (err) cb(err);
      else cb(null, {});
    };

  return {
    Subscribe(call: EventStream) {
      subscribe(core, call);
    },
    Accept: unary((fw, req) => {
      const plan = planAccept(
        fw.id,
        req.offer_ids,
        req.operations,
        (id) => core.offers.get(id),
        (id) => core.tasks.has(id),
      );
      if ('code' in plan) return grpcError(plan.code, plan.message);
      carryOutAccept(core, fw, plan, req.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS);
      return undefined;
    }),
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
      noteOfferOutcome(core, fw, false);
      return undefined;
    }),
    Revive: unary((fw, req) => {
      core.allocator.reviveOffers(fw.id, req.roles.length > 0 ? req.roles : undefined);
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
    Reconcile: unary((fw, req) => {
      reconcileForFramework(core, fw, req.tasks);
      return undefined;
    }),
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
 * Subscribes (or fails over) a framework on a stream: SUBSCRIBED first, heartbeats, what
 * it missed, and a disconnection (failover timeout started) when the stream goes away.
 */
export function subscribe(core: ControllerCore, call: SubscriberStream): void {
  const info = call.request.framework_info;
  if (!info || info.roles.length === 0 || !info.name) {
    call.emit(
      'error',
      grpcError(grpc.status.INVALID_ARGUMENT, 'framework_info needs a name and at least one role'),
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
    };
    core.frameworks.set(id, fw);
    // Tasks already running (known from agent re-registration) count as allocated.
    for (const a of core.agents.values()) {
      const r = core.usedOn(a).get(id);
      if (r) used.set(a.id, r);
    }
    core.allocator.addFramework(id, { roles: info.roles }, used);
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
  core.refreshGauges();
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
  core.rescindWhere((o) => o.frameworkId === fw.id);
  const timeoutMs = Math.max(0, (fw.info.failover_timeout_seconds || 0) * 1000);
  core.log.info('framework disconnected', { framework: fw.id, failoverTimeoutMs: timeoutMs });
  fw.failoverTimer = core.clock.setTimer(timeoutMs, () => {
    if (!fw.connected && core.frameworks.get(fw.id) === fw)
      core.removeFramework(fw, 'failover timeout expired');
  });
  core.opts.onFrameworkChanged?.(fw, false);
  core.refreshGauges();
}
