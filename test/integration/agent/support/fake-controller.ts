/**
 * A test-side controller that speaks the agent protocol over real gRPC on loopback:
 * answers register/reregister with `registered`, records every status update delivery
 * (deduplicating by uuid, as the real controller does), acknowledges them unless told
 * not to, and can launch and kill tasks. Like the real controller it sends batches to an
 * agent that reads them and reads the agent's (unless `batches` is turned off, which
 * makes it a controller from before batches), and counts both.
 */
import type * as grpc from '@grpc/grpc-js';
import { agentProto } from '../../../../src/shared/proto.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../../src/shared/grpc.js';
import { MAX_BATCH_BYTES, StreamOutbox } from '../../../../src/shared/stream-outbox.js';
import { controllerBatchCodec } from '../../../../src/shared/agent-batches.js';
import type { AgentMessage__Output } from '../../../../src/gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage } from '../../../../src/gen/mezzo/v1/ControllerMessage.js';
import type { TaskStatus__Output } from '../../../../src/gen/mezzo/v1/TaskStatus.js';
import type { TaskInfo } from '../../../../src/gen/mezzo/v1/TaskInfo.js';
import type { Usage__Output } from '../../../../src/gen/mezzo/v1/Usage.js';
import type { ReRegister__Output } from '../../../../src/gen/mezzo/v1/ReRegister.js';
import type { FileData__Output } from '../../../../src/gen/mezzo/v1/FileData.js';

type Stream = grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>;

/** One status update as first delivered. */
export interface Delivery {
  status: TaskStatus__Output;
  uuid: string;
  /** How many times this uuid arrived. */
  copies: number;
  /** When it first arrived (performance.now()). */
  at: number;
}

export class FakeController {
  server: RunningGrpcServer | undefined;
  stream: Stream | undefined;
  /** Per task: first deliveries in arrival order. */
  readonly deliveries = new Map<string, Delivery[]>();
  private readonly byUuid = new Map<string, Delivery>();
  readonly usage: Usage__Output[] = [];
  readonly reregistrations: ReRegister__Output[] = [];
  readonly files = new Map<number, FileData__Output>();
  registrations = 0;
  pings = 0;
  /** Acknowledge updates automatically. */
  autoAck = true;
  /** Ignore everything but registration (a hung controller). */
  mute = false;
  /** Pongs received for our pings. */
  pongs = 0;
  /** Tasks whose updates must not be acked (for resend tests). */
  readonly holdAcks = new Set<string>();
  /** Batches both ways (announced in `registered`, used when the agent announced). */
  batches = true;
  /** Batches received from the agent, and the messages they carried. */
  readonly received = { batches: 0, messages: 0 };
  private readonly outboxes = new WeakMap<Stream, StreamOutbox<ControllerMessage>>();
  private waiters: (() => void)[] = [];
  private nextId = 1;

  constructor(
    readonly agentId = 'agent-1',
    readonly heartbeatSeconds = 1,
  ) {}

  get address(): string {
    if (!this.server) throw new Error('not started');
    return this.server.address;
  }

