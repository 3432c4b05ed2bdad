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
import type { ControllerCore } from './core.js';
import type { AgentRecord, AgentStream } from './records.js';
import { registerAgent } from './agent-registration.js';
import { agentStatus } from './status-flow.js';
import {
  validateAgentInfo,
  validateReported,
  validateStatusUpdate,
  type Invalid,
} from './agent-validation.js';

/** Builds the handler over a controller core. */
export function agentService(core: ControllerCore): AgentHandlers {
  return {
    Connect(call: AgentStream) {
      let agent: AgentRecord | undefined;
      let closed = false;
      const refuse = (code: grpc.status, why: string) => {
        if (closed) return;
        closed = true;
        core.m.agentRefusals.inc();
        core.log.warn('agent stream refused', { agent: agent?.id, why });
        if (agent?.stream === call) agent.stream = undefined;
        call.emit('error', grpcError(code, why));
      };
      call.on('data', (m: AgentMessage__Output) => {
        if (closed) return;
        try {
          const invalid = handle(core, call, m, agent, (a) => (agent = a));
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
      });
      const gone = () => {
        if (agent && agent.stream === call) agent.stream = undefined;
      };
      call.on('end', () => {
        gone();
        call.end();
      });
      call.on('error', gone);
      call.on('cancelled', gone);
    },
  };
}

/** Handles one message; returns why it is invalid, if it is. */
function handle(
  core: ControllerCore,
  call: AgentStream,
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
      registered(registerAgent(core, call, info, tasks, statuses));
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
      call.write({ pong: { nonce: m.ping?.nonce ?? 0 } });
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
