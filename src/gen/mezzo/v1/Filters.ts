// Original file: proto/mezzo/v1/scheduler.proto


export interface Filters {
  /**
   * How long the declined or unused resources are not re-offered to this framework
   * on the same agent. Mesos' default is 5 seconds.
   */
  'refuse_seconds'?: (number | string);
  '_refuse_seconds'?: "refuse_seconds";
}

export interface Filters__Output {
  /**
   * How long the declined or unused resources are not re-offered to this framework
   * on the same agent. Mesos' default is 5 seconds.
   */
  'refuse_seconds'?: (number);
  '_refuse_seconds'?: "refuse_seconds";
}
