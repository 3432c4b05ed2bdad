/**
 * Validation of an ACCEPT call, done in full before anything changes: every offer is
 * outstanding, belongs to the caller and is on one agent; every LAUNCH names a new task
 * ID and takes resources that are still left in the offers; RESERVE and UNRESERVE move
 * resources between unreserved and reserved. A rejection is a value with a gRPC code.
 */
import * as grpc from '@grpc/grpc-js';
import { Resources } from '../allocator/index.js';
import type { Operation__Output } from '../gen/mezzo/v1/Operation.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { OfferRecord } from './records.js';

/** A validated plan for an accept. */
export interface AcceptPlan {
  agentId: string;
  role: string;
  offers: OfferRecord[];
  launches: { task: TaskInfo__Output; resources: Resources }[];
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
          let res: Resources;
          try {
            res = Resources.fromProto(task.resources);
          } catch (err) {
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ${task.task_id}: ${(err as Error).message}`,
            };
          }
          if (res.isEmpty())
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ${task.task_id} asks for no resources`,
            };
          if (!left.contains(res)) {
            return {
              code: grpc.status.INVALID_ARGUMENT,
              message: `task ${task.task_id} asks for ${res.toString()}, more than is left in the offers (${left.toString()})`,
            };
          }
          left = left.subtract(res);
          newIds.add(task.task_id);
          launches.push({ task, resources: res });
        }
        break;
      case 'RESERVE':
      case 'UNRESERVE': {
        let target: Resources;
        try {
          target = Resources.fromProto(op.resources);
        } catch (err) {
          return {
            code: grpc.status.INVALID_ARGUMENT,
            message: `operation ${i}: ${(err as Error).message}`,
          };
        }
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
  return { agentId: first.agentId, role: first.role, offers, launches, conversions, unused: left };
}
