// Original file: proto/mezzo/v1/agent.proto

import type { Register as _mezzo_v1_Register, Register__Output as _mezzo_v1_Register__Output } from '../../mezzo/v1/Register.js';
import type { ReRegister as _mezzo_v1_ReRegister, ReRegister__Output as _mezzo_v1_ReRegister__Output } from '../../mezzo/v1/ReRegister.js';
import type { StatusUpdate as _mezzo_v1_StatusUpdate, StatusUpdate__Output as _mezzo_v1_StatusUpdate__Output } from '../../mezzo/v1/StatusUpdate.js';
import type { Usage as _mezzo_v1_Usage, Usage__Output as _mezzo_v1_Usage__Output } from '../../mezzo/v1/Usage.js';
import type { Ping as _mezzo_v1_Ping, Ping__Output as _mezzo_v1_Ping__Output } from '../../mezzo/v1/Ping.js';
import type { Pong as _mezzo_v1_Pong, Pong__Output as _mezzo_v1_Pong__Output } from '../../mezzo/v1/Pong.js';
import type { FileData as _mezzo_v1_FileData, FileData__Output as _mezzo_v1_FileData__Output } from '../../mezzo/v1/FileData.js';
import type { AgentBatch as _mezzo_v1_AgentBatch, AgentBatch__Output as _mezzo_v1_AgentBatch__Output } from '../../mezzo/v1/AgentBatch.js';

export interface AgentMessage {
  'register'?: (_mezzo_v1_Register | null);
  'reregister'?: (_mezzo_v1_ReRegister | null);
  'status_update'?: (_mezzo_v1_StatusUpdate | null);
  'usage'?: (_mezzo_v1_Usage | null);
  'ping'?: (_mezzo_v1_Ping | null);
  'pong'?: (_mezzo_v1_Pong | null);
  'file_data'?: (_mezzo_v1_FileData | null);
  'batch'?: (_mezzo_v1_AgentBatch | null);
  'payload'?: "register"|"reregister"|"status_update"|"usage"|"ping"|"pong"|"file_data"|"batch";
}

export interface AgentMessage__Output {
  'register'?: (_mezzo_v1_Register__Output | null);
  'reregister'?: (_mezzo_v1_ReRegister__Output | null);
  'status_update'?: (_mezzo_v1_StatusUpdate__Output | null);
  'usage'?: (_mezzo_v1_Usage__Output | null);
  'ping'?: (_mezzo_v1_Ping__Output | null);
  'pong'?: (_mezzo_v1_Pong__Output | null);
  'file_data'?: (_mezzo_v1_FileData__Output | null);
  'batch'?: (_mezzo_v1_AgentBatch__Output | null);
  'payload'?: "register"|"reregister"|"status_update"|"usage"|"ping"|"pong"|"file_data"|"batch";
}
