/**
 * One round of the default framework's placing (src/frameworks/default/placing.ts) on
 * made-up offers and Task objects, with a client that records what the round answers:
 * for its unit test and bench/default-framework, which time and check the plan itself,
 * not the wire.
 */
import type { Offer__Output } from '../../src/gen/mezzo/v1/Offer.js';
import type { Operation } from '../../src/gen/mezzo/v1/Operation.js';
import { placeTasks, type HeldOffers, type Waiting } from '../../src/frameworks/default/placing.js';
import { TaskBook } from '../../src/frameworks/default/task-book.js';
import { readTaskSpec } from '../../src/frameworks/default/task-spec.js';
import { silentLogger } from '../../src/shared/logger.js';

/** An offer of `cpus` and `mem` MiB on agent `agent` (host of the same name). */
export function offerOf(agent: string, cpus: number, mem: number): Offer__Output {
  const scalar = (name: string, amount: number) => ({
    name,
    type: 'SCALAR' as const,
    scalar: amount,
    ranges: [],
    set: [],
    reservations: [],
    revocable: false,
  });
  return {
    id: `offer-${agent}`,
    framework_id: 'fw',
    agent_id: agent,
    hostname: agent,
    resources: [scalar('cpus', cpus), scalar('mem', mem)],
    attributes: [],
    allocation_role: 'default',
  };
}

/** A waiting Task object `name` created `second` seconds into the day, asking `resources`. */
export function waitingTask(
  name: string,
  second: number,
  resources: Record<string, unknown>,
): Waiting {
  const spec = readTaskSpec({ command: 'true', resources });
  if (!spec.ok) throw new RangeError(`bad spec for ${name}: ${JSON.stringify(spec.problem)}`);
  const at = new Date(Date.UTC(2026, 0, 1) + second * 1000).toISOString();
  return {
    key: `team/${name}`,
    obj: {
      apiVersion: 'mezzo.dev/v1alpha1',
      kind: 'Task',
      metadata: { name, namespace: 'team', uid: `uid-${name}`, creationTimestamp: at },
      spec: { command: 'true', resources },
    },
    spec: spec.value,
  };
}

/**
 * Runs one Spread round of `waiting` on `offers`; the names placed, by agent.
 * `lastPlaced`: when each agent last got a task (the framework's, kept across rounds);
 * `held`: the offers are held between rounds, with their matchers (offer-pool.ts).
 */
export async function placingRound(
  offers: Offer__Output[],
  waiting: Waiting[],
  lastPlaced = new Map<string, number>(),
  held?: HeldOffers,
): Promise<Map<string, string[]>> {
  const left = new Map(waiting.map((w) => [w.key, w]));
  const placed = new Map<string, string[]>();
  const record = (ops: Operation[]) => {
    for (const op of ops)
      for (const t of op.tasks ?? []) {
        const agent = t.agent_id ?? '';
        placed.set(agent, [...(placed.get(agent) ?? []), t.name ?? '']);
      }
  };
  await placeTasks(offers, {
    client: {
      accept: (_ids: string[], ops: Operation[]) => {
        record(ops);
        return Promise.resolve();
      },
      decline: () => Promise.resolve(),
      revive: () => Promise.resolve(),
    },
    book: new TaskBook(),
    policy: 'Spread',
    agentsKnown: offers.length,
    lastPlaced,
    logger: silentLogger(),
    waiting: () => [...left.values()],
    claim: (key) => left.delete(key),
    release: (w) => left.set(w.key, w),
    launched: () => undefined,
    ...(held ? { held } : {}),
  });
  return placed;
}
