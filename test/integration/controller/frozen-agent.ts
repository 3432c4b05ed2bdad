/**
 * A hand-driven agent for controller tests: it speaks the agent protocol over real gRPC,
 * answers pings and records the launches it is sent, and never acts on one. It stands
 * for an agent frozen while a launch was in flight, or killed before it stored its ID.
 */
import * as grpc from '@grpc/grpc-js';
import { agentProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';
import type { AgentMessage } from '../../../src/gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../../../src/gen/mezzo/v1/ControllerMessage.js';
import { TEST_TOKEN } from '../../support/auth.js';

/** An agent speaking the protocol by hand that never acts on a launch. */
export class FrozenAgent {
  id = '';
  launches: string[] = [];
  /** When set, pings go unanswered: a connection that stays open to a silent agent. */
  silent = false;
  private call: grpc.ClientDuplexStream<AgentMessage, ControllerMessage__Output> | undefined;
  private client: grpc.Client | undefined;

  /** @param hostname its node (the name of its Agent object) */
  constructor(private readonly hostname = 'frozen') {}

  /** Registers with the controller at `address`, or re-registers once it has an ID. */
  connect(address: string): void {
    this.close();
    const proto = agentProto();
    const client = new proto.mezzo.v1.Agent(
      address,
      grpc.credentials.createInsecure(),
      authenticatedOptions(CLIENT_OPTIONS, { token: TEST_TOKEN }),
    );
    this.client = client;
    const call = client.Connect();
    this.call = call;
    call.on('data', (m: ControllerMessage__Output) => {
      if (m.registered) this.id = m.registered.agent_id;
      if (m.ping && !this.silent) call.write({ pong: { nonce: m.ping.nonce } });
      if (m.launch_task?.task) this.launches.push(m.launch_task.task.task_id);
    });
    call.on('error', () => undefined);
    const agent_info = {
      id: this.id,
      hostname: this.hostname,
      resources: [
        { name: 'cpus', type: 'SCALAR' as const, scalar: 1 },
        { name: 'mem', type: 'SCALAR' as const, scalar: 256 },
      ],
    };
    call.write(
      this.id === ''
        ? { register: { agent_info } }
        : { reregister: { agent_info, tasks: [], latest_statuses: [], framework_ids: [] } },
    );
  }

  /** Drops its connection, as a killed agent's closes. */
  close(): void {
    this.call?.cancel();
    this.client?.close();
    this.call = undefined;
  }
}
