/**
 * Many simulated agents in one process, as KWOK simulates nodes for Kubernetes: each with
 * its own hostname, resources and attributes, each on its own Agent.Connect stream (the
 * real agent protocol), sharing what can be shared: one gRPC channel (one HTTP/2
 * connection) per `agentsPerChannel` agents, one batched timer wheel, one logger and one
 * set of counters. See docs/simulate-agents.md.
 */
import { findToken } from '../auth/client-token.js';
import { agentChannelOptions } from '../agent-sidecar/controller-connection.js';
import { silentLogger } from '../shared/logger.js';
import { agentProto } from '../shared/proto.js';
import { grpcChannelCredentials } from '../shared/tls/credentials.js';
import type { AgentClient } from '../gen/mezzo/v1/Agent.js';
import { BatchedClock } from './batched-clock.js';
import { lateToken, lateTokenInterceptor } from './late-token.js';
import { SimAgent, type SimShared } from './sim-agent.js';
import { SimCounters } from './sim-counters.js';
import { statusPatchers } from './sim-status-writes.js';
import { agentIdentity, planSimulation, type SimAgentsOptions } from './sim-options.js';

/** A running simulation; {@link SimAgents.close} stops every agent. */
export interface SimAgents {
  /** The agents, in hostname order (`<prefix>-1` first). */
  readonly agents: readonly SimAgent[];
  /** Totals over every agent. */
  readonly counters: SimCounters;
  /** How many agents are registered now. */
  registered(): number;
  /** Resolves once every agent has registered at least once. */
  allRegistered(): Promise<void>;
  /** Disconnects every agent and closes the channels. */
  close(): Promise<void>;
}

/** Agents dialled per turn of the event loop, so that a large simulation starts smoothly. */
const CONNECT_BATCH = 500;

/**
 * Starts `opts.count` simulated agents against the controller. Resolves once every agent
 * has dialled (not registered: see {@link SimAgents.allRegistered}). Throws a
 * ValidationError for a bad option, before anything connects.
 */
export async function startSimAgents(opts: SimAgentsOptions): Promise<SimAgents> {
  const plan = planSimulation(opts);
  const token = lateToken(() =>
    opts.token !== undefined
      ? Promise.resolve(opts.token)
      : findToken({
          ...(opts.tokenFile ? { tokenFile: opts.tokenFile } : {}),
          address: plan.controllers[0] ?? '',
        }),
  );
  // A named token file must be readable: a typo shows at start, not as 401s.
  if (opts.tokenFile) await findToken({ tokenFile: opts.tokenFile });
  const clock = new BatchedClock();
  const counters = new SimCounters();
  const channels = new Map<string, AgentClient>();
  const channel = (address: string, shard: number): AgentClient => {
    const key = `${String(shard)}/${address}`;
    let client = channels.get(key);
    if (!client) {
      client = new (agentProto().mezzo.v1.Agent)(
        address,
        grpcChannelCredentials(opts.controllerCaFile),
        {
          // The real agent's channel options (keepalive, reconnect backoff).
          ...agentChannelOptions(plan),
          // Its own connection, not the process-wide one every equal channel shares.
          'grpc.use_local_subchannel_pool': 1,
          interceptors: [lateTokenInterceptor(token)],
        },
      );
      channels.set(key, client);
    }
    return client;
  };
  const logger = opts.logger ?? silentLogger();
  const statusPatch = opts.statusWrites
    ? await statusPatchers(opts.statusWrites, clock)
    : undefined;
  let everRegistered = 0;
  let wake: (() => void) | undefined;
  const shared = (shard: number): SimShared => ({
    connection: {
      controllers: plan.controllers,
      reconnectMinSeconds: plan.reconnectMinSeconds,
      reconnectMaxSeconds: plan.reconnectMaxSeconds,
    },
    clock,
    logger,
    client: (address) => channel(address, shard),
    defaultDuration: plan.defaultDuration,
    retryMinMs: plan.retryMinMs,
    retryMaxMs: plan.retryMaxMs,
    counters,
    ...(statusPatch ? { statusPatch } : {}),
    onRegistered: (agent) => {
      counters.registrations++;
      if (agent.registrationCount === 1 && ++everRegistered === plan.count) wake?.();
    },
  });
  const agents: SimAgent[] = [];
  let current: SimShared | undefined;
  for (let i = 0; i < plan.count; i++) {
    if (i % plan.agentsPerChannel === 0) current = shared(i / plan.agentsPerChannel);
    if (!current) break;
    const { hostname, attributes } = agentIdentity(plan, i);
    agents.push(new SimAgent({ hostname, resources: plan.resources, attributes }, current));
  }
  for (const [i, a] of agents.entries()) {
    a.start();
    if ((i + 1) % CONNECT_BATCH === 0) await new Promise((r) => setImmediate(r));
  }
  const all = new Promise<void>((resolve) => {
    if (everRegistered === plan.count) resolve();
    else wake = resolve;
  });
  let closed: Promise<void> | undefined;
  return {
    agents,
    counters,
    registered: () => agents.reduce((n, a) => n + (a.isRegistered ? 1 : 0), 0),
    allRegistered: () => all,
    close: () => {
      closed ??= (async () => {
        await Promise.all(agents.map((a) => a.stop()));
        for (const c of channels.values()) c.close();
        clock.clear();
      })();
      return closed;
    },
  };
}
