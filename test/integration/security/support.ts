/**
 * A controller guarded as `mezzo dev` guards it (src/auth/access-from-flags.ts: the admin
 * token file, plus a static token file and a policy), on loopback with a real agent, and
 * the identities the attacks are tried as.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { accessFromFlags } from '../../../src/auth/access-from-flags.js';
import { newToken } from '../../../src/auth/token.js';
import { Controller } from '../../../src/controller/controller.js';
import type { FrameworkCallLimit } from '../../../src/controller/call-pacing.js';
import type { RateLimit } from '../../../src/auth/rate-limit.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { agentProto, schedulerProto } from '../../../src/shared/proto.js';
import { tempDir } from '../../support/cleanup.js';
import { writeTestTokenFile } from '../../support/auth.js';
import { mesosCall, mesosSubscribe, type MesosAnswer } from '../../support/mesos-http.js';

/** Tokens of the identities besides the admin ({@link TEST_TOKEN}). */
export const TOKENS = {
  /** No rights at all. */
  nobody: newToken(),
  /** May register frameworks in any role (and nothing else). */
  mallory: newToken(),
  /** May create and update tasks in namespace `team-a`. */
  alice: newToken(),
  /** An agent identity bound to node `node-a`, may register any agent name. */
  nodeA: newToken(),
} as const;

const POLICY = `rules:
  - users: [mallory]
    verbs: [register]
    resources: [frameworks]
  - users: [alice]
    verbs: [create, update]
    resources: [tasks]
    namespaces: [team-a]
  - groups: [mezzo:agents]
    verbs: [register]
    resources: [agents]
`;

/** A guarded controller. */
export interface GuardedController {
  /** Its work dir (its store): another controller started on it is a restart. */
  dir: string;
  controller: Controller;
  store: EmbeddedStore;
  metrics: MetricsRegistry;
  http: string;
  stop(): Promise<void>;
}

/** Starts a controller whose callers are checked as `mezzo dev --static-tokens --authz-policy` checks them. */
export async function startGuarded(
  dir = tempDir('mezzo-sec-'),
  /** Rules (YAML list items) added to the policy. */
  extraRules = '',
  /** The pace of each principal's scheduler calls (absent: the controller's default). */
  frameworkCallLimit?: FrameworkCallLimit | null,
  /** Each user's HTTP request rate (absent: the guard's default). */
  httpRateLimit?: RateLimit,
): Promise<GuardedController> {
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(
    tokens,
    [
      `${TOKENS.nobody},nobody,1001,""`,
      `${TOKENS.mallory},mallory,1002,"team-m"`,
      `${TOKENS.alice},alice,1003,"team-a"`,
      `${TOKENS.nodeA},system:node:node-a,1004,"mezzo:agents","authentication.kubernetes.io/node-name=node-a"`,
    ].join('\n'),
    { mode: 0o600 },
  );
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, POLICY + extraRules);
  const access = await accessFromFlags({
    tokenFile: writeTestTokenFile(dir),
    staticTokens: tokens,
    authzPolicy: policy,
  });
  const clock = new SystemClock();
  const metrics = new MetricsRegistry();
  const store = new EmbeddedStore(join(dir, 'state.json'), clock);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics,
    store,
    access,
    grpcPort: 0,
    httpPort: 0,
    allocationIntervalMs: 100,
    ...(frameworkCallLimit !== undefined ? { frameworkCallLimit } : {}),
    ...(httpRateLimit ? { httpRateLimit } : {}),
  });
  await controller.start();
  return {
    dir,
    controller,
    store,
    metrics,
    http: `http://127.0.0.1:${controller.httpPort}`,
    stop: async () => {
      await controller.stop();
      await store.close();
    },
  };
}

/** gRPC metadata carrying `token` (none: no metadata). */
export function tokenMetadata(token?: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** Subscribes with a raw client and resolves with the first event or the status it ends with. */
export function rawSubscribe(
  address: string,
  token: string | undefined,
  frameworkInfo: { id?: string; name: string; roles: string[] },
): Promise<{ event?: string; code?: grpc.status; details?: string; close(): void }> {
  const proto = schedulerProto();
  const client = new proto.mezzo.v1.Scheduler(address, grpc.credentials.createInsecure());
  const call = client.Subscribe(
    { framework_info: { user: 'nobody', ...frameworkInfo } },
    tokenMetadata(token),
  );
  const close = () => {
    call.cancel();
    client.close();
  };
  return new Promise((resolve) => {
    call.on('data', (e: { type: string }) => resolve({ event: e.type, close }));
    call.on('error', (err: grpc.ServiceError) =>
      resolve({ code: err.code, details: err.details, close }),
    );
  });
}

/** Opens Agent.Connect, sends one Register, resolves with the first answer or the status. */
export function rawRegister(
  address: string,
  token: string | undefined,
  info: { hostname: string; node_name?: string; id?: string },
): Promise<{ registered?: string; code?: grpc.status; details?: string }> {
  const proto = agentProto();
  const client = new proto.mezzo.v1.Agent(address, grpc.credentials.createInsecure());
  const call = client.Connect(tokenMetadata(token));
  return new Promise((resolve) => {
    const done = (r: { registered?: string; code?: grpc.status; details?: string }) => {
      call.cancel();
      client.close();
      resolve(r);
    };
    call.on('data', (m: { payload?: string; registered?: { agent_id: string } }) => {
      if (m.payload === 'registered') done({ registered: m.registered?.agent_id ?? '' });
    });
    call.on('error', (err: grpc.ServiceError) => done({ code: err.code, details: err.details }));
    call.write({
      register: {
        agent_info: {
          id: info.id ?? '',
          hostname: info.hostname,
          node_name: info.node_name ?? '',
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: 1 }],
          address: '127.0.0.1:1',
          version: 'test',
        },
      },
    });
  });
}

/**
 * A framework subscribed over the Mesos HTTP scheduler API of controller `c` as the
 * holder of `auth` (a Basic or Bearer header), in the role `name`; `revives(n)` sends it
 * n REVIVE calls at once and resolves with their answers. `closers` gets its stream's end.
 */
export async function mesosFramework(
  c: GuardedController,
  auth: string,
  name: string,
  closers: (() => void)[],
): Promise<{ revives(n: number): Promise<MesosAnswer[]> }> {
  const url = `${c.http}/api/v1/scheduler`;
  const sub = await mesosSubscribe(
    url,
    {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'nobody', name, roles: [name] } },
    },
    'json',
    auth,
  );
  closers.push(() => {
    sub.res.destroy();
  });
  const subscribed = await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED');
  const id = subscribed.subscribed?.framework_id.value ?? '';
  return {
    revives: (n) =>
      Promise.all(
        Array.from({ length: n }, () =>
          mesosCall(
            url,
            { type: 'REVIVE', framework_id: { value: id } },
            'json',
            sub.streamId,
            auth,
          ),
        ),
      ),
  };
}
