// Original file: proto/mezzo/v1/agent.proto


/**
 * The controller tells the agent which tasks of a framework to drop after the framework
 * was removed (Mesos' ShutdownFrameworkMessage).
 */
export interface ShutdownFramework {
  'framework_id'?: (string);
}

/**
 * The controller tells the agent which tasks of a framework to drop after the framework
 * was removed (Mesos' ShutdownFrameworkMessage).
 */
export interface ShutdownFramework__Output {
  'framework_id': (string);
}
