import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcceptRequest as _mezzo_v1_AcceptRequest, AcceptRequest__Output as _mezzo_v1_AcceptRequest__Output } from './mezzo/v1/AcceptRequest.js';
import type { Ack as _mezzo_v1_Ack, Ack__Output as _mezzo_v1_Ack__Output } from './mezzo/v1/Ack.js';
import type { AcknowledgeRequest as _mezzo_v1_AcknowledgeRequest, AcknowledgeRequest__Output as _mezzo_v1_AcknowledgeRequest__Output } from './mezzo/v1/AcknowledgeRequest.js';
import type { Attribute as _mezzo_v1_Attribute, Attribute__Output as _mezzo_v1_Attribute__Output } from './mezzo/v1/Attribute.js';
import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from './mezzo/v1/CallHeader.js';
import type { CommandInfo as _mezzo_v1_CommandInfo, CommandInfo__Output as _mezzo_v1_CommandInfo__Output } from './mezzo/v1/CommandInfo.js';
import type { DeclineRequest as _mezzo_v1_DeclineRequest, DeclineRequest__Output as _mezzo_v1_DeclineRequest__Output } from './mezzo/v1/DeclineRequest.js';
import type { Event as _mezzo_v1_Event, Event__Output as _mezzo_v1_Event__Output } from './mezzo/v1/Event.js';
import type { Filters as _mezzo_v1_Filters, Filters__Output as _mezzo_v1_Filters__Output } from './mezzo/v1/Filters.js';
import type { FrameworkInfo as _mezzo_v1_FrameworkInfo, FrameworkInfo__Output as _mezzo_v1_FrameworkInfo__Output } from './mezzo/v1/FrameworkInfo.js';
import type { HealthCheck as _mezzo_v1_HealthCheck, HealthCheck__Output as _mezzo_v1_HealthCheck__Output } from './mezzo/v1/HealthCheck.js';
import type { KillRequest as _mezzo_v1_KillRequest, KillRequest__Output as _mezzo_v1_KillRequest__Output } from './mezzo/v1/KillRequest.js';
import type { MessageRequest as _mezzo_v1_MessageRequest, MessageRequest__Output as _mezzo_v1_MessageRequest__Output } from './mezzo/v1/MessageRequest.js';
import type { Offer as _mezzo_v1_Offer, Offer__Output as _mezzo_v1_Offer__Output } from './mezzo/v1/Offer.js';
import type { Operation as _mezzo_v1_Operation, Operation__Output as _mezzo_v1_Operation__Output } from './mezzo/v1/Operation.js';
import type { Range as _mezzo_v1_Range, Range__Output as _mezzo_v1_Range__Output } from './mezzo/v1/Range.js';
import type { ReconcileRequest as _mezzo_v1_ReconcileRequest, ReconcileRequest__Output as _mezzo_v1_ReconcileRequest__Output } from './mezzo/v1/ReconcileRequest.js';
import type { Reservation as _mezzo_v1_Reservation, Reservation__Output as _mezzo_v1_Reservation__Output } from './mezzo/v1/Reservation.js';
import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from './mezzo/v1/Resource.js';
import type { ReviveRequest as _mezzo_v1_ReviveRequest, ReviveRequest__Output as _mezzo_v1_ReviveRequest__Output } from './mezzo/v1/ReviveRequest.js';
import type { SchedulerClient as _mezzo_v1_SchedulerClient, SchedulerDefinition as _mezzo_v1_SchedulerDefinition } from './mezzo/v1/Scheduler.js';
import type { SubscribeRequest as _mezzo_v1_SubscribeRequest, SubscribeRequest__Output as _mezzo_v1_SubscribeRequest__Output } from './mezzo/v1/SubscribeRequest.js';
import type { SuppressRequest as _mezzo_v1_SuppressRequest, SuppressRequest__Output as _mezzo_v1_SuppressRequest__Output } from './mezzo/v1/SuppressRequest.js';
import type { TaskInfo as _mezzo_v1_TaskInfo, TaskInfo__Output as _mezzo_v1_TaskInfo__Output } from './mezzo/v1/TaskInfo.js';
import type { TaskStatus as _mezzo_v1_TaskStatus, TaskStatus__Output as _mezzo_v1_TaskStatus__Output } from './mezzo/v1/TaskStatus.js';
import type { TeardownRequest as _mezzo_v1_TeardownRequest, TeardownRequest__Output as _mezzo_v1_TeardownRequest__Output } from './mezzo/v1/TeardownRequest.js';
import type { UriInfo as _mezzo_v1_UriInfo, UriInfo__Output as _mezzo_v1_UriInfo__Output } from './mezzo/v1/UriInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mezzo: {
    v1: {
      AcceptRequest: MessageTypeDefinition<_mezzo_v1_AcceptRequest, _mezzo_v1_AcceptRequest__Output>
      Ack: MessageTypeDefinition<_mezzo_v1_Ack, _mezzo_v1_Ack__Output>
      AcknowledgeRequest: MessageTypeDefinition<_mezzo_v1_AcknowledgeRequest, _mezzo_v1_AcknowledgeRequest__Output>
      Attribute: MessageTypeDefinition<_mezzo_v1_Attribute, _mezzo_v1_Attribute__Output>
      CallHeader: MessageTypeDefinition<_mezzo_v1_CallHeader, _mezzo_v1_CallHeader__Output>
      CommandInfo: MessageTypeDefinition<_mezzo_v1_CommandInfo, _mezzo_v1_CommandInfo__Output>
      DeclineRequest: MessageTypeDefinition<_mezzo_v1_DeclineRequest, _mezzo_v1_DeclineRequest__Output>
      Event: MessageTypeDefinition<_mezzo_v1_Event, _mezzo_v1_Event__Output>
      Filters: MessageTypeDefinition<_mezzo_v1_Filters, _mezzo_v1_Filters__Output>
      FrameworkInfo: MessageTypeDefinition<_mezzo_v1_FrameworkInfo, _mezzo_v1_FrameworkInfo__Output>
      HealthCheck: MessageTypeDefinition<_mezzo_v1_HealthCheck, _mezzo_v1_HealthCheck__Output>
      KillRequest: MessageTypeDefinition<_mezzo_v1_KillRequest, _mezzo_v1_KillRequest__Output>
      MessageRequest: MessageTypeDefinition<_mezzo_v1_MessageRequest, _mezzo_v1_MessageRequest__Output>
      Offer: MessageTypeDefinition<_mezzo_v1_Offer, _mezzo_v1_Offer__Output>
      Operation: MessageTypeDefinition<_mezzo_v1_Operation, _mezzo_v1_Operation__Output>
      Range: MessageTypeDefinition<_mezzo_v1_Range, _mezzo_v1_Range__Output>
      ReconcileRequest: MessageTypeDefinition<_mezzo_v1_ReconcileRequest, _mezzo_v1_ReconcileRequest__Output>
      Reservation: MessageTypeDefinition<_mezzo_v1_Reservation, _mezzo_v1_Reservation__Output>
      Resource: MessageTypeDefinition<_mezzo_v1_Resource, _mezzo_v1_Resource__Output>
      ReviveRequest: MessageTypeDefinition<_mezzo_v1_ReviveRequest, _mezzo_v1_ReviveRequest__Output>
      Scheduler: SubtypeConstructor<typeof grpc.Client, _mezzo_v1_SchedulerClient> & { service: _mezzo_v1_SchedulerDefinition }
      StatusReason: EnumTypeDefinition
      StatusSource: EnumTypeDefinition
      SubscribeRequest: MessageTypeDefinition<_mezzo_v1_SubscribeRequest, _mezzo_v1_SubscribeRequest__Output>
      SuppressRequest: MessageTypeDefinition<_mezzo_v1_SuppressRequest, _mezzo_v1_SuppressRequest__Output>
      TaskInfo: MessageTypeDefinition<_mezzo_v1_TaskInfo, _mezzo_v1_TaskInfo__Output>
      TaskState: EnumTypeDefinition
      TaskStatus: MessageTypeDefinition<_mezzo_v1_TaskStatus, _mezzo_v1_TaskStatus__Output>
      TeardownRequest: MessageTypeDefinition<_mezzo_v1_TeardownRequest, _mezzo_v1_TeardownRequest__Output>
      UriInfo: MessageTypeDefinition<_mezzo_v1_UriInfo, _mezzo_v1_UriInfo__Output>
    }
  }
}

