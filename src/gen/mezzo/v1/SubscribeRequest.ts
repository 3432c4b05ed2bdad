// Original file: proto/mezzo/v1/scheduler.proto

import type { FrameworkInfo as _mezzo_v1_FrameworkInfo, FrameworkInfo__Output as _mezzo_v1_FrameworkInfo__Output } from '../../mezzo/v1/FrameworkInfo.js';

export interface SubscribeRequest {
  'framework_info'?: (_mezzo_v1_FrameworkInfo | null);
  /**
   * Roles whose offers the framework does not want yet (Mesos' suppressed_roles).
   */
  'suppressed_roles'?: (string)[];
  /**
   * The largest BATCH event (serialized bytes) the scheduler reads; 0: none, every
   * event comes alone.
   */
  'max_batch_bytes'?: (number);
}

export interface SubscribeRequest__Output {
  'framework_info': (_mezzo_v1_FrameworkInfo__Output | null);
  /**
   * Roles whose offers the framework does not want yet (Mesos' suppressed_roles).
   */
  'suppressed_roles': (string)[];
  /**
   * The largest BATCH event (serialized bytes) the scheduler reads; 0: none, every
   * event comes alone.
   */
  'max_batch_bytes': (number);
}
