/**
 * Creating many objects at once and timing, through an apiserver watch, when each is
 * first seen in a state. Both halves of the side-by-side bench use these, so Pods and
 * Tasks are created and observed the same way.
 */
import * as k8s from '@kubernetes/client-node';

/**
 * Runs `create(i)` for i in [0, n) with at most `inFlight` at once, recording in the
 * returned map each name's time (performance.now()) just before its request is sent.
 */
export async function createAll(
  n: number,
  inFlight: number,
  name: (i: number) => string,
  create: (name: string) => Promise<unknown>,
): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const id = name(next++);
      created.set(id, performance.now());
      await createSurely(id, create);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  return created;
}

/**
 * One create, sent again when its connection was reset under it (the apiserver closed a
 * kept-alive socket as the request went out: one run of 5,000 lost a create so and
 * ended): whether the first got there is unknown, so a retry answered 409 AlreadyExists
 * counts as created. Any other failure ends the run.
 */
async function createSurely(id: string, create: (name: string) => Promise<unknown>) {
  for (let attempt = 1; ; attempt++) {
    try {
      await create(id);
      return;
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      if (attempt > 1 && e.code === 409) return;
      const reset = e.code === 'ECONNRESET' || String(e.message).includes('socket hang up');
      if (!reset || attempt >= 3) throw err;
    }
  }
}

/** A watch recording when each object was first seen in a state. */
export interface FirstSeen {
  /** Name → performance.now() when first seen matching. */
  readonly at: Map<string, number>;
  /** Ends the watch. */
  stop(): void;
}

/**
 * Watches `path` (a collection, e.g. /api/v1/namespaces/x/pods) from now on and records
 * the first time each object whose name starts with `prefix` satisfies `matches`. A
 * watch that ends early (the apiserver closes long watches) is opened again from the
 * last resourceVersion seen.
 */
export async function watchFirstSeen(
  kc: k8s.KubeConfig,
  path: string,
  prefix: string,
  matches: (o: Record<string, unknown>) => boolean,
): Promise<FirstSeen> {
  const at = new Map<string, number>();
  const watch = new k8s.Watch(kc);
  let stopped = false;
  let current: AbortController | undefined;
  let resourceVersion: string | undefined;
  const open = async (): Promise<void> => {
    current = await watch.watch(
      path,
      {
        allowWatchBookmarks: true,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      (_type: string, obj: k8s.KubernetesObject & Record<string, unknown>) => {
        const now = performance.now();
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        const name = obj.metadata?.name ?? '';
        if (name.startsWith(prefix) && !at.has(name) && matches(obj)) at.set(name, now);
      },
      () => {
        if (!stopped) setTimeout(() => void open().catch(() => undefined), 100);
      },
    );
  };
  await open();
  return {
    at,
    stop: () => {
      stopped = true;
      current?.abort();
    },
  };
}

/**
 * Deletes a collection until `remaining()` finds none. The apiserver deletes a collection
 * one object at a time (`--delete-collection-workers`, default 1) inside its 60 s request
 * timeout, so a request for 20,000 pods ends, its connection reset, with part of them
 * gone: another request takes the rest. Fails after `limitMs` with objects left.
 */
export async function deleteAllSurely(
  what: string,
  deleteCollection: () => Promise<unknown>,
  remaining: () => Promise<number>,
  limitMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      await deleteCollection();
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const cut =
        e.code === 'ECONNRESET' ||
        e.code === 504 ||
        String(e.message).includes('socket hang up') ||
        String(e.message).includes('timeout');
      if (!cut) throw err;
    }
    const left = await remaining();
    if (left === 0) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${String(left)} left after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
