// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface SuppressRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  'roles'?: (string)[];
}

export interface SuppressRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  'roles': (string)[];
}
