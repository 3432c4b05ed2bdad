// Original file: proto/mezzo/v1/agent.proto


export interface Shutdown {
  'message'?: (string);
}

export interface Shutdown__Output {
  'message': (string);
}
