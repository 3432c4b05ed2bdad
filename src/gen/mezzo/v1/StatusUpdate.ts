// Original file: proto/mezzo/v1/agent.proto

import type { TaskStatus as _mezzo_v1_TaskStatus, TaskStatus__Output as _mezzo_v1_TaskStatus__Output } from '../../mezzo/v1/TaskStatus.js';

export interface StatusUpdate {
  'status'?: (_mezzo_v1_TaskStatus | null);
}

export interface StatusUpdate__Output {
  'status': (_mezzo_v1_TaskStatus__Output | null);
}
