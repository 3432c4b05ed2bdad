/**
 * JSON-schema pieces the controller's routes share: how a kind, an object name, a
 * namespace and a task ID may look in a query string. They bound what a lookup may be
 * asked for; whether the object exists is the route's answer (404).
 */

/** Every kind the store holds. */
export const ALL_KINDS = ['Task', 'App', 'Schedule', 'Role', 'Framework', 'Agent'] as const;

/** Kinds users delete (Agents and Framework mirrors are the controller's own). */
export const USER_KINDS = ['Task', 'App', 'Schedule', 'Role'] as const;

/** Namespaced kinds users annotate. */
export const ANNOTATABLE_KINDS = ['Task', 'App', 'Schedule'] as const;

/** Kinds without a namespace. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Role', 'Agent']);

/**
 * An object's name as a lookup key: Kubernetes names are DNS subdomains, but Task
 * objects of framework-launched tasks are named by task ID, so only the length and the
 * absence of control characters are checked here.
 */
export const NAME = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[^\\u0000-\\u001f\\u007f/]+$',
} as const;

/** A namespace: a DNS label. */
export const NAMESPACE = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
} as const;

/** A task ID (chosen by its framework; Mesos bounds it only by sanity). */
export const TASK_ID = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;

/** Routes without parameters ignore a query string (scrapers and caches add their own). */
export const NO_PARAMETERS = { type: 'object' } as const;

/** Each kind's plural, the resource RBAC names it by. */
export const PLURALS: Readonly<Record<string, string>> = {
  Task: 'tasks',
  App: 'apps',
  Schedule: 'schedules',
  Role: 'roles',
  Framework: 'frameworks',
  Agent: 'agents',
};

/** A kind's plural; an unknown kind's is its lower-case name with an `s` (it is refused later). */
export function pluralOf(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}
