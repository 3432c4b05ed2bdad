/**
 * The scheduler client every built-in framework subscribes with: the same user and the
 * same long failover timeout (a week, so that tasks outlive any controller outage short
 * of that), checkpointing on, and the framework ID its Framework object recorded.
 */
import { SchedulerClient } from '../sdk/scheduler-client.js';

/** How long a built-in framework's tasks outlive its disconnection. */
export const BUILTIN_FAILOVER_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** A client for the built-in framework `name`. */
export function builtinClient(
  name: string,
  opts: { address: string; frameworkId?: string },
  roles: string[] = ['default'],
): SchedulerClient {
  return new SchedulerClient({
    address: opts.address,
    framework: {
      id: opts.frameworkId ?? '',
      name,
      user: 'nobody',
      roles,
      failover_timeout_seconds: BUILTIN_FAILOVER_TIMEOUT_SECONDS,
      checkpoint: true,
    },
  });
}
