// Original file: proto/mezzo/v1/common.proto


// Original file: proto/mezzo/v1/common.proto

export const _mezzo_v1_HealthCheck_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  COMMAND: 'COMMAND',
  HTTP: 'HTTP',
  TCP: 'TCP',
} as const;

export type _mezzo_v1_HealthCheck_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'COMMAND'
  | 1
  | 'HTTP'
  | 2
  | 'TCP'
  | 3

export type _mezzo_v1_HealthCheck_Type__Output = typeof _mezzo_v1_HealthCheck_Type[keyof typeof _mezzo_v1_HealthCheck_Type]

/**
 * How an agent checks a running task's health (Mesos HealthCheck, Marathon-style knobs).
 */
export interface HealthCheck {
  'type'?: (_mezzo_v1_HealthCheck_Type);
  /**
   * COMMAND: run through /bin/sh -c in the task's sandbox; exit 0 means healthy.
   */
  'command'?: (string);
  /**
   * HTTP and TCP: the port on 127.0.0.1, or the index into the task's ports when port is 0.
   */
  'port'?: (number);
  'port_index'?: (number);
  /**
   * HTTP: the path; 2xx and 3xx mean healthy.
   */
  'path'?: (string);
  'grace_period_seconds'?: (number | string);
  'interval_seconds'?: (number | string);
  'timeout_seconds'?: (number | string);
  'consecutive_failures'?: (number);
  /**
   * Kill the task once consecutive_failures is reached.
   */
  'kill_when_unhealthy'?: (boolean);
}

/**
 * How an agent checks a running task's health (Mesos HealthCheck, Marathon-style knobs).
 */
export interface HealthCheck__Output {
  'type': (_mezzo_v1_HealthCheck_Type__Output);
  /**
   * COMMAND: run through /bin/sh -c in the task's sandbox; exit 0 means healthy.
   */
  'command': (string);
  /**
   * HTTP and TCP: the port on 127.0.0.1, or the index into the task's ports when port is 0.
   */
  'port': (number);
  'port_index': (number);
  /**
   * HTTP: the path; 2xx and 3xx mean healthy.
   */
  'path': (string);
  'grace_period_seconds': (number);
  'interval_seconds': (number);
  'timeout_seconds': (number);
  'consecutive_failures': (number);
  /**
   * Kill the task once consecutive_failures is reached.
   */
  'kill_when_unhealthy': (boolean);
}
