/**
 * ACCEPT, carried out: authorize the users its launches run as (asynchronously: on
 * Kubernetes a SubjectAccessReview), then validate and plan against the offers as they
 * are by then (one may have been rescinded meanwhile), and apply the plan. A task whose
 * user its framework's principal may not run as ends in TASK_ERROR with
 * REASON_TASK_UNAUTHORIZED and its share of the offers goes back; the rest of the accept
 * goes ahead. A task group goes as one: one of its tasks refused, all of them end in
 * TASK_ERROR with REASON_TASK_GROUP_UNAUTHORIZED, as in Mesos.
 */
import * as grpc from '@grpc/grpc-js';
import { grpcError } from '../shared/grpc.js';
import { describeError } from '../shared/errors.js';
import type { AcceptRequest__Output } from '../gen/mezzo/v1/AcceptRequest.js';
import type { ControllerCore } from './core.js';
import { planAccept, type AcceptOperation, type AcceptPlan } from './accept.js';
import { addLaunchedTask, refuseInvalidTasks } from './refused-tasks.js';
import { authorizeRunAs, type RunAsDecisions } from './run-as.js';
import type { FrameworkRecord } from './records.js';

/** An accept as the wires carry it: Mezzo's, whose LAUNCH may launch a task group. */
export type AcceptCallRequest = Omit<AcceptRequest__Output, 'operations'> & {
  operations: AcceptOperation[];
};

/** How long declined or unused resources stay away from a framework when it says nothing. */
export const DEFAULT_REFUSE_SECONDS = 5;

/**
 * Authorizes, then applies, `req` for the framework `fw` as `current()` finds it when the
 * authorization is answered (undefined, or an error, when it failed over meanwhile).
 */
export async function acceptCall(
  core: ControllerCore,
  fw: FrameworkRecord,
  req: AcceptCallRequest,
  current: () => FrameworkRecord | grpc.ServiceError,
): Promise<grpc.ServiceError | undefined> {
  let decisions: RunAsDecisions;
  try {
    decisions = await authorizeRunAs(core, fw, req);
  } catch (err) {
    // The authorizer failed (the apiserver unreachable): change nothing, the framework
    // may retry with the same offers while they last.
    return grpcError(
      grpc.status.UNAVAILABLE,
      `the launches could not be authorized: ${describeError(err)}`,
    );
  }
  const now = current();
  if (now instanceof Error) return now;
  if (now !== fw) {
    return grpcError(grpc.status.FAILED_PRECONDITION, 'the framework failed over during the call');
  }
  return applyAccept(core, fw, req, decisions);
}

/** Moves the launches whose user was refused (or a task of whose group's was) to the refused tasks. */
function refuseUnauthorized(plan: AcceptPlan, decisions: RunAsDecisions): void {
  const deniedOf = (task: AcceptPlan['launches'][number]['task']) => {
    const user = decisions.users.get(task.task_id);
    return user === undefined ? undefined : decisions.denied.get(user);
  };
  const groupDenied = new Map<string, string>();
  for (const { task, group } of plan.launches) {
    const denied = group === undefined || groupDenied.has(group) ? undefined : deniedOf(task);
    if (group !== undefined && denied !== undefined) groupDenied.set(group, denied);
  }
  const allowed: AcceptPlan['launches'] = [];
  for (const launch of plan.launches) {
    const { task, group } = launch;
    const denied = group === undefined ? deniedOf(task) : groupDenied.get(group);
    if (denied === undefined) {
      allowed.push(launch);
      continue;
    }
    const reason =
      group === undefined ? 'REASON_TASK_UNAUTHORIZED' : 'REASON_TASK_GROUP_UNAUTHORIZED';
    plan.invalid.push({ task, message: denied, reason });
    plan.unused = plan.unused.add(launch.resources);
  }
  plan.launches = allowed;
}

function applyAccept(
  core: ControllerCore,
  fw: FrameworkRecord,
  req: AcceptCallRequest,
  decisions: RunAsDecisions,
): grpc.ServiceError | undefined {
  const plan = planAccept(
    fw.id,
    req.offer_ids,
    req.operations,
    (id) => core.offers.get(id),
    (id) => core.tasks.has(id),
  );
  if ('code' in plan) return grpcError(plan.code, plan.message);
  refuseUnauthorized(plan, decisions);
  for (const o of plan.offers) core.offers.take(o.id);
  refuseInvalidTasks(core, fw, plan);
  for (const denied of new Set(decisions.denied.values()))
    core.opts.onFrameworkEvent?.(fw, 'Warning', 'RunAsDenied', denied);
  core.m.offers.inc({ result: 'accepted' }, plan.offers.length);
  core.answered(fw, plan.launches.length > 0 || plan.conversions.length > 0, plan.offers.length);
  for (const c of plan.conversions)
    core.allocator.updateAllocation(fw.id, plan.agentId, c.from, c.to);
  const agent = core.agents.get(plan.agentId);
  for (const { task, resources } of plan.launches) {
    const rec = addLaunchedTask(core, fw, plan, task, resources, false);
    agent?.tasks.add(rec.id);
    agent?.stream?.write({
      launch_task: {
        task: rec.info,
        framework: {
          id: fw.id,
          name: fw.info.name,
          user: fw.info.user,
          checkpoint: fw.info.checkpoint,
        },
      },
    });
    core.taskChanged(rec);
  }
  const refuse = req.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
  if (!plan.unused.isEmpty()) {
    if (plan.launches.length > 0 || plan.conversions.length > 0) {
      // What a launch leaves of its agent may fit the framework's next task: offered at once.
      core.allocator.recoverResources(fw.id, plan.agentId, plan.unused, {
        refuseSeconds: refuse,
      });
    } else {
      // An accept that did nothing is a decline, and waits for the next pass as one does.
      core.declineResources(fw.id, plan.agentId, plan.unused, refuse);
    }
  }
  return undefined;
}
