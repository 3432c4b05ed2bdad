/**
 * Runs an async function over a list with at most `limit` calls in flight: enough to
 * overlap round trips, bounded so that a list of thousands never opens thousands of
 * requests at once.
 */

/**
 * Calls `fn` on every item, at most `limit` at a time; resolves when all have settled.
 * `fn` is expected to handle its own failures: the first rejection rejects the whole,
 * after the calls already started have settled.
 */
export async function mapBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane);
  const results = await Promise.allSettled(lanes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
