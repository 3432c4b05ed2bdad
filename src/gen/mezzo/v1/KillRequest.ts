// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface KillRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  'task_id'?: (string);
  'agent_id'?: (string);
  /**
   * Overrides the task's kill grace period when set.
   */
  'grace_period_seconds'?: (number | string);
  '_grace_period_seconds'?: "grace_period_seconds";
}

export interface KillRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  'task_id': (string);
  'agent_id': (string);
  /**
   * Overrides the task's kill grace period when set.
   */
  'grace_period_seconds'?: (number);
  '_grace_period_seconds'?: "grace_period_seconds";
}
