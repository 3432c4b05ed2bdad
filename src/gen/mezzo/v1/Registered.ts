// Original file: proto/mezzo/v1/agent.proto


export interface Registered {
  'agent_id'?: (string);
  'heartbeat_interval_seconds'?: (number | string);
  /**
   * The largest AgentMessage batch (serialized bytes) the controller reads; 0: none.
   */
  'max_batch_bytes'?: (number);
}

export interface Registered__Output {
  'agent_id': (string);
  'heartbeat_interval_seconds': (number);
  /**
   * The largest AgentMessage batch (serialized bytes) the controller reads; 0: none.
   */
  'max_batch_bytes': (number);
}
