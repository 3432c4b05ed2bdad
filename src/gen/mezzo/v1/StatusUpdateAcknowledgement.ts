// Original file: proto/mezzo/v1/agent.proto


export interface StatusUpdateAcknowledgement {
  'task_id'?: (string);
  'framework_id'?: (string);
  'uuid'?: (Buffer | Uint8Array | string);
}

export interface StatusUpdateAcknowledgement__Output {
  'task_id': (string);
  'framework_id': (string);
  'uuid': (Buffer);
}
