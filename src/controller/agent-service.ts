/**
 * The agent gRPC service (mezzo.v1.Agent/Connect). An agent registers (or re-registers
 * with the tasks it runs after its own or the controller's restart), then streams status
 * updates, usage and pings. Every message is validated before anything is recorded: a
 * misbehaving agent's stream is refused with INVALID_ARGUMENT and the reason, and an
 * unexpected failure while handling a message ends that stream (INTERNAL), never the
 * controller. Registration is in agent-registration.ts, status updates in status-flow.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { grpcError } from '../shared/grpc.js';
import type { AgentHandlers } from '../gen/mezzo/v1/Agent.js';
import type { AgentMessage__Output } from '../gen/mezzo/v1/AgentMessage.js';
import type { AccessGuard } from '../auth/access-guard.js';
import { authenticateCall, authorizeCall, samePrincipal } from '../auth/grpc-auth.js';
import { mezzoAccess } from '../auth/route-access.js';
import { agentIdentityOf, agentResourceName, checkAgentIdentity } from '../auth/agent-identity.js';
import type { Principal } from '../auth/types.js';
import type { ControllerCore } from './core.js';
import { settle } from './async-handler.js';
import type { AgentRecord, AgentStream } from './records.js';
import { AgentLink } from './agent-link.js';
import { invalidAgentBatch } from '../shared/agent-batches.js';
import { MAX_BATCH_BYTES } from '../shared/stream-outbox.js';
import { registerAgent } from './agent-registration.js';
import { agentStatus } from './status-flow.js';
import {
  validateAgentInfo,
  validateReported,
  validateStatusUpdate,
  type Invalid,
} from './agent-validation.js';

export { NODE_NAME_EXTRA } from '../auth/agent-identity.js';

/** Who registered each agent: a re-registration under its ID must be the same caller. */
const registeredBy = new WeakMap<AgentRecord, Principal>();

/**
 * Whether `who` may register the agent a (re)register message describes: `register
 * agents <node name>`, a node-bound token only for its own node, and an agent ID already
 * registered only by the caller that registered it. Undefined when allowed.
 */
async function admission(
  core: ControllerCore,
  guard: AccessGuard,
  who: Principal,
  m: AgentMessage__Output,
): Promise<grpc.ServiceError | undefined> {
  const info = (m.register ?? m.reregister)?.agent_info;
  if (!info) return undefined; // invalid: refused with the reason by handle()
  const claim = { nodeName: info.node_name, hostname: info.hostname };
  const node = agentResourceName(claim);
  // The pinned agent identity (Kubernetes mode) and a node-bound token's node.
  const identity = checkAgentIdentity(who, claim, agentIdentityOf(guard.access));
  if (!identity.allowed) {
    return grpcError(
      grpc.status.PERMISSION_DENIED,
      `user "${who.username}" may not register an agent for node "${node}": ${identity.reason}`,
    );
  }
  const existing = info.id ? core.agents.get(info.id) : undefined;
  const owner = existing ? registeredBy.get(existing) : undefined;
  if (owner && !samePrincipal(owner, who)) {
    return grpcError(
      grpc.status.PERMISSION_DENIED,
      `agent ${info.id} was registered by another principal; user "${who.username}" may not take it over`,
    );
  }
  return authorizeCall(guard, who, [mezzoAccess('register', 'agents', { name: node })]);
}

/**
 * Builds the handler over a controller core; every stream is authenticated first.
 * `readBatchBytes`: the largest batch of agent messages the controller reads (below its
 * gRPC receive limit), announced to each agent in `registered`.
 */
export function agentService(
  core: ControllerCore,
  guard: AccessGuard,
  readBatchBytes = MAX_BATCH_BYTES,
): AgentHandlers {
  return {
    Connect(call: AgentStream) {
      const link = new AgentLink(call, readBatchBytes);
      settle(core, 'Connect', connect(core, guard, link), (err) => call.emit('error', err));
    },
  };
}

/**
 * Why a stopping controller takes no agent: it has ended every agent's stream, but its
 * server still accepts calls until its store writes are done. Agents reconnected within
 * their first backoff (0.1–0.2 s), were registered by a controller about to go, reset
 * their backoff, and were all dropped together again when its server closed, to storm the
 * next controller at once; at 25,000 agents that also kept the old one busy for 50 s.
 */
const STOPPING = 'the controller is stopping; register with the next one';

