/**
 * The TaskInfo labels that tie a task to the Task object it was launched for. The default
 * framework sets them; the controller's mirror and an agent that writes its tasks' status
 * (src/agent-sidecar/task-status-writer.ts) both read them.
 */

/** Label on a task's TaskInfo naming the Task object (`namespace/name`) it was launched for. */
export const TASK_OBJECT_LABEL = 'mezzo.dev/task-object';

/**
 * Label on a task's TaskInfo naming the uid of the Task object it was launched for: an
 * object made again under the same name (nothing holds the name while the task runs) is
 * another object, never shown the old task's status, and the old task is killed.
 */
export const TASK_OBJECT_UID_LABEL = 'mezzo.dev/task-object-uid';

/**
 * The Task object (`namespace/name`) that TaskInfo labels `labels` name in
 * {@link TASK_OBJECT_LABEL}; undefined when they name none.
 */
export function labelledTaskObject(
  labels: Readonly<Record<string, string>> | undefined,
): { namespace: string; name: string } | undefined {
  const named = labels?.[TASK_OBJECT_LABEL];
  const slash = named?.indexOf('/') ?? -1;
  if (named === undefined || slash <= 0) return undefined;
  return { namespace: named.slice(0, slash), name: named.slice(slash + 1) };
}
