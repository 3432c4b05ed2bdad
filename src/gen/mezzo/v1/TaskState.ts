// Original file: proto/mezzo/v1/common.proto

/**
 * Mesos task states. Terminal states: FINISHED, FAILED, KILLED, ERROR, DROPPED, GONE,
 * GONE_BY_OPERATOR. LOST and UNREACHABLE may be followed by RUNNING if the agent returns.
 */
export const TaskState = {
  TASK_STATE_UNSPECIFIED: 'TASK_STATE_UNSPECIFIED',
  TASK_STAGING: 'TASK_STAGING',
  TASK_STARTING: 'TASK_STARTING',
  TASK_RUNNING: 'TASK_RUNNING',
  TASK_KILLING: 'TASK_KILLING',
  TASK_FINISHED: 'TASK_FINISHED',
  TASK_FAILED: 'TASK_FAILED',
  TASK_KILLED: 'TASK_KILLED',
  TASK_ERROR: 'TASK_ERROR',
  TASK_LOST: 'TASK_LOST',
  TASK_DROPPED: 'TASK_DROPPED',
  TASK_UNREACHABLE: 'TASK_UNREACHABLE',
  TASK_GONE: 'TASK_GONE',
  TASK_GONE_BY_OPERATOR: 'TASK_GONE_BY_OPERATOR',
  TASK_UNKNOWN: 'TASK_UNKNOWN',
} as const;

/**
 * Mesos task states. Terminal states: FINISHED, FAILED, KILLED, ERROR, DROPPED, GONE,
 * GONE_BY_OPERATOR. LOST and UNREACHABLE may be followed by RUNNING if the agent returns.
 */
export type TaskState =
  | 'TASK_STATE_UNSPECIFIED'
  | 0
  | 'TASK_STAGING'
  | 1
  | 'TASK_STARTING'
  | 2
  | 'TASK_RUNNING'
  | 3
  | 'TASK_KILLING'
  | 4
  | 'TASK_FINISHED'
  | 5
  | 'TASK_FAILED'
  | 6
  | 'TASK_KILLED'
  | 7
  | 'TASK_ERROR'
  | 8
  | 'TASK_LOST'
  | 9
  | 'TASK_DROPPED'
  | 10
  | 'TASK_UNREACHABLE'
  | 11
  | 'TASK_GONE'
  | 12
  | 'TASK_GONE_BY_OPERATOR'
  | 13
  | 'TASK_UNKNOWN'
  | 14

/**
 * Mesos task states. Terminal states: FINISHED, FAILED, KILLED, ERROR, DROPPED, GONE,
 * GONE_BY_OPERATOR. LOST and UNREACHABLE may be followed by RUNNING if the agent returns.
 */
export type TaskState__Output = typeof TaskState[keyof typeof TaskState]