/** Authenticates an agent's stream, then serves it. */
async function connect(core: ControllerCore, guard: AccessGuard, link: AgentLink): Promise<void> {
  const call = link.call;
  if (core.isStopped) {
    core.m.agentRefusals.inc();
    call.emit('error', grpcError(grpc.status.UNAVAILABLE, STOPPING));
    return;
  }
  const auth = await authenticateCall(guard, call.metadata);
  if (!auth.ok) {
    core.m.agentRefusals.inc();
    call.emit('error', auth.error);
    return;
  }
  const principal = auth.principal;
  let agent: AgentRecord | undefined;
  let closed = false;
  const refuse = (code: grpc.status, why: string) => {
    if (closed) return;
    closed = true;
    core.m.agentRefusals.inc();
    core.log.warn('agent stream refused', { agent: agent?.id, why });
    if (agent?.stream === link) agent.stream = undefined;
    call.emit('error', grpcError(code, why));
  };
  const onMessage = (m: AgentMessage__Output) => {
    if (closed) return;
    try {
      const invalid = handle(core, link, m, agent, (a) => {
        agent = a;
        registeredBy.set(a, principal);
      });
      if (invalid) refuse(grpc.status.INVALID_ARGUMENT, invalid);
    } catch (err) {
      core.log.error('agent message could not be handled; stream closed', {
        agent: agent?.id,
        payload: m.payload,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      refuse(grpc.status.INTERNAL, 'the controller could not handle the message');
    }
    if (agent) agent.lastSeen = core.clock.now();
  };
  call.on('data', (m: AgentMessage__Output) => {
    if (closed) return;
    if (m.payload === 'batch') {
      const messages = m.batch?.messages ?? [];
      const invalid = invalidAgentBatch(messages);
      if (invalid) refuse(grpc.status.INVALID_ARGUMENT, invalid);
      else for (const each of messages) onMessage(each);
      return;
    }
    if (m.payload !== 'register' && m.payload !== 'reregister') {
      onMessage(m);
      return;
    }
    // Messages after this one wait until it is admitted, so their order holds.
    call.pause();
    admission(core, guard, principal, m).then(
      (denied) => {
        if (denied) refuse(denied.code, denied.details);
        else if (core.isStopped) refuse(grpc.status.UNAVAILABLE, STOPPING);
        else onMessage(m);
        call.resume();
      },
      (err: unknown) => {
        refuse(
          grpc.status.UNAVAILABLE,
          `the registration could not be authorized: ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    );
  });
  const gone = () => {
    if (agent && agent.stream === link) agent.stream = undefined;
  };
  call.on('end', () => {
    gone();
    link.end();
  });
  call.on('error', gone);
  call.on('cancelled', gone);
}

/** Handles one message; returns why it is invalid, if it is. */
function handle(
  core: ControllerCore,
  link: AgentLink,
  m: AgentMessage__Output,
  agent: AgentRecord | undefined,
  registered: (a: AgentRecord) => void,
): Invalid | undefined {
  switch (m.payload) {
    case 'register':
    case 'reregister': {
      const info = (m.register ?? m.reregister)?.agent_info ?? null;
      const tasks = m.reregister?.tasks ?? [];
      const statuses = m.reregister?.latest_statuses ?? [];
      const invalid = validateAgentInfo(info) ?? validateReported(tasks, statuses);
      if (invalid || !info) return invalid ?? 'agent_info: missing';
      if (agent && info.id !== agent.id)
        return `agent_info.id: this stream registered as ${agent.id}`;
      registered(registerAgent(core, link, info, tasks, statuses));
      return undefined;
    }
    case 'status_update': {
      if (!agent) return undefined; // not registered on this stream: nobody to record it for
      const status = m.status_update?.status ?? null;
      const invalid = validateStatusUpdate(status);
      if (invalid || !status) return invalid ?? 'status_update.status: missing';
      return agentStatus(core, agent, status);
    }
    case 'ping':
      link.write({ pong: { nonce: m.ping?.nonce ?? 0 } });
      return undefined;
    case 'file_data':
      if (!agent || !m.file_data) return undefined;
      if (!core.files.answer(agent.id, m.file_data)) {
        core.log.warn(
          'file data for no read outstanding with this agent (not asked, or timed out); dropped',
          {
            agent: agent.id,
            request: m.file_data.request_id,
          },
        );
      }
      return undefined;
    default:
      return undefined;
  }
}
