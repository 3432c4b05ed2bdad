/**
 * The scheduler client every built-in framework subscribes with: the same user and the
 * same long failover timeout (a week, so that tasks outlive any controller outage short
 * of that), checkpointing on, the framework ID its Framework object recorded, periodic
 * reconciliation, and no offer held long: one left unanswered is declined after a bound
 * (the default framework holds unused offers 1 s on purpose, far below it), and a
 * rejected accept declines its offers.
 */
import { SchedulerClient } from '../sdk/scheduler-client.js';
import type { TaskRef } from '../sdk/reconciliation.js';

/** How long a built-in framework's tasks outlive its disconnection. */
export const BUILTIN_FAILOVER_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** How often a built-in framework reconciles its tasks by default (ms). */
export const BUILTIN_RECONCILE_INTERVAL_MS = 60_000;

/**
 * Offers a built-in framework has not answered this long (ms) are declined by its client:
 * each answers every offer at once or within its own hold time, so only a bug can hold
 * one this long, and it must not starve the other frameworks.
 */
export const BUILTIN_OFFER_HOLD_LIMIT_MS = 10_000;

/** What a built-in framework's client is made from. */
export interface BuiltinClientOptions {
  address: string;
  /** The token the framework subscribes with (default: as the SDK finds one). */
  token?: string;
  /** TLS: the controller's CA (PEM) and the name its certificate carries. */
  ca?: string | Buffer;
  serverName?: string;
  frameworkId?: string;
  /** Periodic reconciliation (ms; default {@link BUILTIN_RECONCILE_INTERVAL_MS}). */
  reconcileIntervalMs?: number;
  /** The tasks the framework believes it has, asked about explicitly every round. */
  knownTasks?: () => TaskRef[];
}

/** A client for the built-in framework `name`. */
export function builtinClient(
  name: string,
  opts: BuiltinClientOptions,
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
    reconcileIntervalMs: opts.reconcileIntervalMs ?? BUILTIN_RECONCILE_INTERVAL_MS,
    offerHoldLimitMs: BUILTIN_OFFER_HOLD_LIMIT_MS,
    declineRejectedAccepts: true,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.serverName ? { serverName: opts.serverName } : {}),
    ...(opts.knownTasks ? { knownTasks: opts.knownTasks } : {}),
  });
}
