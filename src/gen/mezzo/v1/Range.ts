// Original file: proto/mezzo/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A contiguous, inclusive range of values, e.g. ports 31000-32000.
 */
export interface Range {
  'begin'?: (number | string | Long);
  'end'?: (number | string | Long);
}

/**
 * A contiguous, inclusive range of values, e.g. ports 31000-32000.
 */
export interface Range__Output {
  'begin': (number);
  'end': (number);
}
