/**
 * The agent's link to the controller: one Agent.Connect stream, rotated through the
 * configured controller addresses with jittered exponential backoff, kept alive by pings
 * both ways and dropped when the controller goes silent for three heartbeat intervals.
 * What is said on the stream (register, dispatch of controller messages) belongs to the
 * Agent; this class only owns the stream's life, and is the boundary where an exception
 * from handling a controller message is caught, logged and counted (never a crash).
 * It also batches what the agent writes in one turn of its event loop, once the
 * controller's `registered` says it reads batches, and unpacks the batches it receives
 * (stream-outbox.ts).
 */
import { randomInt } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Clock, Timer } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import { CLIENT_OPTIONS } from '../shared/grpc.js';
import { grpcChannelCredentials } from '../shared/tls/credentials.js';
import { authenticatedOptions } from '../auth/grpc-client.js';
import { reportInternalError, type ErrorBoundary } from '../shared/internal-errors.js';
import type { Logger } from '../shared/logger.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { agentProto } from '../shared/proto.js';
import { StreamOutbox } from '../shared/stream-outbox.js';
import { agentBatchCodec, invalidControllerBatch } from '../shared/agent-batches.js';
import { rejectControllerMessage } from './controller-messages.js';
import type { AgentClient } from '../gen/mezzo/v1/Agent.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../gen/mezzo/v1/ControllerMessage.js';
import type { AgentConfig } from './config.js';

/** The shortest heartbeat interval a controller may ask for. */
export const HEARTBEAT_MIN_MS = 50;
/** The longest heartbeat interval a controller may ask for. */
export const HEARTBEAT_MAX_MS = 3_600_000;

/** The heartbeat interval assumed until the controller's `registered` names one. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Heartbeat intervals of silence after which the agent gives up on a controller stream. */
export const SILENT_HEARTBEATS = 3;

/**
 * The options of an agent's channel to the controller, shared by the real agent and the
 * simulated ones. The agent judges the controller's liveness itself (silence for
 * {@link SILENT_HEARTBEATS} heartbeat intervals), so the transport's keepalive may not be
 * stricter than that: with gRPC's 5 s keepalive timeout, an event loop busy for 5 s on
 * either side (a controller taking thousands of registrations, GC in a process with
 * 25,000 simulated agents) dropped the whole connection, every agent on it, and their
 * re-registrations made the next stall. The channel's own reconnect backoff is bounded by
 * the agent's, or a controller down for a minute is retried by gRPC only every 30–120 s
 * whatever the agent's reconnect bounds say.
 */
export function agentChannelOptions(
  config: Pick<ConnectionConfig, 'reconnectMaxSeconds'>,
): grpc.ChannelOptions {
  return {
    ...CLIENT_OPTIONS,
    'grpc.keepalive_timeout_ms': SILENT_HEARTBEATS * DEFAULT_HEARTBEAT_MS,
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': Math.max(200, config.reconnectMaxSeconds * 1000),
  };
}

/** What the connection asks of its owner. */
export interface ControllerConnectionHooks {
  /** The first message on a new stream: register, or reregister with the agent's tasks. */
  hello(): AgentMessage;
  /** Every message from the controller. */
  onMessage(msg: ControllerMessage__Output): void;
  /** The stream the agent was using went down (it reconnects by itself). */
  onDown(): void;
  /** Where internal errors on the stream are counted (the agent's registry). */
  readonly metrics?: MetricsRegistry;
  /**
   * The client to open streams on, shared with other connections (simulated agents put
   * many streams on one channel); the connection then neither makes nor closes its own.
   */
  readonly client?: (address: string) => AgentClient;
}

/** What the connection reads of the agent's configuration. */
export type ConnectionConfig = Pick<
  AgentConfig,
  'controllers' | 'controllerCaFile' | 'tokenFile' | 'reconnectMinSeconds' | 'reconnectMaxSeconds'
>;

/** One controller stream at a time, reconnected until {@link ControllerConnection.stop}. */
export class ControllerConnection {
  private client: AgentClient | undefined;
  private call: grpc.ClientDuplexStream<AgentMessage, ControllerMessage__Output> | undefined;
  /** Sends on `call`; a new one with each call, batching once that call is registered. */
  private outbox: StreamOutbox<AgentMessage> | undefined;
  /** The client the current call is on (shared between simulated agents). */
  private callClient: AgentClient | undefined;
  private registered = false;
  private stopped = false;
  private controllerIndex = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private lastHeard = 0;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private nonce = 1;
  private readonly boundary: ErrorBoundary;

  /** Creates the connection; {@link ControllerConnection.connect} dials. */
  constructor(
    private readonly config: ConnectionConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: ControllerConnectionHooks,
  ) {
    this.boundary = { logger, metrics: hooks.metrics ?? new MetricsRegistry(), component: 'agent' };
  }

  /** Whether the current stream has been answered with `registered`. */
  get isRegistered(): boolean {
    return this.registered;
  }

