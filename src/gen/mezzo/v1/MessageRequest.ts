// Original file: proto/mezzo/v1/scheduler.proto

import type { CallHeader as _mezzo_v1_CallHeader, CallHeader__Output as _mezzo_v1_CallHeader__Output } from '../../mezzo/v1/CallHeader.js';

export interface MessageRequest {
  'header'?: (_mezzo_v1_CallHeader | null);
  'agent_id'?: (string);
  'executor_id'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface MessageRequest__Output {
  'header': (_mezzo_v1_CallHeader__Output | null);
  'agent_id': (string);
  'executor_id': (string);
  'data': (Buffer);
}
