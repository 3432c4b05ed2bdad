// Original file: proto/mezzo/v1/agent.proto


/**
 * The controller has granted these tasks' Task objects to the agent's node (an agent
 * with writes_task_status): the agent may write their RUNNING status now, and the
 * apiserver's admission policy will admit it. Sent once the grant is in place.
 */
export interface StatusWritesGranted {
  'task_ids'?: (string)[];
}

/**
 * The controller has granted these tasks' Task objects to the agent's node (an agent
 * with writes_task_status): the agent may write their RUNNING status now, and the
 * apiserver's admission policy will admit it. Sent once the grant is in place.
 */
export interface StatusWritesGranted__Output {
  'task_ids': (string)[];
}
