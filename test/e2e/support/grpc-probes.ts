/**
 * One gRPC call each, as a framework or an agent would make it, to see what the controller
 * answers a bearer token: a Subscribe in a role, an agent's Connect + register for a node.
 * OK once the first event arrives, else the stream's status and details.
 */
import * as grpc from '@grpc/grpc-js';
import { agentProto, schedulerProto } from '../../../src/shared/proto.js';

/** Where the probes dial, and how (plaintext, or TLS with a CA and a server name). */
export interface ProbeTarget {
  address: string;
  /** PEM of the CA; unset: plaintext. */
  ca?: Buffer;
  /** With `ca`: the name in the server's certificate, when it is not the address's host. */
  serverName?: string;
}

/** A probe's outcome. */
export interface ProbeResult {
  code: grpc.status;
  details: string;
}

function channel(t: ProbeTarget): [grpc.ChannelCredentials, grpc.ChannelOptions] {
  if (!t.ca) return [grpc.credentials.createInsecure(), {}];
  const options: grpc.ChannelOptions = t.serverName
    ? { 'grpc.ssl_target_name_override': t.serverName, 'grpc.default_authority': t.serverName }
    : {};
  return [grpc.credentials.createSsl(t.ca), options];
}

function auth(bearer: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${bearer}`);
  return md;
}

/** Subscribes as framework `fw` in `role` with `bearer`. */
export function probeSubscribe(t: ProbeTarget, bearer: string, role: string): Promise<ProbeResult> {
  const client = new (schedulerProto().mezzo.v1.Scheduler)(t.address, ...channel(t));
  const call = client.Subscribe(
    { framework_info: { name: 'fw', user: 'nobody', roles: [role] } },
    auth(bearer),
  );
  return new Promise((resolve) => {
    call.on('data', () => {
      call.cancel();
      client.close();
      resolve({ code: grpc.status.OK, details: 'subscribed' });
    });
    call.on('error', (e: grpc.ServiceError) => {
      client.close();
      resolve({ code: e.code, details: e.details });
    });
  });
}

/** Registers an agent for `node` with `bearer`. */
export function probeRegister(t: ProbeTarget, bearer: string, node: string): Promise<ProbeResult> {
  const client = new (agentProto().mezzo.v1.Agent)(t.address, ...channel(t));
  const call = client.Connect(auth(bearer));
  return new Promise((resolve) => {
    call.on('data', () => {
      call.cancel();
      client.close();
      resolve({ code: grpc.status.OK, details: 'registered' });
    });
    call.on('error', (e: grpc.ServiceError) => {
      client.close();
      resolve({ code: e.code, details: e.details });
    });
    call.write({
      register: {
        agent_info: {
          id: '',
          hostname: node,
          node_name: node,
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: 1 }],
        },
      },
    });
  });
}
