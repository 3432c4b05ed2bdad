// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';
import type { Operation as _mezzo_v1_Operation, Operation__Output as _mezzo_v1_Operation__Output } from '../../mezzo/v1/Operation.js';
import type { Filters as _mezzo_v1_Filters, Filters__Output as _mezzo_v1_Filters__Output } from '../../mezzo/v1/Filters.js';

export interface AcceptRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  /**
   * All offers must be for the same agent. Resources not used by the operations are
   * declined with the given filters.
   */
  'offer_ids'?: (string)[];
  'operations'?: (_mezzo_v1_Operation)[];
  'filters'?: (_mezzo_v1_Filters | null);
}

export interface AcceptRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  /**
   * All offers must be for the same agent. Resources not used by the operations are
   * declined with the given filters.
   */
  'offer_ids': (string)[];
  'operations': (_mezzo_v1_Operation__Output)[];
  'filters': (_mezzo_v1_Filters__Output | null);
}
