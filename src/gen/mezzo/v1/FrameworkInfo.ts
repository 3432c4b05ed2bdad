// Original file: proto/mezzo/v1/scheduler.proto


export interface FrameworkInfo {
  /**
   * Empty on first subscription; the controller assigns one. Set to resubscribe.
   */
  'id'?: (string);
  'name'?: (string);
  'user'?: (string);
  'roles'?: (string)[];
  /**
   * How long the controller keeps a disconnected framework's tasks running.
   */
  'failover_timeout_seconds'?: (number | string);
  'checkpoint'?: (boolean);
  'principal'?: (string);
  'capabilities'?: (string)[];
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
}

export interface FrameworkInfo__Output {
  /**
   * Empty on first subscription; the controller assigns one. Set to resubscribe.
   */
  'id': (string);
  'name': (string);
  'user': (string);
  'roles': (string)[];
  /**
   * How long the controller keeps a disconnected framework's tasks running.
   */
  'failover_timeout_seconds': (number);
  'checkpoint': (boolean);
  'principal': (string);
  'capabilities': (string)[];
  'hostname': (string);
  'labels': ({[key: string]: string});
}