  async start(port = 0): Promise<void> {
    const proto = agentProto();
    this.server = await startGrpcServer('127.0.0.1', port, (s) => {
      s.addService(proto.mezzo.v1.Agent.service, {
        Connect: (call: Stream) => {
          this.onConnect(call);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.stream?.end();
    await this.server?.stop(200);
  }

  /** Batches sent to the agent on its current stream, and the messages they carried. */
  get sentBatches(): { batches: number; messages: number } {
    const out = this.stream ? this.outboxes.get(this.stream) : undefined;
    return out?.stats ?? { batches: 0, messages: 0 };
  }

  private write(call: Stream, msg: ControllerMessage): void {
    const out = this.outboxes.get(call);
    if (out) out.write(msg);
    else call.write(msg);
  }

  private onConnect(call: Stream): void {
    this.outboxes.set(call, new StreamOutbox(call, controllerBatchCodec()));
    call.on('data', (m: AgentMessage__Output) => {
      if (m.payload !== 'batch') {
        this.onMessage(call, m);
        return;
      }
      this.received.batches++;
      for (const each of m.batch?.messages ?? []) {
        this.received.messages++;
        this.onMessage(call, each);
      }
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      if (this.stream === call) this.stream = undefined;
      call.end();
    });
  }

  private onMessage(call: Stream, m: AgentMessage__Output): void {
    if (this.mute && m.payload !== 'register' && m.payload !== 'reregister') return;
    switch (m.payload) {
      case 'register':
      case 'reregister':
        this.stream = call;
        this.registrations++;
        if (m.reregister) this.reregistrations.push(m.reregister);
        this.write(call, {
          registered: {
            agent_id: this.agentId,
            heartbeat_interval_seconds: this.heartbeatSeconds,
            max_batch_bytes: this.batches ? MAX_BATCH_BYTES : 0,
          },
        });
        if (this.batches)
          this.outboxes
            .get(call)
            ?.batchUpTo((m.register ?? m.reregister)?.agent_info?.max_batch_bytes ?? 0);
        break;
      case 'status_update': {
        const s = m.status_update?.status;
        if (!s) break;
        const uuid = s.uuid.toString('hex');
        const seen = this.byUuid.get(uuid);
        if (seen) seen.copies++;
        else {
          const d: Delivery = { status: s, uuid, copies: 1, at: performance.now() };
          this.byUuid.set(uuid, d);
          const list = this.deliveries.get(s.task_id) ?? [];
          list.push(d);
          this.deliveries.set(s.task_id, list);
        }
        if (uuid && this.autoAck && !this.holdAcks.has(s.task_id)) {
          this.write(call, {
            acknowledgement: { task_id: s.task_id, framework_id: s.framework_id, uuid: s.uuid },
          });
        }
        break;
      }
      case 'pong':
        this.pongs++;
        break;
      case 'usage':
        if (m.usage) this.usage.push(m.usage);
        break;
      case 'ping':
        this.pings++;
        this.write(call, { pong: { nonce: m.ping?.nonce ?? 0 } });
        break;
      case 'file_data':
        if (m.file_data) this.files.set(m.file_data.request_id, m.file_data);
        break;
      default:
        break;
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Acknowledges every delivered update of `taskId` (after holding them). */
  ackAll(taskId: string): void {
    for (const d of this.deliveries.get(taskId) ?? []) {
      this.send({
        acknowledgement: {
          task_id: taskId,
          framework_id: d.status.framework_id,
          uuid: Buffer.from(d.uuid, 'hex'),
        },
      });
    }
  }

  send(msg: ControllerMessage): void {
    if (!this.stream) throw new Error('no agent connected');
    this.write(this.stream, msg);
  }

  launch(task: TaskInfo, frameworkId = 'fw-1', user = ''): void {
    this.send({
      launch_task: {
        task: { framework_id: frameworkId, ...task },
        framework: { id: frameworkId, name: 'test', user, checkpoint: true },
      },
    });
  }

  kill(taskId: string, frameworkId = 'fw-1', grace?: number): void {
    this.send({
      kill_task: {
        task_id: taskId,
        framework_id: frameworkId,
        ...(grace !== undefined ? { grace_period_seconds: grace } : {}),
      },
    });
  }

  readFile(taskId: string, path: string): number {
    const id = this.nextId++;
    this.send({ read_file: { request_id: id, task_id: taskId, path, offset: 0, length: 0 } });
    return id;
  }

  /** States of a task's first deliveries, in order. */
  states(taskId: string): string[] {
    return (this.deliveries.get(taskId) ?? []).map((d) => d.status.state);
  }

  latest(taskId: string): TaskStatus__Output | undefined {
    return this.deliveries.get(taskId)?.at(-1)?.status;
  }

  /** Waits until `pred` holds (checked after every message and every 50 ms). */
  async waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits until a task's latest delivered state is `state`. */
  async waitForState(
    taskId: string,
    state: string,
    timeoutMs = 10_000,
  ): Promise<TaskStatus__Output> {
    await this.waitFor(
      () => this.states(taskId).includes(state),
      timeoutMs,
      `${taskId} to reach ${state} (has ${this.states(taskId).join(',') || 'nothing'})`,
    );
    const d = (this.deliveries.get(taskId) ?? []).find((x) => x.status.state === state);
    if (!d) throw new Error('unreachable');
    return d.status;
  }
}

/** A task with a shell command and scalar resources. */
export function shellTask(
  id: string,
  cmd: string,
  opts: { cpus?: number; mem?: number; ports?: [number, number]; extra?: Partial<TaskInfo> } = {},
): TaskInfo {
  return {
    task_id: id,
    name: id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: opts.cpus ?? 0.1 },
      { name: 'mem', type: 'SCALAR', scalar: opts.mem ?? 32 },
      ...(opts.ports
        ? [
            {
              name: 'ports',
              type: 'RANGES' as const,
              ranges: [{ begin: opts.ports[0], end: opts.ports[1] }],
            },
          ]
        : []),
    ],
    command: { shell: true, value: cmd },
    ...opts.extra,
  };
}
