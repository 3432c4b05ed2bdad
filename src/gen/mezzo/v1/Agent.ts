// Original file: proto/mezzo/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _mezzo_v1_AgentMessage, AgentMessage__Output as _mezzo_v1_AgentMessage__Output } from '../../mezzo/v1/AgentMessage.js';
import type { ControllerMessage as _mezzo_v1_ControllerMessage, ControllerMessage__Output as _mezzo_v1_ControllerMessage__Output } from '../../mezzo/v1/ControllerMessage.js';

export interface AgentClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mezzo_v1_AgentMessage, _mezzo_v1_ControllerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mezzo_v1_AgentMessage, _mezzo_v1_ControllerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mezzo_v1_AgentMessage, _mezzo_v1_ControllerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mezzo_v1_AgentMessage, _mezzo_v1_ControllerMessage__Output>;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_mezzo_v1_AgentMessage__Output, _mezzo_v1_ControllerMessage>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_mezzo_v1_AgentMessage, _mezzo_v1_ControllerMessage, _mezzo_v1_AgentMessage__Output, _mezzo_v1_ControllerMessage__Output>
}
