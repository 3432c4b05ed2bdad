/**
 * Validation of an ACCEPT call, done in full before anything changes: every offer is
 * outstanding, belongs to the caller and is on one agent; every LAUNCH names a new task
 * ID and takes resources that are still left in the offers; RESERVE and UNRESERVE move
 * resources between unreserved and reserved. A rejection is a value with a gRPC code.
 * A task whose resources are invalid or could not be enforced (no cpus or mem to set a
 * CPU quota and memory limit from) does not fail the call: it is listed for TASK_ERROR.
 */
import * as grpc from '@grpc/grpc-js';
import { Resources, taskLimitsProblem } from '../allocator/index.js';
import type { Operation__Output } from '../gen/mezzo/v1/Operation.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { StatusReason } from '../gen/mezzo/v1/StatusReason.js';
import type { OfferRecord } from './records.js';
import { validateId } from './agent-validation.js';

/** A validated plan for an accept. */
export interface AcceptPlan {
  agentId: string;
  role: string;
  offers: OfferRecord[];
  launches: { task: TaskInfo__Output; resources: Resources }[];
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
  operations: readonly Operation__Output[],
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
      case 'LAUNCH':
        for (const task of op.tasks) {
          if (!task.task_id)
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `operation ${i}: a task has no task_id`,
            };
          const badId = validateId(task.task_id, `operation ${i}: task_id`);
          if (badId !== undefined) return { code: grpc.status.INVALID_ARGUMENT, message: badId };
          if (taskExists(task.task_id) || newIds.has(task.task_id)) {
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ID ${task.task_id} is already in use`,
            };
          }
          if (!task.command?.value) {
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ${task.task_id} has no command`,
            };
          }
          newIds.add(task.task_id);
          const parsed = Resources.tryFromProto(task.resources);
          if (!parsed.ok) {
            invalid.push({
              task,
              message: `task ${task.task_id} has invalid resources: ${parsed.error.message}`,
            });
            continue;
          }
          const res = parsed.resources;
          const unenforceable = taskLimitsProblem(res);
          if (unenforceable !== undefined) {
            invalid.push({
              task,
              message: `task ${task.task_id} cannot be limited: ${unenforceable}`,
            });
            continue;
          }
          if (!left.contains(res)) {
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ${task.task_id} asks for ${res.toString()}, more than is left in the offers (${left.toString()})`,
            };
          }
          left = left.subtract(res);
          launches.push({ task, resources: res });
        }
        break;
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
