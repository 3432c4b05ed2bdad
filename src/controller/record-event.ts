/** The callback through which the controller and the built-in frameworks report events. */
import type { Kind } from '../store/types.js';

/** Records a user-visible event on an object (a Kubernetes Event in a cluster, a log line in dev). */
export type RecordEvent = (
  target: { kind: Kind; name: string; namespace?: string; uid?: string },
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
) => void;
