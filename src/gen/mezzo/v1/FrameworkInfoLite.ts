// Original file: proto/mezzo/v1/agent.proto


/**
 * What the agent needs to know of a task's framework.
 */
export interface FrameworkInfoLite {
  'id'?: (string);
  'name'?: (string);
  'user'?: (string);
  'checkpoint'?: (boolean);
}

/**
 * What the agent needs to know of a task's framework.
 */
export interface FrameworkInfoLite__Output {
  'id': (string);
  'name': (string);
  'user': (string);
  'checkpoint': (boolean);
}
