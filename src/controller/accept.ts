/**
 * Validation of an ACCEPT call, done in full before anything changes: every offer is
 * outstanding, belongs to the caller and is on one agent; every LAUNCH names a new task
 * ID and takes resources that are still left in the offers; RESERVE and UNRESERVE move
 * resources between unreserved and reserved. A rejection is a value with a gRPC code.
 * A task whose resources are invalid or could not be enforced (no cpus or mem to set a
 * CPU quota and memory limit from) does not fail the call: it is listed for TASK_ERROR.
 * A LAUNCH of a task group (Mesos' LAUNCH_GROUP, from src/compat/mesos/) is all or
 * nothing: one task invalid, or the group and its executor's resources not fitting in
 * what is left of the offers, lists every task of the group for TASK_ERROR
 * (REASON_TASK_GROUP_INVALID) and takes nothing, as Mesos' master does.
 */
import * as grpc from '@grpc/grpc-js';
import { Resources, taskLimitsProblem } from '../allocator/index.js';
import type { Operation__Output } from '../gen/mezzo/v1/Operation.js';
import type { Resource__Output } from '../gen/mezzo/v1/Resource.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { StatusReason } from '../gen/mezzo/v1/StatusReason.js';
import type { OfferRecord } from './records.js';
import { validateId } from './agent-validation.js';
import { TASK_GROUP_LABEL } from './task-group.js';

/** What makes a LAUNCH the launch of a task group (Mesos' LAUNCH_GROUP). */
export interface LaunchGroup {
  /** Unique to this launch: each task records it under {@link TASK_GROUP_LABEL}. */
  id: string;
  /**
   * The group's executor's resources. Mezzo runs no executor process: they must fit in
   * the offers with the tasks', as in Mesos, but are not held (they go back unused).
   */
  executor_resources: Resource__Output[];
  /** Why the wire adapter found the group invalid (its executor, say): all its tasks end TASK_ERROR. */
  invalid?: string;
}

/** An operation of an accept: Mezzo's own, or a LAUNCH of a task group. */
export type AcceptOperation = Operation__Output & { group?: LaunchGroup };

/** A validated plan for an accept. */
export interface AcceptPlan {
  agentId: string;
  role: string;
  offers: OfferRecord[];
  /** With the task group's ID for the tasks of a task group. */
  launches: { task: TaskInfo__Output; resources: Resources; group?: string }[];
  /**
   * Tasks refused for their resources (invalid scalars, or limits an agent could not
   * enforce), or for their user (REASON_TASK_UNAUTHORIZED, added by the caller): each is
   * answered with TASK_ERROR, as Mesos' master does, while the rest of the accept goes
   * ahead and their share of the offers is returned. No reason: REASON_TASK_INVALID.
   */
  invalid: { task: TaskInfo__Output; message: string; reason?: StatusReason }[];
  conversions: { from: Resources; to: Resources }[];
  /** Offered resources not used by any operation. */
  unused: Resources;
}

/** A rejected call. */
export interface Rejection {
  code: grpc.status;
  message: string;
}

/** Validates an accept; returns a plan or a rejection. Changes nothing. */
export function planAccept(
  frameworkId: string,
  offerIds: readonly string[],
  operations: readonly AcceptOperation[],
  lookupOffer: (id: string) => OfferRecord | undefined,
  taskExists: (id: string) => boolean,
): AcceptPlan | Rejection {
  if (offerIds.length === 0)
    return { code: grpc.status.INVALID_ARGUMENT, message: 'accept names no offers' };
  const offers: OfferRecord[] = [];
  for (const id of offerIds) {
    const o = lookupOffer(id);
    if (!o)
      return {
        code: grpc.status.NOT_FOUND,
        message: `offer ${id} is not outstanding (declined, rescinded or timed out)`,
      };
    if (o.frameworkId !== frameworkId) {
      return {
        code: grpc.status.PERMISSION_DENIED,
        message: `offer ${id} was made to another framework`,
      };
    }
    offers.push(o);
  }
  const first = offers[0];
  if (!first) return { code: grpc.status.INVALID_ARGUMENT, message: 'accept names no offers' };
  if (offers.some((o) => o.agentId !== first.agentId)) {
    return {
      code: grpc.status.INVALID_ARGUMENT,
      message: 'all offers of one accept must be for the same agent',
    };
  }
  if (new Set(offerIds).size !== offerIds.length) {
    return { code: grpc.status.INVALID_ARGUMENT, message: 'an offer is named twice' };
  }
  let left = offers.reduce((acc, o) => acc.add(o.resources), Resources.EMPTY);
  const launches: AcceptPlan['launches'] = [];
  const invalid: AcceptPlan['invalid'] = [];
  const conversions: AcceptPlan['conversions'] = [];
  const newIds = new Set<string>();
  for (const [i, op] of operations.entries()) {
    switch (op.type) {
      case 'LAUNCH': {
        const check = (task: TaskInfo__Output) => checkTask(task, i, taskExists, newIds);
        if (op.group) {
          const group = planGroup(op.tasks, op.group, check, left);
          if ('code' in group) return group;
          left = left.subtract(group.taken);
          launches.push(...group.launches);
          invalid.push(...group.invalid);
          break;
        }
        for (const task of op.tasks) {
          const checked = check(task);
          if ('code' in checked) return checked;
          if ('invalid' in checked) {
            invalid.push({ task, message: checked.invalid });
            continue;
          }
          if (!left.contains(checked.resources)) return exceeds(task, checked.resources, left);
          left = left.subtract(checked.resources);
          launches.push({ task, resources: checked.resources });
        }
        break;
      }
      case 'RESERVE':
      case 'UNRESERVE': {
        const parsed = Resources.tryFromProto(op.resources);
        if (!parsed.ok) {
          return {
            code: grpc.status.INVALID_ARGUMENT,
            message: `operation ${i}: ${parsed.error.message}`,
          };
        }
        const target = parsed.resources;
        // RESERVE turns unreserved resources into reserved ones; UNRESERVE the reverse.
        if (!target.unreserved().isEmpty()) {
          return {
            code: grpc.status.INVALID_ARGUMENT,
            message: `operation ${i}: ${op.type} resources must carry a reservation`,
          };
        }
        const from = op.type === 'RESERVE' ? target.flatten() : target;
        const to = op.type === 'RESERVE' ? target : target.flatten();
        if (!left.contains(from)) {
          return {
            code: grpc.status.INVALID_ARGUMENT,
            message: `operation ${i}: ${from.toString()} is not in the offers`,
          };
        }
        left = left.subtract(from).add(to);
        conversions.push({ from, to });
        break;
      }
      default:
        return {
          code: grpc.status.INVALID_ARGUMENT,
          message: `operation ${i}: unsupported type ${op.type}`,
        };
    }
  }
  return {
    agentId: first.agentId,
    role: first.role,
    offers,
    launches,
    invalid,
    conversions,
    unused: left,
  };
}

