// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';
import type { Filters as _mezzo_v1_Filters, Filters__Output as _mezzo_v1_Filters__Output } from '../../mezzo/v1/Filters.js';

export interface DeclineRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  'offer_ids'?: (string)[];
  'filters'?: (_mezzo_v1_Filters | null);
}

export interface DeclineRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  'offer_ids': (string)[];
  'filters': (_mezzo_v1_Filters__Output | null);
}
