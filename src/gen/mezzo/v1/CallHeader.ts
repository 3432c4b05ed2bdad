// Original file: proto/mezzo/v1/scheduler.proto


/**
 * Every call names the framework and the stream it subscribed with, so that a stale
 * scheduler instance cannot act after a newer one took over (Mesos-Stream-Id).
 */
export interface CallHeader {
  'framework_id'?: (string);
  'stream_id'?: (string);
}

/**
 * Every call names the framework and the stream it subscribed with, so that a stale
 * scheduler instance cannot act after a newer one took over (Mesos-Stream-Id).
 */
export interface CallHeader__Output {
  'framework_id': (string);
  'stream_id': (string);
}
