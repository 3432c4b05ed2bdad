/**
 * Offer matching for framework authors: does a task fit what an offer has left, on an
 * agent its constraints allow, with the host ports it wants — and if so, take those
 * resources so the next task in the same offer sees only the rest. One matcher per offer
 * per round: the usual loop is "for each offer, for each waiting task, take() and launch".
 */
import { Resources } from '../allocator/index.js';
import type { Offer__Output } from '../gen/mezzo/v1/Offer.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';
import { checkAll, type AgentFacts, type Constraint } from './constraints.js';

/** What one task needs from an offer. */
export interface TaskNeeds {
  cpus: number;
  /** MiB as a number, or a quantity such as `128Mi`. */
  mem: number | string;
  disk?: number | string;
  gpus?: number;
  /** Host ports: how many free ports, or a list where 0 asks for any free port. */
  ports?: number | readonly number[];
  /** Marathon-style placement rules; `hostname` or an agent attribute. */
  constraints?: readonly Constraint[];
}

/** The outcome of {@link OfferMatcher.take}: the resources to launch with, or why not. */
export type Fit =
  { ok: true; resources: Resource[]; ports: number[] } | { ok: false; reason: string };

/** One offer's facts and what is left of it. */
export class OfferMatcher {
  /** The offering agent's hostname and attributes, as constraints see them. */
  readonly agent: AgentFacts;
  private left: Resources;
  private readonly freePorts: { begin: number; end: number }[];
  private readonly takenPorts = new Set<number>();

  constructor(readonly offer: Offer__Output) {
    this.agent = {
      hostname: offer.hostname,
      attributes: Object.fromEntries(offer.attributes.map((a) => [a.name, a.text])),
    };
    this.left = Resources.fromProto(offer.resources);
    this.freePorts = offer.resources
      .filter((r) => r.name === 'ports')
      .flatMap((r) => r.ranges.map((x) => ({ begin: x.begin, end: x.end })));
  }

  /** Scalar resources still unclaimed in this offer (with their reservations). */
  get remaining(): Resources {
    return this.left;
  }

  /**
   * Takes what `needs` asks for when it fits. `placed` are the agents where the task's
   * siblings run (for UNIQUE, MAX_PER, GROUP_BY and CLUSTER); `knownValues` lists every
   * value a field has across the cluster (for GROUP_BY).
   */
  take(
    needs: TaskNeeds,
    placed: readonly AgentFacts[] = [],
    knownValues: (field: string) => readonly string[] = () => [],
  ): Fit {
    // Needs come from objects a user wrote: a malformed one is a refusal, never a throw.
    const asked = portsAsked(needs.ports);
    if (typeof asked === 'string') return { ok: false, reason: asked };
    if (needs.constraints !== undefined && !Array.isArray(needs.constraints))
      return { ok: false, reason: 'constraints must be a list' };
    let scalars: Resources;
    try {
      const broken = checkAll(needs.constraints ?? [], this.agent, placed, knownValues);
      if (broken.length > 0) return { ok: false, reason: broken.join('; ') };
      scalars = scalarNeeds(needs);
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    const picked = this.left.pickScalars(scalars.quantities());
    if (!picked) {
      return {
        ok: false,
        reason: `${this.offer.hostname} has ${this.left.flatten().toString()} left, the task needs ${scalars.toString()}`,
      };
    }
    const ports = this.pickPorts(asked);
    if (!ports)
      return { ok: false, reason: `${this.offer.hostname} lacks the host ports asked for` };
    this.left = this.left.subtract(picked);
    for (const p of ports) this.takenPorts.add(p);
    const resources = picked.toProto() as unknown as Resource[];
    for (const p of ports) {
      // Named with the reservations of the offered range it comes from.
      const from = this.offer.resources.find(
        (r) => r.name === 'ports' && r.ranges.some((x) => p >= x.begin && p <= x.end),
      );
      resources.push({
        name: 'ports',
        type: 'RANGES',
        ranges: [{ begin: p, end: p }],
        reservations: from?.reservations ?? [],
      });
    }
    return { ok: true, resources, ports };
  }

  private offered(p: number): boolean {
    return this.freePorts.some((r) => p >= r.begin && p <= r.end) && !this.takenPorts.has(p);
  }

  private *lowestFree(skip: ReadonlySet<number>): Generator<number> {
    for (const r of this.freePorts) {
      for (let q = r.begin; q <= r.end; q++) if (!this.takenPorts.has(q) && !skip.has(q)) yield q;
    }
  }

  private freeCount(): number {
    let n = 0;
    for (const r of this.freePorts) n += r.end - r.begin + 1;
    return n - this.takenPorts.size;
  }

  // Fixed ports first, so that "any" never takes a port a fixed one needs.
  private pickPorts(asked: readonly number[]): number[] | undefined {
    // More ports than the offer has left can never fit: say so before building anything.
    if (asked.length > this.freeCount()) return undefined;
    const out = new Array<number>(asked.length).fill(0);
    const claimed = new Set<number>();
    for (const [i, p] of asked.entries()) {
      if (p === 0) continue;
      if (!this.offered(p) || claimed.has(p)) return undefined;
      out[i] = p;
      claimed.add(p);
    }
    // "Any" ports: the lowest free ones, in order.
    const free = this.lowestFree(claimed);
    for (const [i, p] of asked.entries()) {
      if (p !== 0) continue;
      const q = free.next();
      if (q.done) return undefined;
      out[i] = q.value;
    }
    return out;
  }
}

/** The most host ports one task may ask for: every port there is. */
export const MAX_PORTS = 65535;

const isPort = (p: unknown): p is number =>
  typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= MAX_PORTS;

/**
 * The ports a task asks for as a list (0 = any), or why the ask is malformed: a count
 * must be a whole number from 0 to {@link MAX_PORTS}, a list at most that long and made
 * of such numbers.
 */
export function portsAsked(want: unknown): number[] | string {
  if (want === undefined) return [];
  if (typeof want === 'number') {
    if (!isPort(want)) return `ports: ${String(want)} is not a whole number from 0 to ${MAX_PORTS}`;
    return new Array<number>(want).fill(0);
  }
  if (!Array.isArray(want)) return `ports must be a count or a list of ports, not ${typeof want}`;
  if (want.length > MAX_PORTS) return `ports: ${want.length} ports asked, at most ${MAX_PORTS}`;
  const list = want as unknown[];
  const bad = list.findIndex((p) => !isPort(p));
  if (bad >= 0)
    return `ports[${bad}]: ${String(list[bad])} is not a port number from 0 to ${MAX_PORTS}`;
  return list as number[];
}

/** The scalar part of {@link TaskNeeds} (mem and disk in MiB). */
export function scalarNeeds(needs: TaskNeeds): Resources {
  const q: Record<string, string | number> = { cpus: needs.cpus, mem: needs.mem };
  if (needs.disk !== undefined) q.disk = needs.disk;
  if (needs.gpus) q.gpus = needs.gpus;
  return Resources.fromQuantities(q);
}
