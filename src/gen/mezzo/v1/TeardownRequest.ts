// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface TeardownRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
}

export interface TeardownRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
}
