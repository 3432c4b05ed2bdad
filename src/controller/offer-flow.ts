/**
 * The allocator's offers on their way to a framework: each becomes an outstanding offer
 * in the book (until accepted, declined, rescinded or timed out) and goes out in one
 * OFFERS event; what cannot be offered now (framework disconnected, agent not active)
 * goes straight back to the allocator.
 */
import type { OfferedResources } from '../allocator/index.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { ControllerCore } from './core.js';
import { toWire } from './wire.js';

/** Offers `offered` to a framework. */
export function sendOffers(
  core: ControllerCore,
  frameworkId: string,
  offered: readonly OfferedResources[],
): void {
  const fw = core.frameworks.get(frameworkId);
  if (!fw?.connected) {
    for (const o of offered) core.allocator.recoverResources(frameworkId, o.agentId, o.resources);
    return;
  }
  const out: NonNullable<Event['offers']>['offers'] = [];
  const made: OfferedResources[] = [];
  for (const o of offered) {
    const agent = core.agents.get(o.agentId);
    if (!agent || agent.state !== 'active') {
      core.allocator.recoverResources(frameworkId, o.agentId, o.resources);
      continue;
    }
    const rec = core.offers.add(frameworkId, o.agentId, o.role, o.resources);
    core.m.offers.inc({ result: 'made' });
    made.push(o);
    out.push({
      id: rec.id,
      framework_id: frameworkId,
      agent_id: o.agentId,
      hostname: agent.info.hostname,
      resources: toWire(o.resources),
      attributes: agent.info.attributes,
      allocation_role: o.role,
    });
  }
  core.decisions.offered(frameworkId, made);
  if (out.length > 0) core.sendTo(frameworkId, { type: 'OFFERS', offers: { offers: out } });
}
