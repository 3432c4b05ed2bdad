/**
 * What a controller expects at start, after a restart or a failover: the agents its Agent
 * objects record as active. Until they are back (or their ping timeout passes) it holds
 * reconciliation answers about tasks it does not know, and, when asked, allocation too,
 * as Mesos' master does while it recovers agents, so the first pass does not offer a
 * partial view.
 */
import type { Timer } from '../shared/clock.js';
import type { Store } from '../store/types.js';
import type { ControllerCore } from './core.js';

/** Reads the agents to expect; with `pauseAllocation`, returns the timer that resumes it. */
export async function expectAgentsBack(
  store: Store,
  core: ControllerCore,
  opts: { pauseAllocation: boolean },
): Promise<Timer | undefined> {
  const expected = (await store.list('Agent')).flatMap((a) => {
    const st = a.status as { state?: string; agentId?: string } | undefined;
    return st?.state === 'Active' && st.agentId ? [st.agentId] : [];
  });
  core.expectAgents(expected);
  if (!opts.pauseAllocation || expected.length === 0) return undefined;
  core.allocator.recover(expected.length);
  core.log.info('recovering: allocation paused until agents re-register', {
    expectedAgents: expected.length,
  });
  return core.clock.setTimer(core.opts.agentPingTimeoutMs, () => {
    core.allocator.resume();
  });
}
