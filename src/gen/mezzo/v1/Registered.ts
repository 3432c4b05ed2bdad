// Original file: proto/mezzo/v1/agent.proto


export interface Registered {
  'agent_id'?: (string);
  'heartbeat_interval_seconds'?: (number | string);
}

export interface Registered__Output {
  'agent_id': (string);
  'heartbeat_interval_seconds': (number);
}
