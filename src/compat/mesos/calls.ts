/**
 * The Mesos scheduler calls other than SUBSCRIBE, for a framework whose stream was
 * checked: each is carried out with the controller core's verbs (the ones Mezzo's gRPC
 * scheduler service uses) and answers nothing (202) or a {@link Refused} (400). As in
 * Mesos, what happens to offers and tasks after a well-formed call is told on the event
 * stream: an ACCEPT of offers no longer outstanding is answered with TASK_LOST (or
 * TASK_DROPPED for a PARTITION_AWARE framework) updates, not with an error. ACCEPT goes
 * through the same accept-call.ts as the gRPC service: the users its launches run as are
 * authorized first (`run-as`), and a task whose user is refused ends TASK_ERROR with
 * REASON_TASK_UNAUTHORIZED.
 */

/** What a call is answered with: nothing (202), a refusal (400) or another status. */
export type CallAnswer = Refused | HttpError | undefined;

/** The framework as it is now, or why the call may no longer act for it. */
export type CurrentFramework = () => FrameworkRecord | grpc.ServiceError;
import * as grpc from '@grpc/grpc-js';
import { planAccept, type AcceptOperation } from '../../controller/accept.js';
import { acceptCall, DEFAULT_REFUSE_SECONDS } from '../../controller/accept-call.js';
import type { ControllerCore } from '../../controller/core.js';
import type { FrameworkRecord } from '../../controller/records.js';
import { acknowledged } from '../../controller/status-flow.js';
import { killForFramework, reconcileForFramework } from '../../controller/scheduler-calls.js';
import { HttpError } from '../../shared/http/errors.js';
import type { MesosCall, MesosFrameworkInfo, MesosOperation } from './types.js';
import { resourceFromMesos } from './resources.js';
import { taskFromMesos } from './tasks.js';
import { launchGroupFromMesos } from './task-group.js';
import { Refused, refusedOr } from './refused.js';
import { frameworkInfoFromMesos } from './frameworks.js';

const NANOS_PER_SECOND = 1e9;

function operationFromMesos(op: MesosOperation, i: number, frameworkId: string): AcceptOperation {
  if (op.id !== undefined)
    throw new Refused(`operation ${String(i)}: operation feedback (id) is not supported by Mezzo`);
  switch (op.type) {
    case 'LAUNCH':
      return {
        type: 'LAUNCH',
        tasks: (op.launch?.task_infos ?? []).map(taskFromMesos),
        resources: [],
      };
    case 'RESERVE':
      if (op.reserve?.source && op.reserve.source.length > 0)
        throw new Refused(
          `operation ${String(i)}: RESERVE with source (re-reservation) is not supported`,
        );
      return {
        type: 'RESERVE',
        tasks: [],
        resources: (op.reserve?.resources ?? []).map(resourceFromMesos),
      };
    case 'UNRESERVE':
      return {
        type: 'UNRESERVE',
        tasks: [],
        resources: (op.unreserve?.resources ?? []).map(resourceFromMesos),
      };
    case 'LAUNCH_GROUP':
      return launchGroupFromMesos(op, i, frameworkId);
    default:
      throw new Refused(
        `operation ${String(i)}: ${op.type ?? 'an untyped operation'} is not supported by Mezzo`,
      );
  }
}

/** Answers every task of a failed ACCEPT with an update saying why, as Mesos' master does. */
function acceptFailed(
  core: ControllerCore,
  fw: FrameworkRecord,
  offerIds: readonly string[],
  operations: readonly AcceptOperation[],
  refuse: number,
  message: string,
): void {
  // The offers named are used up (their resources go back under the filter).
  const offersBad = offerIds.some((id) => core.offers.get(id)?.frameworkId !== fw.id);
  const partitionAware = fw.info.capabilities.includes('PARTITION_AWARE');
  const lost = partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
  for (const id of offerIds) {
    const o = core.offers.get(id);
    if (o?.frameworkId === fw.id) core.recoverOffer(core.offers.take(id) ?? o, refuse);
  }
  for (const task of operations.flatMap((op) => op.tasks)) {
    core.sendTo(fw.id, {
      type: 'UPDATE',
      update: {
        status: {
          task_id: task.task_id,
          state: offersBad ? lost : 'TASK_ERROR',
          reason: offersBad ? 'REASON_INVALID_OFFERS' : 'REASON_TASK_INVALID',
          message,
          source: 'SOURCE_MASTER',
          agent_id: task.agent_id,
          framework_id: fw.id,
          timestamp: core.clock.now() / 1000,
        },
      },
    });
  }
}