/** A task's own checks: a rejection of the call, a reason for TASK_ERROR, or its resources. */
function checkTask(
  task: TaskInfo__Output,
  i: number,
  taskExists: (id: string) => boolean,
  newIds: Set<string>,
): Rejection | { invalid: string } | { resources: Resources } {
  const reject = (message: string) => ({ code: grpc.status.INVALID_ARGUMENT, message });
  if (!task.task_id) return reject(`operation ${i}: a task has no task_id`);
  const badId = validateId(task.task_id, `operation ${i}: task_id`);
  if (badId !== undefined) return reject(badId);
  if (taskExists(task.task_id) || newIds.has(task.task_id))
    return reject(`task ID ${task.task_id} is already in use`);
  if (!task.command?.value) return reject(`task ${task.task_id} has no command`);
  newIds.add(task.task_id);
  const parsed = Resources.tryFromProto(task.resources);
  if (!parsed.ok)
    return { invalid: `task ${task.task_id} has invalid resources: ${parsed.error.message}` };
  const unenforceable = taskLimitsProblem(parsed.resources);
  if (unenforceable !== undefined)
    return { invalid: `task ${task.task_id} cannot be limited: ${unenforceable}` };
  return { resources: parsed.resources };
}

function exceeds(task: TaskInfo__Output, res: Resources, left: Resources): Rejection {
  return {
    code: grpc.status.INVALID_ARGUMENT,
    message: `task ${task.task_id} asks for ${res.toString()}, more than is left in the offers (${left.toString()})`,
  };
}

/**
 * A task group against what is left of the offers: every task launches, or none does and
 * each is listed for TASK_ERROR with the group's first problem. A rejection of the call
 * (a task ID in use, say) is the same as for a LAUNCH: no task could be recorded under it.
 */
function planGroup(
  tasks: readonly TaskInfo__Output[],
  group: LaunchGroup,
  check: (task: TaskInfo__Output) => Rejection | { invalid: string } | { resources: Resources },
  left: Resources,
): Rejection | (Pick<AcceptPlan, 'launches' | 'invalid'> & { taken: Resources }) {
  const labelled = tasks.map((t) => ({
    ...t,
    labels: { ...t.labels, [TASK_GROUP_LABEL]: group.id },
  }));
  let problem = group.invalid;
  let taken = Resources.EMPTY;
  const launches: AcceptPlan['launches'] = [];
  for (const task of labelled) {
    const checked = check(task);
    if ('code' in checked) return checked;
    if ('invalid' in checked) problem ??= checked.invalid;
    else {
      taken = taken.add(checked.resources);
      launches.push({ task, resources: checked.resources, group: group.id });
    }
  }
  const executor = Resources.tryFromProto(group.executor_resources);
  if (!executor.ok) problem ??= `the executor has invalid resources: ${executor.error.message}`;
  else if (!left.contains(taken.add(executor.resources)))
    problem ??= `the task group and its executor ask for ${taken.add(executor.resources).toString()}, more than is left in the offers (${left.toString()})`;
  if (problem === undefined) return { launches, invalid: [], taken };
  const message = problem;
  return {
    launches: [],
    invalid: labelled.map((task) => ({ task, message, reason: 'REASON_TASK_GROUP_INVALID' })),
    taken: Resources.EMPTY,
  };
}
