/**
 * Placing waiting instances on a batch of offers: for each app with instances to
 * launch, the offers are tried in order of how few of the app's instances their agent
 * holds (spreading), through the SDK's {@link OfferMatcher} (resources, ports and
 * Marathon constraints). What does not fit is reported with the offers' reasons, which
 * the app's status shows as `unplaced` / `unplacedReason`.
 */
import type { AgentFacts } from '../../sdk/constraints.js';
import type { Fit, OfferMatcher, TaskNeeds } from '../../sdk/offers.js';

/** Instances one app wants launched now. */
export interface Demand {
  /** The App's `namespace/name`. */
  app: string;
  count: number;
  needs: TaskNeeds;
  /** Offers of other roles do not fit. */
  role: string;
  /** Agents the app's live instances run on (one entry per instance), for constraints. */
  placed: AgentFacts[];
}

/** One instance placed on one offer. */
export interface Placement {
  app: string;
  matcher: OfferMatcher;
  fit: Extract<Fit, { ok: true }>;
}

/** Instances that did not fit, and why. */
export interface Unplaced {
  count: number;
  reason: string;
}

/** The outcome of {@link placeAll}. */
export interface PlacementResult {
  placements: Placement[];
  /** Per app with instances left over. */
  unplaced: Map<string, Unplaced>;
}

/** Whether an offer of `offerRole` may be used by an app of `appRole`. */
export function roleFits(offerRole: string, appRole: string): boolean {
  return offerRole === appRole || (offerRole === '' && appRole === 'default');
}

/**
 * Places as many instances of each demand as the offers allow. `knownValues` lists the
 * values a field takes across known agents (GROUP_BY). Apps are served in the order
 * given; the caller rotates that order between rounds so that no app starves another.
 */
export function placeAll(
  matchers: readonly OfferMatcher[],
  demands: readonly Demand[],
  knownValues: (field: string) => readonly string[],
): PlacementResult {
  const placements: Placement[] = [];
  const unplaced = new Map<string, Unplaced>();
  for (const d of demands) {
    const placed = [...d.placed];
    const load = (m: OfferMatcher) => placed.filter((a) => a.hostname === m.agent.hostname).length;
    let left = d.count;
    const reasons = new Set<string>();
    while (left > 0) {
      const ordered = [...matchers].sort((a, b) => load(a) - load(b));
      let fitted = false;
      for (const m of ordered) {
        if (!roleFits(m.offer.allocation_role, d.role)) {
          reasons.add(`${m.agent.hostname}: offered to role ${m.offer.allocation_role}`);
          continue;
        }
        const fit = m.take(d.needs, placed, knownValues);
        if (!fit.ok) {
          reasons.add(
            fit.reason.startsWith(m.agent.hostname)
              ? fit.reason
              : `${m.agent.hostname}: ${fit.reason}`,
          );
          continue;
        }
        placements.push({ app: d.app, matcher: m, fit });
        placed.push(m.agent);
        fitted = true;
        break;
      }
      if (!fitted) break;
      left--;
    }
    if (left > 0) {
      const reason =
        matchers.length === 0 ? 'no offers' : [...reasons].sort().join('; ') || 'no offer fits';
      unplaced.set(d.app, { count: left, reason });
    }
  }
  return { placements, unplaced };
}
