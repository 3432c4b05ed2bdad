// Original file: proto/mezzo/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskUsage {
  'task_id'?: (string);
  'framework_id'?: (string);
  'cpu_user_seconds'?: (number | string);
  'cpu_system_seconds'?: (number | string);
  'mem_rss_bytes'?: (number | string | Long);
  'mem_limit_bytes'?: (number | string | Long);
  'cpu_nr_periods'?: (number | string | Long);
  'cpu_nr_throttled'?: (number | string | Long);
  'cpu_throttled_seconds'?: (number | string);
  'pids_current'?: (number | string | Long);
}

export interface TaskUsage__Output {
  'task_id': (string);
  'framework_id': (string);
  'cpu_user_seconds': (number);
  'cpu_system_seconds': (number);
  'mem_rss_bytes': (number);
  'mem_limit_bytes': (number);
  'cpu_nr_periods': (number);
  'cpu_nr_throttled': (number);
  'cpu_throttled_seconds': (number);
  'pids_current': (number);
}
