/**
 * Who a launched task runs as, and whether its framework may launch it so (issue 13): the
 * task's `user`, else its framework's (Mesos FrameworkInfo.user), else the default user
 * its agent declared at registration (`nobody` when it declared none) — the rule the
 * agent applies. Each such user must be granted to the principal that subscribed the
 * framework as verb `run-as` on the cluster-scoped resource `users` (group `mezzo.dev`),
 * named after the user, as Mesos' `run_tasks` ACL does. Without access control (tests of
 * the core alone) every user is allowed.
 */
import type { AcceptRequest__Output } from '../gen/mezzo/v1/AcceptRequest.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { AccessRequest, Decision } from '../auth/types.js';
import { denialMessage } from '../auth/describe.js';
import type { ControllerCore } from './core.js';
import type { FrameworkRecord } from './records.js';

/** The user an agent runs a task as when nothing names one and the agent declared none. */
export const FALLBACK_TASK_USER = 'nobody';

/** The user `task` runs as on an agent whose default user is `agentDefault`. */
export function effectiveUser(
  task: Pick<TaskInfo__Output, 'command'>,
  frameworkUser: string,
  agentDefault: string,
): string {
  return task.command?.user || frameworkUser || agentDefault || FALLBACK_TASK_USER;
}

/** The authorization question for launching a task as `user`. */
export function runAsRequest(user: string): AccessRequest {
  return { resource: { verb: 'run-as', group: 'mezzo.dev', resource: 'users', name: user } };
}

/** The outcome for one accept: each launched task's user, and the refused users with why. */
export interface RunAsDecisions {
  /** Task ID → the user it runs as, fixed before the (asynchronous) authorization. */
  readonly users: ReadonlyMap<string, string>;
  /** User → the TASK_ERROR message for each task that would run as that user. */
  readonly denied: ReadonlyMap<string, string>;
}

/**
 * Authorizes every user the accept's LAUNCH operations would run as, each user once.
 * The agent is the one the first named offer is on (all offers of an accept share one;
 * an accept naming none is refused by the plan). Rejects only when the authorizer fails.
 */
export async function authorizeRunAs(
  core: ControllerCore,
  fw: FrameworkRecord,
  req: AcceptRequest__Output,
): Promise<RunAsDecisions> {
  const offer = core.offers.get(req.offer_ids[0] ?? '');
  const agentDefault = (offer && core.agents.get(offer.agentId)?.info.default_user) ?? '';
  const users = new Map<string, string>();
  for (const op of req.operations) {
    if (op.type !== 'LAUNCH') continue;
    for (const t of op.tasks) users.set(t.task_id, effectiveUser(t, fw.info.user, agentDefault));
  }
  const denied = new Map<string, string>();
  const authorizer = core.opts.access?.authorizer;
  if (!authorizer) return { users, denied };
  const principal = fw.principal;
  const distinct = [...new Set(users.values())];
  const decisions: Decision[] = await Promise.all(
    distinct.map((user) =>
      principal
        ? authorizer.authorize(principal, runAsRequest(user))
        : Promise.resolve<Decision>({
            allowed: false,
            reason: 'the framework was subscribed without an authenticated principal',
          }),
    ),
  );
  for (const [i, user] of distinct.entries()) {
    const d = decisions[i];
    if (!d || d.allowed) continue;
    const why = principal ? denialMessage(principal, runAsRequest(user), d.reason) : d.reason;
    denied.set(user, `not authorized to run tasks as user "${user}": ${why}`);
  }
  return { users, denied };
}
