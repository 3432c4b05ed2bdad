import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _mezzo_v1_AgentClient, AgentDefinition as _mezzo_v1_AgentDefinition } from './mezzo/v1/Agent.js';
import type { AgentBatch as _mezzo_v1_AgentBatch, AgentBatch__Output as _mezzo_v1_AgentBatch__Output } from './mezzo/v1/AgentBatch.js';
import type { AgentInfo as _mezzo_v1_AgentInfo, AgentInfo__Output as _mezzo_v1_AgentInfo__Output } from './mezzo/v1/AgentInfo.js';
import type { AgentMessage as _mezzo_v1_AgentMessage, AgentMessage__Output as _mezzo_v1_AgentMessage__Output } from './mezzo/v1/AgentMessage.js';
import type { Attribute as _mezzo_v1_Attribute, Attribute__Output as _mezzo_v1_Attribute__Output } from './mezzo/v1/Attribute.js';
import type { CommandInfo as _mezzo_v1_CommandInfo, CommandInfo__Output as _mezzo_v1_CommandInfo__Output } from './mezzo/v1/CommandInfo.js';
import type { ControllerBatch as _mezzo_v1_ControllerBatch, ControllerBatch__Output as _mezzo_v1_ControllerBatch__Output } from './mezzo/v1/ControllerBatch.js';
import type { ControllerMessage as _mezzo_v1_ControllerMessage, ControllerMessage__Output as _mezzo_v1_ControllerMessage__Output } from './mezzo/v1/ControllerMessage.js';
import type { FileData as _mezzo_v1_FileData, FileData__Output as _mezzo_v1_FileData__Output } from './mezzo/v1/FileData.js';
import type { FrameworkInfoLite as _mezzo_v1_FrameworkInfoLite, FrameworkInfoLite__Output as _mezzo_v1_FrameworkInfoLite__Output } from './mezzo/v1/FrameworkInfoLite.js';
import type { HealthCheck as _mezzo_v1_HealthCheck, HealthCheck__Output as _mezzo_v1_HealthCheck__Output } from './mezzo/v1/HealthCheck.js';
import type { KillTask as _mezzo_v1_KillTask, KillTask__Output as _mezzo_v1_KillTask__Output } from './mezzo/v1/KillTask.js';
import type { LaunchTask as _mezzo_v1_LaunchTask, LaunchTask__Output as _mezzo_v1_LaunchTask__Output } from './mezzo/v1/LaunchTask.js';
import type { Ping as _mezzo_v1_Ping, Ping__Output as _mezzo_v1_Ping__Output } from './mezzo/v1/Ping.js';
import type { Pong as _mezzo_v1_Pong, Pong__Output as _mezzo_v1_Pong__Output } from './mezzo/v1/Pong.js';
import type { Range as _mezzo_v1_Range, Range__Output as _mezzo_v1_Range__Output } from './mezzo/v1/Range.js';
import type { ReRegister as _mezzo_v1_ReRegister, ReRegister__Output as _mezzo_v1_ReRegister__Output } from './mezzo/v1/ReRegister.js';
import type { ReadFile as _mezzo_v1_ReadFile, ReadFile__Output as _mezzo_v1_ReadFile__Output } from './mezzo/v1/ReadFile.js';
import type { Register as _mezzo_v1_Register, Register__Output as _mezzo_v1_Register__Output } from './mezzo/v1/Register.js';
import type { Registered as _mezzo_v1_Registered, Registered__Output as _mezzo_v1_Registered__Output } from './mezzo/v1/Registered.js';
import type { Reservation as _mezzo_v1_Reservation, Reservation__Output as _mezzo_v1_Reservation__Output } from './mezzo/v1/Reservation.js';
import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from './mezzo/v1/Resource.js';
import type { Shutdown as _mezzo_v1_Shutdown, Shutdown__Output as _mezzo_v1_Shutdown__Output } from './mezzo/v1/Shutdown.js';
import type { ShutdownFramework as _mezzo_v1_ShutdownFramework, ShutdownFramework__Output as _mezzo_v1_ShutdownFramework__Output } from './mezzo/v1/ShutdownFramework.js';
import type { StatusUpdate as _mezzo_v1_StatusUpdate, StatusUpdate__Output as _mezzo_v1_StatusUpdate__Output } from './mezzo/v1/StatusUpdate.js';
import type { StatusUpdateAcknowledgement as _mezzo_v1_StatusUpdateAcknowledgement, StatusUpdateAcknowledgement__Output as _mezzo_v1_StatusUpdateAcknowledgement__Output } from './mezzo/v1/StatusUpdateAcknowledgement.js';
import type { StatusWritesGranted as _mezzo_v1_StatusWritesGranted, StatusWritesGranted__Output as _mezzo_v1_StatusWritesGranted__Output } from './mezzo/v1/StatusWritesGranted.js';
import type { TaskInfo as _mezzo_v1_TaskInfo, TaskInfo__Output as _mezzo_v1_TaskInfo__Output } from './mezzo/v1/TaskInfo.js';
import type { TaskStatus as _mezzo_v1_TaskStatus, TaskStatus__Output as _mezzo_v1_TaskStatus__Output } from './mezzo/v1/TaskStatus.js';
import type { TaskUsage as _mezzo_v1_TaskUsage, TaskUsage__Output as _mezzo_v1_TaskUsage__Output } from './mezzo/v1/TaskUsage.js';
import type { UriInfo as _mezzo_v1_UriInfo, UriInfo__Output as _mezzo_v1_UriInfo__Output } from './mezzo/v1/UriInfo.js';
import type { Usage as _mezzo_v1_Usage, Usage__Output as _mezzo_v1_Usage__Output } from './mezzo/v1/Usage.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mezzo: {
    v1: {
      Agent: SubtypeConstructor<typeof grpc.Client, _mezzo_v1_AgentClient> & { service: _mezzo_v1_AgentDefinition }
      AgentBatch: MessageTypeDefinition<_mezzo_v1_AgentBatch, _mezzo_v1_AgentBatch__Output>
      AgentInfo: MessageTypeDefinition<_mezzo_v1_AgentInfo, _mezzo_v1_AgentInfo__Output>
      AgentMessage: MessageTypeDefinition<_mezzo_v1_AgentMessage, _mezzo_v1_AgentMessage__Output>
      Attribute: MessageTypeDefinition<_mezzo_v1_Attribute, _mezzo_v1_Attribute__Output>
      CommandInfo: MessageTypeDefinition<_mezzo_v1_CommandInfo, _mezzo_v1_CommandInfo__Output>
      ControllerBatch: MessageTypeDefinition<_mezzo_v1_ControllerBatch, _mezzo_v1_ControllerBatch__Output>
      ControllerMessage: MessageTypeDefinition<_mezzo_v1_ControllerMessage, _mezzo_v1_ControllerMessage__Output>
      FileData: MessageTypeDefinition<_mezzo_v1_FileData, _mezzo_v1_FileData__Output>
      FrameworkInfoLite: MessageTypeDefinition<_mezzo_v1_FrameworkInfoLite, _mezzo_v1_FrameworkInfoLite__Output>
      HealthCheck: MessageTypeDefinition<_mezzo_v1_HealthCheck, _mezzo_v1_HealthCheck__Output>
      KillTask: MessageTypeDefinition<_mezzo_v1_KillTask, _mezzo_v1_KillTask__Output>
      LaunchTask: MessageTypeDefinition<_mezzo_v1_LaunchTask, _mezzo_v1_LaunchTask__Output>
      Ping: MessageTypeDefinition<_mezzo_v1_Ping, _mezzo_v1_Ping__Output>
      Pong: MessageTypeDefinition<_mezzo_v1_Pong, _mezzo_v1_Pong__Output>
      Range: MessageTypeDefinition<_mezzo_v1_Range, _mezzo_v1_Range__Output>
      ReRegister: MessageTypeDefinition<_mezzo_v1_ReRegister, _mezzo_v1_ReRegister__Output>
      ReadFile: MessageTypeDefinition<_mezzo_v1_ReadFile, _mezzo_v1_ReadFile__Output>
      Register: MessageTypeDefinition<_mezzo_v1_Register, _mezzo_v1_Register__Output>
      Registered: MessageTypeDefinition<_mezzo_v1_Registered, _mezzo_v1_Registered__Output>
      Reservation: MessageTypeDefinition<_mezzo_v1_Reservation, _mezzo_v1_Reservation__Output>
      Resource: MessageTypeDefinition<_mezzo_v1_Resource, _mezzo_v1_Resource__Output>
      Shutdown: MessageTypeDefinition<_mezzo_v1_Shutdown, _mezzo_v1_Shutdown__Output>
      ShutdownFramework: MessageTypeDefinition<_mezzo_v1_ShutdownFramework, _mezzo_v1_ShutdownFramework__Output>
      StatusReason: EnumTypeDefinition
      StatusSource: EnumTypeDefinition
      StatusUpdate: MessageTypeDefinition<_mezzo_v1_StatusUpdate, _mezzo_v1_StatusUpdate__Output>
      StatusUpdateAcknowledgement: MessageTypeDefinition<_mezzo_v1_StatusUpdateAcknowledgement, _mezzo_v1_StatusUpdateAcknowledgement__Output>
      StatusWritesGranted: MessageTypeDefinition<_mezzo_v1_StatusWritesGranted, _mezzo_v1_StatusWritesGranted__Output>
      TaskInfo: MessageTypeDefinition<_mezzo_v1_TaskInfo, _mezzo_v1_TaskInfo__Output>
      TaskState: EnumTypeDefinition
      TaskStatus: MessageTypeDefinition<_mezzo_v1_TaskStatus, _mezzo_v1_TaskStatus__Output>
      TaskUsage: MessageTypeDefinition<_mezzo_v1_TaskUsage, _mezzo_v1_TaskUsage__Output>
      UriInfo: MessageTypeDefinition<_mezzo_v1_UriInfo, _mezzo_v1_UriInfo__Output>
      Usage: MessageTypeDefinition<_mezzo_v1_Usage, _mezzo_v1_Usage__Output>
    }
  }
}

