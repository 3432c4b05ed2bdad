// Original file: proto/mezzo/v1/agent.proto

import type { Registered as _mezzo_v1_Registered, Registered__Output as _mezzo_v1_Registered__Output } from '../../mezzo/v1/Registered.js';
import type { LaunchTask as _mezzo_v1_LaunchTask, LaunchTask__Output as _mezzo_v1_LaunchTask__Output } from '../../mezzo/v1/LaunchTask.js';
import type { KillTask as _mezzo_v1_KillTask, KillTask__Output as _mezzo_v1_KillTask__Output } from '../../mezzo/v1/KillTask.js';
import type { StatusUpdateAcknowledgement as _mezzo_v1_StatusUpdateAcknowledgement, StatusUpdateAcknowledgement__Output as _mezzo_v1_StatusUpdateAcknowledgement__Output } from '../../mezzo/v1/StatusUpdateAcknowledgement.js';
import type { Ping as _mezzo_v1_Ping, Ping__Output as _mezzo_v1_Ping__Output } from '../../mezzo/v1/Ping.js';
import type { Pong as _mezzo_v1_Pong, Pong__Output as _mezzo_v1_Pong__Output } from '../../mezzo/v1/Pong.js';
import type { ReadFile as _mezzo_v1_ReadFile, ReadFile__Output as _mezzo_v1_ReadFile__Output } from '../../mezzo/v1/ReadFile.js';
import type { Shutdown as _mezzo_v1_Shutdown, Shutdown__Output as _mezzo_v1_Shutdown__Output } from '../../mezzo/v1/Shutdown.js';
import type { ShutdownFramework as _mezzo_v1_ShutdownFramework, ShutdownFramework__Output as _mezzo_v1_ShutdownFramework__Output } from '../../mezzo/v1/ShutdownFramework.js';
import type { ControllerBatch as _mezzo_v1_ControllerBatch, ControllerBatch__Output as _mezzo_v1_ControllerBatch__Output } from '../../mezzo/v1/ControllerBatch.js';
import type { StatusWritesGranted as _mezzo_v1_StatusWritesGranted, StatusWritesGranted__Output as _mezzo_v1_StatusWritesGranted__Output } from '../../mezzo/v1/StatusWritesGranted.js';

export interface ControllerMessage {
  'registered'?: (_mezzo_v1_Registered | null);
  'launch_task'?: (_mezzo_v1_LaunchTask | null);
  'kill_task'?: (_mezzo_v1_KillTask | null);
  'acknowledgement'?: (_mezzo_v1_StatusUpdateAcknowledgement | null);
  'ping'?: (_mezzo_v1_Ping | null);
  'pong'?: (_mezzo_v1_Pong | null);
  'read_file'?: (_mezzo_v1_ReadFile | null);
  'shutdown'?: (_mezzo_v1_Shutdown | null);
  'shutdown_framework'?: (_mezzo_v1_ShutdownFramework | null);
  'batch'?: (_mezzo_v1_ControllerBatch | null);
  'status_writes_granted'?: (_mezzo_v1_StatusWritesGranted | null);
  'payload'?: "registered"|"launch_task"|"kill_task"|"acknowledgement"|"ping"|"pong"|"read_file"|"shutdown"|"shutdown_framework"|"batch"|"status_writes_granted";
}

export interface ControllerMessage__Output {
  'registered'?: (_mezzo_v1_Registered__Output | null);
  'launch_task'?: (_mezzo_v1_LaunchTask__Output | null);
  'kill_task'?: (_mezzo_v1_KillTask__Output | null);
  'acknowledgement'?: (_mezzo_v1_StatusUpdateAcknowledgement__Output | null);
  'ping'?: (_mezzo_v1_Ping__Output | null);
  'pong'?: (_mezzo_v1_Pong__Output | null);
  'read_file'?: (_mezzo_v1_ReadFile__Output | null);
  'shutdown'?: (_mezzo_v1_Shutdown__Output | null);
  'shutdown_framework'?: (_mezzo_v1_ShutdownFramework__Output | null);
  'batch'?: (_mezzo_v1_ControllerBatch__Output | null);
  'status_writes_granted'?: (_mezzo_v1_StatusWritesGranted__Output | null);
  'payload'?: "registered"|"launch_task"|"kill_task"|"acknowledgement"|"ping"|"pong"|"read_file"|"shutdown"|"shutdown_framework"|"batch"|"status_writes_granted";
}
