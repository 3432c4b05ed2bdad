/** Test helpers for the allocator: a recording harness around HierarchicalAllocator. */
import {
  HierarchicalAllocator,
  Resources,
  type AllocatorOptions,
  type OfferedResources,
} from '../../../src/allocator/index.js';

/** An allocator whose offers are recorded, with a settable clock. */
export class Harness {
  now = 0;
  readonly offers: { framework: string; offer: OfferedResources }[] = [];
  readonly allocator: HierarchicalAllocator;

  constructor(opts: Partial<AllocatorOptions> = {}) {
    this.allocator = new HierarchicalAllocator({
      clock: { now: () => this.now },
      offerCallback: (framework, offers) => {
        for (const offer of offers) this.offers.push({ framework, offer });
      },
      ...opts,
    });
  }

  /** Offers recorded since the last call, as `framework@agent(role): resources`. */
  take(): string[] {
    const out = this.offers.map(
      ({ framework, offer }) =>
        `${framework}@${offer.agentId}(${offer.role}): ${offer.resources.toString()}`,
    );
    this.offers.length = 0;
    return out;
  }

  /** Raw offers since the last call. */
  takeRaw(): { framework: string; offer: OfferedResources }[] {
    return this.offers.splice(0, this.offers.length);
  }

  agent(id: string, resources: string): void {
    this.allocator.addAgent(id, { hostname: id }, Resources.parse(resources), new Map());
  }

  framework(id: string, ...roles: string[]): void {
    this.allocator.addFramework(id, { roles }, new Map());
  }
}

export const R = (t: string): Resources => Resources.parse(t);
