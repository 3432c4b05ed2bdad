// Original file: proto/mezzo/v1/agent.proto


export interface KillTask {
  'task_id'?: (string);
  'framework_id'?: (string);
  'grace_period_seconds'?: (number | string);
  '_grace_period_seconds'?: "grace_period_seconds";
}

export interface KillTask__Output {
  'task_id': (string);
  'framework_id': (string);
  'grace_period_seconds'?: (number);
  '_grace_period_seconds'?: "grace_period_seconds";
}
