// Original file: proto/mezzo/v1/scheduler.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcceptRequest as _mezzo_v1_AcceptRequest, AcceptRequest__Output as _mezzo_v1_AcceptRequest__Output } from '../../mezzo/v1/AcceptRequest.js';
import type { Ack as _mezzo_v1_Ack, Ack__Output as _mezzo_v1_Ack__Output } from '../../mezzo/v1/Ack.js';
import type { AcknowledgeRequest as _mezzo_v1_AcknowledgeRequest, AcknowledgeRequest__Output as _mezzo_v1_AcknowledgeRequest__Output } from '../../mezzo/v1/AcknowledgeRequest.js';
import type { DeclineRequest as _mezzo_v1_DeclineRequest, DeclineRequest__Output as _mezzo_v1_DeclineRequest__Output } from '../../mezzo/v1/DeclineRequest.js';
import type { Event as _mezzo_v1_Event, Event__Output as _mezzo_v1_Event__Output } from '../../mezzo/v1/Event.js';
import type { KillRequest as _mezzo_v1_KillRequest, KillRequest__Output as _mezzo_v1_KillRequest__Output } from '../../mezzo/v1/KillRequest.js';
import type { MessageRequest as _mezzo_v1_MessageRequest, MessageRequest__Output as _mezzo_v1_MessageRequest__Output } from '../../mezzo/v1/MessageRequest.js';
import type { ReconcileRequest as _mezzo_v1_ReconcileRequest, ReconcileRequest__Output as _mezzo_v1_ReconcileRequest__Output } from '../../mezzo/v1/ReconcileRequest.js';
import type { ReviveRequest as _mezzo_v1_ReviveRequest, ReviveRequest__Output as _mezzo_v1_ReviveRequest__Output } from '../../mezzo/v1/ReviveRequest.js';
import type { SubscribeRequest as _mezzo_v1_SubscribeRequest, SubscribeRequest__Output as _mezzo_v1_SubscribeRequest__Output } from '../../mezzo/v1/SubscribeRequest.js';
import type { SuppressRequest as _mezzo_v1_SuppressRequest, SuppressRequest__Output as _mezzo_v1_SuppressRequest__Output } from '../../mezzo/v1/SuppressRequest.js';
import type { TeardownRequest as _mezzo_v1_TeardownRequest, TeardownRequest__Output as _mezzo_v1_TeardownRequest__Output } from '../../mezzo/v1/TeardownRequest.js';