async function accept(
  core: ControllerCore,
  fw: FrameworkRecord,
  a: NonNullable<MesosCall['accept']>,
  current: CurrentFramework,
): Promise<CallAnswer> {
  const operations = refusedOr(() =>
    (a.operations ?? []).map((op, i) => operationFromMesos(op, i, fw.id)),
  );
  if (operations instanceof Refused) return operations;
  const offerIds = (a.offer_ids ?? []).map((o) => o.value);
  const refuse = a.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
  // Checked first so that an ACCEPT of offers gone is answered without asking the
  // authorizer; accept-call.ts plans again once the run-as users are authorized.
  const plan = planAccept(
    fw.id,
    offerIds,
    operations,
    (id) => core.offers.get(id),
    (id) => core.tasks.has(id),
  );
  if ('code' in plan) {
    acceptFailed(core, fw, offerIds, operations, refuse, plan.message);
    return undefined;
  }
  const failed = await acceptCall(
    core,
    fw,
    { header: null, offer_ids: offerIds, operations, filters: { refuse_seconds: refuse } },
    current,
  );
  if (!failed) return undefined;
  if (failed.code === grpc.status.UNAVAILABLE)
    return new HttpError(503, 'UNAVAILABLE', failed.details);
  if (current() !== fw) return new HttpError(403, 'FORBIDDEN', failed.details);
  // The offers changed while the users were authorized (one rescinded, say).
  acceptFailed(core, fw, offerIds, operations, refuse, failed.details);
  return undefined;
}

function decline(
  core: ControllerCore,
  fw: FrameworkRecord,
  d: NonNullable<MesosCall['decline']>,
): void {
  const refuse = d.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
  let declined = 0;
  // Mesos ignores offer IDs that are no longer outstanding (rescinded, timed out).
  for (const { value } of d.offer_ids ?? []) {
    if (core.offers.get(value)?.frameworkId !== fw.id) continue;
    const o = core.offers.take(value);
    if (o) core.recoverOffer(o, refuse);
    declined++;
  }
  core.m.offers.inc({ result: 'declined' }, declined);
  core.answered(fw, false, declined);
  return undefined;
}

function rolesOf(
  fw: FrameworkRecord,
  roles: string[] | undefined,
  call: string,
): string[] | undefined | Refused {
  if (!roles || roles.length === 0) return undefined;
  const foreign = roles.find((r) => !fw.roles.includes(r));
  if (foreign !== undefined)
    return new Refused(`${call}: role ${foreign} is not one of the framework's roles`);
  return roles;
}

function updateFramework(
  core: ControllerCore,
  fw: FrameworkRecord,
  u: NonNullable<MesosCall['update_framework']>,
) {
  const info: MesosFrameworkInfo = u.framework_info;
  if (info.id?.value !== fw.id)
    return new Refused('update_framework.framework_info.id must be the framework ID of the call');
  const next = refusedOr(() => frameworkInfoFromMesos(info, u.offer_constraints));
  if (next instanceof Refused) return next;
  for (const key of ['user', 'principal', 'checkpoint'] as const) {
    if (next[key] !== fw.info[key]) return new Refused(`UPDATE_FRAMEWORK cannot change ${key}`);
  }
  const suppressed = rolesOf({ ...fw, roles: next.roles }, u.suppressed_roles, 'UPDATE_FRAMEWORK');
  if (suppressed instanceof Refused) return suppressed;
  if (fw.roles.join() !== next.roles.join())
    core.allocator.updateFramework(fw.id, { roles: next.roles });
  fw.roles = next.roles;
  fw.info = next;
  // The suppressed roles are replaced by the given set.
  const stay = new Set(suppressed ?? []);
  const unsuppress = next.roles.filter((r) => !stay.has(r));
  if (unsuppress.length > 0) core.reviveOffers(fw.id, unsuppress);
  if (stay.size > 0) core.allocator.suppressOffers(fw.id, [...stay]);
  core.opts.onFrameworkChanged?.(fw, false);
  return undefined;
}

