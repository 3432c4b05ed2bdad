// Original file: proto/mezzo/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface FileData {
  'request_id'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'offset'?: (number | string | Long);
  'eof'?: (boolean);
  /**
   * Non-empty when the file could not be read (unknown task, no such file).
   */
  'error'?: (string);
}

export interface FileData__Output {
  'request_id': (number);
  'data': (Buffer);
  'offset': (number);
  'eof': (boolean);
  /**
   * Non-empty when the file could not be read (unknown task, no such file).
   */
  'error': (string);
}