  /** Dials the current controller address and sends the hello. */
  connect(): void {
    if (this.stopped) return;
    const addrs = this.config.controllers;
    const addr = addrs[this.controllerIndex % Math.max(1, addrs.length)];
    if (addr === undefined) {
      this.logger.warn('no controller address configured; not connecting');
      return;
    }
    const client = this.hooks.client?.(addr) ?? this.ownClient(addr);
    const call = client.Connect();
    const outbox = new StreamOutbox(call, agentBatchCodec());
    this.call = call;
    this.outbox = outbox;
    this.callClient = client;
    this.lastHeard = this.clock.now();
    let ended = false;
    const onDown = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.call === call) {
        this.call = undefined;
        this.outbox = undefined;
        this.registered = false;
        this.hooks.onDown();
        this.heartbeatTimer?.cancel();
        this.logger.log(this.stopped ? 'debug' : 'warn', 'controller stream closed', {
          controller: addr,
          why,
        });
        this.scheduleReconnect();
      }
    };
    const deliver = (msg: ControllerMessage__Output): void => {
      try {
        if (msg.payload === 'registered') outbox.batchUpTo(msg.registered?.max_batch_bytes ?? 0);
        this.hooks.onMessage(msg);
      } catch (err) {
        // Thrown here it would escape into grpc-js and end the process; one message is
        // lost instead, and the controller resends what it needs acknowledged.
        reportInternalError(this.boundary, 'controller-message', err, {
          controller: addr,
          payload: msg.payload ?? null,
        });
      }
    };
    call.on('data', (msg: ControllerMessage__Output) => {
      this.lastHeard = this.clock.now();
      if (msg.payload !== 'batch') {
        deliver(msg);
        return;
      }
      const messages = msg.batch?.messages ?? [];
      const invalid = invalidControllerBatch(messages);
      if (invalid) {
        rejectControllerMessage(
          { logger: this.logger, metrics: this.boundary.metrics },
          'batch',
          invalid,
        );
        return;
      }
      for (const m of messages) deliver(m);
    });
    call.on('error', (err: grpc.ServiceError) => onDown(err.details || err.message));
    call.on('end', () => onDown('stream ended'));
    call.on('close', () => onDown('stream closed'));
    call.write(this.hooks.hello());
    // A controller that never answers is as bad as one that hangs up.
    this.armHeartbeat(this.heartbeatMs);
  }

  /**
   * Records the controller's `registered`: resets the backoff and adopts its heartbeat
   * interval (0 keeps the current one), within 50 ms – 1 h.
   */
  markRegistered(heartbeatSeconds: number): void {
    this.registered = true;
    this.reconnectAttempt = 0;
    // A value outside the bounds would make the agent ping in a busy loop or never (a
    // timer past 2^31 ms fires at once), and NaN compares false: both clamped.
    if (heartbeatSeconds > 0)
      this.heartbeatMs = Math.min(
        HEARTBEAT_MAX_MS,
        Math.max(HEARTBEAT_MIN_MS, heartbeatSeconds * 1000),
      );
    this.armHeartbeat(this.heartbeatMs);
  }

  /** Writes to the current stream; false when there is none or the write threw. */
  write(msg: AgentMessage): boolean {
    const outbox = this.outbox;
    if (!outbox) return false;
    try {
      outbox.write(msg);
      return true;
    } catch (err) {
      this.logger.warn('write to controller failed', { err: describeError(err) });
      return false;
    }
  }

  /** Stops reconnecting and closes the stream. */
  stop(): void {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.call?.cancel();
    this.client?.close();
    this.registered = false;
  }

  /** A client of this connection's own for `addr`, replacing (and closing) the last one. */
  private ownClient(addr: string): AgentClient {
    this.client?.close();
    // The token is looked up (its file re-read) as each Connect starts.
    const client = new (agentProto().mezzo.v1.Agent)(
      addr,
      grpcChannelCredentials(this.config.controllerCaFile),
      authenticatedOptions(agentChannelOptions(this.config), {
        address: addr,
        ...(this.config.tokenFile ? { tokenFile: this.config.tokenFile } : {}),
      }),
    );
    this.client = client;
    return client;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer?.cancel();
    this.controllerIndex++;
    const base = this.config.reconnectMinSeconds * 1000 * 2 ** Math.min(this.reconnectAttempt, 16);
    const delay = Math.min(this.config.reconnectMaxSeconds * 1000, base);
    const jittered = delay / 2 + randomInt(Math.max(1, Math.floor(delay / 2)));
    this.reconnectAttempt++;
    this.reconnectTimer = this.clock.setTimer(jittered, () => this.connect());
  }

  /**
   * Whether the registration on the current stream is waiting its turn at a controller
   * that is alive: unanswered, on a connection whose keepalive pings the controller still
   * answers (gRPC leaves READY when they go unanswered for the keepalive timeout). A
   * controller taking back 25,000 agents answers the last of them a minute or more after
   * they asked; an agent that gave up after 3 heartbeat intervals asked again at the back
   * of the queue, and so did the next, until the queue never drained.
   */
  private registrationQueued(): boolean {
    if (this.registered || !this.callClient) return false;
    const state = this.callClient.getChannel().getConnectivityState(false);
    return state === grpc.connectivityState.READY;
  }

  private armHeartbeat(intervalMs: number): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.clock.setTimer(intervalMs, () => {
      const call = this.call;
      if (!call) return;
      if (
        this.clock.now() - this.lastHeard > SILENT_HEARTBEATS * this.heartbeatMs &&
        !this.registrationQueued()
      ) {
        this.logger.warn('controller silent for 3 heartbeat intervals; reconnecting');
        call.cancel();
        return;
      }
      if (this.registered) this.write({ ping: { nonce: this.nonce++ } });
      this.armHeartbeat(this.heartbeatMs);
    });
  }
}
