// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface ReviveRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  /**
   * Empty: all of the framework's roles.
   */
  'roles'?: (string)[];
}

export interface ReviveRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  /**
   * Empty: all of the framework's roles.
   */
  'roles': (string)[];
}