/**
 * Carries out one call (not SUBSCRIBE) for `fw`, whose caller and stream were checked;
 * `current` tells whether that still holds after an asynchronous authorization.
 */
export async function carryOutCall(
  core: ControllerCore,
  fw: FrameworkRecord,
  call: MesosCall,
  current: CurrentFramework,
): Promise<CallAnswer> {
  const missing = (what: string) => new Refused(`a ${call.type ?? ''} call needs '${what}'`);
  switch (call.type) {
    case 'TEARDOWN':
      core.removeFramework(fw, 'teardown requested');
      return undefined;
    case 'ACCEPT':
      return call.accept ? accept(core, fw, call.accept, current) : missing('accept');
    case 'DECLINE':
      if (!call.decline) return missing('decline');
      decline(core, fw, call.decline);
      return undefined;
    case 'REVIVE':
    case 'SUPPRESS': {
      const roles = rolesOf(
        fw,
        (call.type === 'REVIVE' ? call.revive : call.suppress)?.roles,
        call.type,
      );
      if (roles instanceof Refused) return roles;
      if (call.type === 'REVIVE') core.reviveOffers(fw.id, roles);
      else core.allocator.suppressOffers(fw.id, roles);
      return undefined;
    }
    case 'KILL': {
      if (!call.kill) return missing('kill');
      const nanos = call.kill.kill_policy?.grace_period?.nanoseconds;
      killForFramework(
        core,
        fw,
        call.kill.task_id.value,
        nanos === undefined ? undefined : nanos / NANOS_PER_SECOND,
      );
      return undefined;
    }
    case 'SHUTDOWN': {
      if (!call.shutdown) return missing('shutdown');
      // A Mezzo task is its own executor, as a Mesos command task's executor has its ID.
      const task = core.tasks.get(call.shutdown.executor_id.value);
      if (task?.frameworkId !== fw.id)
        return new Refused(
          `executor ${call.shutdown.executor_id.value} is not known: Mezzo runs command tasks, each its own executor`,
        );
      killForFramework(core, fw, task.id, undefined);
      return undefined;
    }
    case 'ACKNOWLEDGE': {
      if (!call.acknowledge) return missing('acknowledge');
      const uuid = Buffer.from(call.acknowledge.uuid, 'base64');
      if (uuid.length === 0) return new Refused('acknowledge.uuid is empty');
      const task = core.tasks.get(call.acknowledge.task_id.value);
      // An acknowledgement of a task already forgotten is late, not wrong (as in Mesos).
      if (task?.frameworkId === fw.id) acknowledged(core, task, uuid);
      return undefined;
    }
    case 'RECONCILE':
      reconcileForFramework(
        core,
        fw,
        (call.reconcile?.tasks ?? []).map((t) => ({
          task_id: t.task_id.value,
          agent_id: t.agent_id?.value ?? '',
        })),
      );
      return undefined;
    case 'MESSAGE':
      return new Refused('Mezzo runs command tasks: there is no executor to message');
    case 'REQUEST':
      // Mesos' built-in allocator takes no action on requests either.
      return undefined;
    case 'UPDATE_FRAMEWORK':
      return call.update_framework
        ? updateFramework(core, fw, call.update_framework)
        : missing('update_framework');
    default:
      return new Refused(`${call.type ?? 'a call without type'} is not supported by Mezzo`);
  }
}
