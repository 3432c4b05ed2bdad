// Original file: proto/mezzo/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadFile {
  'request_id'?: (number | string | Long);
  'task_id'?: (string);
  /**
   * "stdout" or "stderr", or a path relative to the sandbox.
   */
  'path'?: (string);
  'offset'?: (number | string | Long);
  'length'?: (number | string | Long);
}

export interface ReadFile__Output {
  'request_id': (number);
  'task_id': (string);
  /**
   * "stdout" or "stderr", or a path relative to the sandbox.
   */
  'path': (string);
  'offset': (number);
  'length': (number);
}
