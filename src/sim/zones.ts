/**
 * Zone names for agents spread over `zones` zones: `a`, `b`, `c`… (the names the
 * wordcount example's job uses), then `zone-27`, `zone-28`… past the alphabet. Shared by
 * the simulated agents and `mezzo dev --agents N`.
 */

/** The name of zone number `index` (from 0). */
export function zoneName(index: number): string {
  return index < 26 ? String.fromCharCode(97 + index) : `zone-${String(index + 1)}`;
}

/** The zone of agent number `agent` (from 0) when agents are dealt round-robin over `zones`. */
export function zoneOf(agent: number, zones: number): string {
  return zoneName(agent % Math.max(1, zones));
}
