// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface _mezzo_v1_ReconcileRequest_Task {
  'task_id'?: (string);
  'agent_id'?: (string);
}

export interface _mezzo_v1_ReconcileRequest_Task__Output {
  'task_id': (string);
  'agent_id': (string);
}

export interface ReconcileRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  /**
   * Empty: implicit reconciliation (the latest state of every task the controller knows).
   */
  'tasks'?: (_mezzo_v1_ReconcileRequest_Task)[];
}

export interface ReconcileRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  /**
   * Empty: implicit reconciliation (the latest state of every task the controller knows).
   */
  'tasks': (_mezzo_v1_ReconcileRequest_Task__Output)[];
}