export interface SchedulerClient extends grpc.Client {
  Accept(argument: _mezzo_v1_AcceptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Accept(argument: _mezzo_v1_AcceptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Accept(argument: _mezzo_v1_AcceptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Accept(argument: _mezzo_v1_AcceptRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  accept(argument: _mezzo_v1_AcceptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  accept(argument: _mezzo_v1_AcceptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  accept(argument: _mezzo_v1_AcceptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  accept(argument: _mezzo_v1_AcceptRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Acknowledge(argument: _mezzo_v1_AcknowledgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Acknowledge(argument: _mezzo_v1_AcknowledgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Acknowledge(argument: _mezzo_v1_AcknowledgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Acknowledge(argument: _mezzo_v1_AcknowledgeRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  acknowledge(argument: _mezzo_v1_AcknowledgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  acknowledge(argument: _mezzo_v1_AcknowledgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  acknowledge(argument: _mezzo_v1_AcknowledgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  acknowledge(argument: _mezzo_v1_AcknowledgeRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Decline(argument: _mezzo_v1_DeclineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Decline(argument: _mezzo_v1_DeclineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Decline(argument: _mezzo_v1_DeclineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Decline(argument: _mezzo_v1_DeclineRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  decline(argument: _mezzo_v1_DeclineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  decline(argument: _mezzo_v1_DeclineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  decline(argument: _mezzo_v1_DeclineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  decline(argument: _mezzo_v1_DeclineRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Kill(argument: _mezzo_v1_KillRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Kill(argument: _mezzo_v1_KillRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Kill(argument: _mezzo_v1_KillRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Kill(argument: _mezzo_v1_KillRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  kill(argument: _mezzo_v1_KillRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  kill(argument: _mezzo_v1_KillRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  kill(argument: _mezzo_v1_KillRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  kill(argument: _mezzo_v1_KillRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Message(argument: _mezzo_v1_MessageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Message(argument: _mezzo_v1_MessageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Message(argument: _mezzo_v1_MessageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Message(argument: _mezzo_v1_MessageRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  message(argument: _mezzo_v1_MessageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  message(argument: _mezzo_v1_MessageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  message(argument: _mezzo_v1_MessageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  message(argument: _mezzo_v1_MessageRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Reconcile(argument: _mezzo_v1_ReconcileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Reconcile(argument: _mezzo_v1_ReconcileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Reconcile(argument: _mezzo_v1_ReconcileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Reconcile(argument: _mezzo_v1_ReconcileRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  reconcile(argument: _mezzo_v1_ReconcileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  reconcile(argument: _mezzo_v1_ReconcileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  reconcile(argument: _mezzo_v1_ReconcileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  reconcile(argument: _mezzo_v1_ReconcileRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Revive(argument: _mezzo_v1_ReviveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Revive(argument: _mezzo_v1_ReviveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Revive(argument: _mezzo_v1_ReviveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Revive(argument: _mezzo_v1_ReviveRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  revive(argument: _mezzo_v1_ReviveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  revive(argument: _mezzo_v1_ReviveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  revive(argument: _mezzo_v1_ReviveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  revive(argument: _mezzo_v1_ReviveRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  /**
   * Opens the event stream. The first event is SUBSCRIBED. Closing the stream
   * disconnects the framework; its tasks survive until its failover timeout.
   */
  Subscribe(argument: _mezzo_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mezzo_v1_Event__Output>;
  Subscribe(argument: _mezzo_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mezzo_v1_Event__Output>;
  /**
   * Opens the event stream. The first event is SUBSCRIBED. Closing the stream
   * disconnects the framework; its tasks survive until its failover timeout.
   */
  subscribe(argument: _mezzo_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mezzo_v1_Event__Output>;
  subscribe(argument: _mezzo_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mezzo_v1_Event__Output>;
  
  Suppress(argument: _mezzo_v1_SuppressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Suppress(argument: _mezzo_v1_SuppressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Suppress(argument: _mezzo_v1_SuppressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Suppress(argument: _mezzo_v1_SuppressRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  suppress(argument: _mezzo_v1_SuppressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  suppress(argument: _mezzo_v1_SuppressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  suppress(argument: _mezzo_v1_SuppressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  suppress(argument: _mezzo_v1_SuppressRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
  Teardown(argument: _mezzo_v1_TeardownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Teardown(argument: _mezzo_v1_TeardownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Teardown(argument: _mezzo_v1_TeardownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  Teardown(argument: _mezzo_v1_TeardownRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  teardown(argument: _mezzo_v1_TeardownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  teardown(argument: _mezzo_v1_TeardownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  teardown(argument: _mezzo_v1_TeardownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  teardown(argument: _mezzo_v1_TeardownRequest, callback: grpc.requestCallback<_mezzo_v1_Ack__Output>): grpc.ClientUnaryCall;
  
}

export interface SchedulerHandlers extends grpc.UntypedServiceImplementation {
  Accept: grpc.handleUnaryCall<_mezzo_v1_AcceptRequest__Output, _mezzo_v1_Ack>;
  
  Acknowledge: grpc.handleUnaryCall<_mezzo_v1_AcknowledgeRequest__Output, _mezzo_v1_Ack>;
  
  Decline: grpc.handleUnaryCall<_mezzo_v1_DeclineRequest__Output, _mezzo_v1_Ack>;
  
  Kill: grpc.handleUnaryCall<_mezzo_v1_KillRequest__Output, _mezzo_v1_Ack>;
  
  Message: grpc.handleUnaryCall<_mezzo_v1_MessageRequest__Output, _mezzo_v1_Ack>;
  
  Reconcile: grpc.handleUnaryCall<_mezzo_v1_ReconcileRequest__Output, _mezzo_v1_Ack>;
  
  Revive: grpc.handleUnaryCall<_mezzo_v1_ReviveRequest__Output, _mezzo_v1_Ack>;
  
  /**
   * Opens the event stream. The first event is SUBSCRIBED. Closing the stream
   * disconnects the framework; its tasks survive until its failover timeout.
   */
  Subscribe: grpc.handleServerStreamingCall<_mezzo_v1_SubscribeRequest__Output, _mezzo_v1_Event>;
  
  Suppress: grpc.handleUnaryCall<_mezzo_v1_SuppressRequest__Output, _mezzo_v1_Ack>;
  
  Teardown: grpc.handleUnaryCall<_mezzo_v1_TeardownRequest__Output, _mezzo_v1_Ack>;
  
}

export interface SchedulerDefinition extends grpc.ServiceDefinition {
  Accept: MethodDefinition<_mezzo_v1_AcceptRequest, _mezzo_v1_Ack, _mezzo_v1_AcceptRequest__Output, _mezzo_v1_Ack__Output>
  Acknowledge: MethodDefinition<_mezzo_v1_AcknowledgeRequest, _mezzo_v1_Ack, _mezzo_v1_AcknowledgeRequest__Output, _mezzo_v1_Ack__Output>
  Decline: MethodDefinition<_mezzo_v1_DeclineRequest, _mezzo_v1_Ack, _mezzo_v1_DeclineRequest__Output, _mezzo_v1_Ack__Output>
  Kill: MethodDefinition<_mezzo_v1_KillRequest, _mezzo_v1_Ack, _mezzo_v1_KillRequest__Output, _mezzo_v1_Ack__Output>
  Message: MethodDefinition<_mezzo_v1_MessageRequest, _mezzo_v1_Ack, _mezzo_v1_MessageRequest__Output, _mezzo_v1_Ack__Output>
  Reconcile: MethodDefinition<_mezzo_v1_ReconcileRequest, _mezzo_v1_Ack, _mezzo_v1_ReconcileRequest__Output, _mezzo_v1_Ack__Output>
  Revive: MethodDefinition<_mezzo_v1_ReviveRequest, _mezzo_v1_Ack, _mezzo_v1_ReviveRequest__Output, _mezzo_v1_Ack__Output>
  Subscribe: MethodDefinition<_mezzo_v1_SubscribeRequest, _mezzo_v1_Event, _mezzo_v1_SubscribeRequest__Output, _mezzo_v1_Event__Output>
  Suppress: MethodDefinition<_mezzo_v1_SuppressRequest, _mezzo_v1_Ack, _mezzo_v1_SuppressRequest__Output, _mezzo_v1_Ack__Output>
  Teardown: MethodDefinition<_mezzo_v1_TeardownRequest, _mezzo_v1_Ack, _mezzo_v1_TeardownRequest__Output, _mezzo_v1_Ack__Output>
}
