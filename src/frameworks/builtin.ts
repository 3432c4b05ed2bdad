/**
 * The frameworks that ship with Mezzo — default (Task objects), apps (App objects,
 * Marathon-style) and schedules (Schedule objects, Chronos-style) — hosted next to the
 * controller by `mezzo dev` and `mezzo controller`. Each is a client of the scheduler API
 * like any other framework; each resubscribes with the framework ID that its Framework
 * mirror recorded, so a restarted or failed-over controller keeps their tasks.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/types.js';
import { FRAMEWORK_NAME_LABEL, type RecordEvent } from '../controller/controller.js';
import { DefaultFramework } from './default/default-framework.js';
import { AppFramework } from './apps/app-framework.js';
import { ScheduleFramework } from './schedules/schedule-framework.js';

/** What every built-in framework is given. */
export interface BuiltinFrameworkOptions {
  /** Controller gRPC address. */
  address: string;
  /** The bearer token the framework subscribes with (default: as the SDK finds one). */
  token?: string;
  /** TLS: the controller's CA (PEM) and the name its certificate carries. */
  ca?: string | Buffer;
  serverName?: string;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** Framework ID to resubscribe with, when this framework registered before. */
  frameworkId?: string;
  /** Where user-visible events go (Kubernetes Events in a cluster). */
  recordEvent?: RecordEvent;
  /**
   * How often the framework reconciles its tasks with the controller and fixes its
   * objects' statuses from the answers (ms; default 60 s).
   */
  reconcileIntervalMs?: number;
}

/** A built-in framework's lifecycle. */
export interface BuiltinFramework {
  /** The framework ID once subscribed. */
  readonly id: string;
  /** Subscribes and starts watching its objects. */
  start(): Promise<void>;
  /** Stops; tasks keep running and a later start resubscribes as the same framework. */
  stop(): void;
}

/** Settings for {@link startBuiltinFrameworks}. */
export interface StartBuiltinOptions extends Omit<BuiltinFrameworkOptions, 'frameworkId'> {
  /** Namespace of the Framework mirrors (the controller's task namespace). */
  namespace: string;
}

/** The framework ID each built-in framework registered with before, from the Framework mirrors. */
export async function previousFrameworkIds(
  store: Store,
  namespace: string,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const o of await store.list('Framework')) {
    const name = o.metadata.labels?.[FRAMEWORK_NAME_LABEL];
    const id = (o.status as { frameworkId?: string } | undefined)?.frameworkId;
    if (o.metadata.namespace === namespace && name && id && !ids.has(name)) ids.set(name, id);
  }
  return ids;
}

/** Starts the default, apps and schedules frameworks; resolves with a function that stops them. */
export async function startBuiltinFrameworks(opts: StartBuiltinOptions): Promise<() => void> {
  const { namespace, ...shared } = opts;
  const makers: [string, (o: BuiltinFrameworkOptions) => BuiltinFramework][] = [
    ['default', (o) => new DefaultFramework(o)],
    ['apps', (o) => new AppFramework(o)],
    ['schedules', (o) => new ScheduleFramework(o)],
  ];
  const previous = await previousFrameworkIds(opts.store, namespace);
  const started: BuiltinFramework[] = [];
  for (const [name, make] of makers) {
    const frameworkId = previous.get(name);
    const fw = make({
      ...shared,
      logger: opts.logger.child({ component: `${name}-framework` }),
      ...(frameworkId ? { frameworkId } : {}),
    });
    await fw.start();
    started.push(fw);
  }
  return () => {
    for (const fw of started.reverse()) fw.stop();
  };
}
