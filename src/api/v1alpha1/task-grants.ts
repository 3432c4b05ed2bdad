/**
 * The TaskGrants kind: the controller's record of which node it placed each Task on, for
 * agents that write their Tasks' status (`agent.writeTaskStatus`): the chart's admission
 * policy reads it as its parameter. A custom resource and not a ConfigMap: kube-apiserver
 * (v1.34) stops watching a built-in parameter kind for good once no binding names it for
 * a moment (kubernetes/kubernetes#130887), after which the policy sees the parameter
 * objects as they were then: one made later is never found (every write the policy
 * matches is refused until the apiserver restarts), one changed later is seen unchanged.
 * Custom resource parameters are not affected.
 * Written by the controller only; not for users.
 */
import type { KindDefinition } from './kind.js';
import { map, obj, str } from './schema.js';

/** The TaskGrants kind. */
export const taskGrantsKind: KindDefinition = {
  kind: 'TaskGrants',
  plural: 'taskgrants',
  singular: 'taskgrants',
  shortNames: [],
  scope: 'Namespaced',
  // Not in the `mezzo` category: `kubectl get mezzo` lists what users work with.
  categories: [],
  description:
    "Written by the Mezzo controller only: the Tasks it has granted to agents' nodes, whose agents may write their RUNNING status (agent.writeTaskStatus).",
  spec: obj('The grants.', {
    grants: map(
      'By Task (`<namespace>.<name>`): `<node> <uid> <taskId>`, the node it was placed on, its object uid and task ID.',
      str('One grant.', { maxLength: 1024 }),
    ),
  }),
  status: obj('Unused.', {}),
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
