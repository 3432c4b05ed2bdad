/**
 * A Mesos request the adapter cannot carry out as asked: a feature Mezzo does not have
 * (custom executors, container images, volumes...) or a value it cannot map. Answered
 * with 400 and this message, never dropped silently.
 */
export class Refused extends Error {
  override readonly name = 'Refused';
}

/**
 * Runs a translation that signals a refusal by throwing {@link Refused} deep inside
 * nested mappings, and returns the refusal as a value at the boundary.
 */
export function refusedOr<T>(fn: () => T): T | Refused {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Refused) return err;
    throw err;
  }
}
