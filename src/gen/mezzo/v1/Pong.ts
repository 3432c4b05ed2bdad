// Original file: proto/mezzo/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Pong {
  'nonce'?: (number | string | Long);
}

export interface Pong__Output {
  'nonce': (number);
}
