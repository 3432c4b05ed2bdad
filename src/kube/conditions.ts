/**
 * Kubernetes-style conditions (metav1.Condition) set without churn: writing the same
 * status, reason and message again changes nothing, and `lastTransitionTime` moves only
 * when `status` flips — so level-based reconcilers can call {@link setCondition} on
 * every pass and write only when it reports a change.
 */

/** One condition, as stored in `.status.conditions`. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Sets (or adds) a condition; returns the new list and whether anything changed. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  nowMs: number,
): { conditions: Condition[]; changed: boolean } {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prior = i >= 0 ? list[i] : undefined;
  if (
    prior &&
    prior.status === next.status &&
    prior.reason === next.reason &&
    prior.message === next.message &&
    prior.observedGeneration === next.observedGeneration
  ) {
    return { conditions: list, changed: false };
  }
  const lastTransitionTime =
    prior && prior.status === next.status
      ? prior.lastTransitionTime
      : new Date(nowMs).toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = updated;
  else list.push(updated);
  return { conditions: list, changed: true };
}

/** The condition of a type, if present. */
export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
