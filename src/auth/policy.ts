/**
 * Dev mode's authorizer: RBAC-like rules from a small YAML file, with the group
 * `system:masters` (the dev token's holder) allowed everything, as Kubernetes' RBAC
 * allows it. A rule grants its verbs to its users and groups, on resources (optionally
 * only some names, some namespaces) or on non-resource paths; `*` matches anything.
 *
 * ```yaml
 * rules:
 *   - users: [team-a]
 *     verbs: [register]
 *     resources: [frameworks]
 *     names: [analytics]
 *   - groups: [viewers]
 *     verbs: [get]
 *     nonResourceURLs: [/state, /metrics]
 * ```
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { MezzoError } from '../shared/errors.js';
import { MASTERS_GROUP } from './dev-authenticator.js';
import type { AccessRequest, Authorizer, Decision, Principal } from './types.js';

/** One rule: who, which verbs, on what. */
export interface PolicyRule {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly verbs: readonly string[];
  /** Plural resources, `tasks/log` for a subresource; empty for a path rule. */
  readonly resources: readonly string[];
  /** Resource names; empty: all. */
  readonly names: readonly string[];
  /** Namespaces; empty: all (and cluster-scoped questions). */
  readonly namespaces: readonly string[];
  /** Paths (`/state`, or a prefix ending in `*`); empty for a resource rule. */
  readonly nonResourceURLs: readonly string[];
}

/** A policy file that does not parse or has a rule that cannot be meant. */
export class PolicyError extends MezzoError {
  constructor(file: string, why: string) {
    super('POLICY', `policy ${file}: ${why}`, { file });
  }
}

const LIST_FIELDS = [
  'users',
  'groups',
  'verbs',
  'resources',
  'names',
  'namespaces',
  'nonResourceURLs',
] as const;

function ruleOf(raw: unknown, at: string, file: string): PolicyRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new PolicyError(file, `${at} is not a mapping`);
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(LIST_FIELDS as readonly string[]).includes(key))
      throw new PolicyError(file, `${at}: unknown field "${key}"`);
  }
  const list = (key: (typeof LIST_FIELDS)[number]): string[] => {
    const v = fields[key] ?? [];
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string' && x !== ''))
      throw new PolicyError(file, `${at}.${key} must be a list of non-empty strings`);
    return v;
  };
  const rule: PolicyRule = {
    users: list('users'),
    groups: list('groups'),
    verbs: list('verbs'),
    resources: list('resources'),
    names: list('names'),
    namespaces: list('namespaces'),
    nonResourceURLs: list('nonResourceURLs'),
  };
  if (rule.users.length + rule.groups.length === 0)
    throw new PolicyError(file, `${at} names no users and no groups`);
  if (rule.verbs.length === 0) throw new PolicyError(file, `${at} names no verbs`);
  if ((rule.resources.length === 0) === (rule.nonResourceURLs.length === 0))
    throw new PolicyError(file, `${at} needs either resources or nonResourceURLs`);
  return rule;
}

/** Parses a policy's YAML text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): PolicyRule[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PolicyError(file, err instanceof Error ? err.message : String(err));
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || !('rules' in doc) || !Array.isArray(doc.rules))
    throw new PolicyError(file, 'the document needs a list "rules"');
  return (doc.rules as unknown[]).map((r, i) => ruleOf(r, `rules[${i}]`, file));
}

const matches = (allowed: readonly string[], value: string): boolean =>
  allowed.includes('*') || allowed.includes(value);

function pathMatches(patterns: readonly string[], path: string): boolean {
  return patterns.some(
    (p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))),
  );
}

/** Whether `rule` grants `what` (the rule's subjects already matched). */
export function ruleAllows(rule: PolicyRule, what: AccessRequest): boolean {
  if ('nonResource' in what) {
    const q = what.nonResource;
    return matches(rule.verbs, q.verb) && pathMatches(rule.nonResourceURLs, q.path);
  }
  const q = what.resource;
  const resource = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
  return (
    matches(rule.verbs, q.verb) &&
    matches(rule.resources, resource) &&
    (rule.names.length === 0 || (q.name !== undefined && matches(rule.names, q.name))) &&
    (rule.namespaces.length === 0 ||
      (q.namespace !== undefined && q.namespace !== '' && matches(rule.namespaces, q.namespace)))
  );
}

/** Answers from the rules; `system:masters` is allowed everything. */
export class PolicyAuthorizer implements Authorizer {
  constructor(private readonly rules: readonly PolicyRule[] = []) {}

  authorize(who: Principal, what: AccessRequest): Promise<Decision> {
    if (who.groups.includes(MASTERS_GROUP)) return Promise.resolve({ allowed: true });
    const granted = this.rules.some(
      (r) =>
        (r.users.includes(who.username) || r.groups.some((g) => who.groups.includes(g))) &&
        ruleAllows(r, what),
    );
    return Promise.resolve(
      granted ? { allowed: true } : { allowed: false, reason: 'no rule grants it' },
    );
  }
}

/** Reads and parses a policy file. */
export async function readPolicy(file: string): Promise<PolicyRule[]> {
  return parsePolicy(await readFile(file, 'utf8'), file);
}
