/** The Role kind: a node of the role tree with a weight and quota. */
import type { KindDefinition } from './kind.js';
import { conditions, int, map, num, obj, str } from './schema.js';
import { quota } from './resources.js';

/** Role paths: segments of letters, digits, `_`, `-` and `.` joined by `/` (eng/backend). */
export const ROLE_NAME_PATTERN = '^[a-zA-Z0-9_][a-zA-Z0-9_.-]*(/[a-zA-Z0-9_][a-zA-Z0-9_.-]*)*$';

/**
 * A framework's role: a role path, or `*`, Mesos' default role, which a Mesos framework
 * that names no role subscribes in.
 */
export const FRAMEWORK_ROLE_PATTERN = `^\\*$|${ROLE_NAME_PATTERN}`;

/** The Role kind. */
export const roleKind: KindDefinition = {
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  shortNames: ['mrole'],
  scope: 'Cluster',
  categories: ['mezzo'],
  description:
    'A Mezzo role: a node in the hierarchy resources are shared across (eng, eng/backend), with a fair-share weight and optional quota guarantees and limits.',
  spec: obj('Weight and quota of the role.', {
    path: str("The role's path, e.g. eng/backend; defaults to metadata.name.", {
      pattern: ROLE_NAME_PATTERN,
      maxLength: 253,
    }),
    weight: num('Relative share under weighted DRF, at least 0.0001.', {
      maximum: 1_000_000,
      default: 1,
      // A CEL rule, not a schema minimum: the apiserver lets an integer 0 through
      // `minimum: 0.0001`, and a zero weight would divide by zero.
      'x-kubernetes-validations': [
        { rule: 'self >= 0.0001', message: 'weight must be at least 0.0001' },
      ],
    }),
    quota: quota(),
  }),
  status: obj('Allocation of the role (written by the controller).', {
    allocated: map('Resources allocated to the role, by name.', str('Amount.')),
    offered: map('Resources outstanding in offers, by name.', str('Amount.')),
    dominantShare: num('Dominant share of the cluster, 0-1.'),
    frameworks: int('Frameworks subscribed to the role.'),
    conditions: conditions(),
    observedGeneration: int('Generation the status describes.'),
  }),
  printerColumns: [
    { name: 'Weight', type: 'number', jsonPath: '.spec.weight', description: 'DRF weight' },
    {
      name: 'Share',
      type: 'number',
      jsonPath: '.status.dominantShare',
      description: 'Dominant share',
    },
    {
      name: 'Frameworks',
      type: 'integer',
      jsonPath: '.status.frameworks',
      description: 'Frameworks',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
