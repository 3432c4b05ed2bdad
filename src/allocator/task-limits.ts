/**
 * Which task resources an agent can enforce. A task runs in a cgroup whose CPU quota and
 * memory limit come from its `cpus` and `mem`: a task without them would run unlimited,
 * so the controller refuses to launch it (TASK_ERROR) instead of letting it through.
 */
import type { Resources } from './resources.js';

/**
 * The fewest cpus a task may ask for: the allocator's minimum allocatable cpus, and at
 * the default 100 ms CFS period a 1 ms quota, the smallest the kernel accepts.
 */
export const MIN_TASK_CPUS = 0.01;

/**
 * Why a task asking for `res` cannot get enforceable limits (no cpus or fewer than
 * {@link MIN_TASK_CPUS}, no mem), or undefined when it can.
 */
export function taskLimitsProblem(res: Resources): string | undefined {
  const cpus = res.scalar('cpus');
  const min = String(MIN_TASK_CPUS);
  if (cpus === 0) {
    return `it asks for no cpus; a task needs at least ${min}, the smallest CPU quota an agent can enforce`;
  }
  if (cpus < MIN_TASK_CPUS) {
    return `its ${String(cpus)} cpus are fewer than ${min}, the smallest CPU quota an agent can enforce`;
  }
  if (res.scalar('mem') <= 0) {
    return 'it asks for no mem; a task needs some, or the agent could not set its memory limit';
  }
  return undefined;
}
