// Original file: proto/mezzo/v1/agent.proto

import type { TaskInfo as _mezzo_v1_TaskInfo, TaskInfo__Output as _mezzo_v1_TaskInfo__Output } from '../../mezzo/v1/TaskInfo.js';
import type { FrameworkInfoLite as _mezzo_v1_FrameworkInfoLite, FrameworkInfoLite__Output as _mezzo_v1_FrameworkInfoLite__Output } from '../../mezzo/v1/FrameworkInfoLite.js';

export interface LaunchTask {
  'task'?: (_mezzo_v1_TaskInfo | null);
  'framework'?: (_mezzo_v1_FrameworkInfoLite | null);
}

export interface LaunchTask__Output {
  'task': (_mezzo_v1_TaskInfo__Output | null);
  'framework': (_mezzo_v1_FrameworkInfoLite__Output | null);
}
