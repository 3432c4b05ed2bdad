// Original file: proto/mezzo/v1/agent.proto

import type { TaskUsage as _mezzo_v1_TaskUsage, TaskUsage__Output as _mezzo_v1_TaskUsage__Output } from '../../mezzo/v1/TaskUsage.js';

export interface Usage {
  'tasks'?: (_mezzo_v1_TaskUsage)[];
  'timestamp'?: (number | string);
}

export interface Usage__Output {
  'tasks': (_mezzo_v1_TaskUsage__Output)[];
  'timestamp': (number);
}
