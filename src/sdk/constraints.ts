/**
 * Marathon's placement constraints, evaluated against an agent given where the app's
 * instances already run. `hostname` names the agent's hostname; any other field names an
 * agent attribute. Semantics follow Marathon's docs:
 * - UNIQUE: no two instances share the field's value;
 * - CLUSTER value: every instance on agents whose field equals value (without a value:
 *   the value of the first instance placed);
 * - GROUP_BY [n]: spread evenly over the field's values (n known values, when given);
 * - LIKE / UNLIKE regex: the field (must / must not) fully match;
 * - MAX_PER n: at most n instances per value of the field.
 */
import { ValidationError } from '../shared/errors.js';
import { CONSTRAINT_OPERATORS } from '../api/v1alpha1/task.js';

/** The operators. */
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

/** One constraint as written in an App spec. */
export interface Constraint {
  field: string;
  operator: ConstraintOperator;
  value?: string;
}

/** What a constraint needs to know of an agent. */
export interface AgentFacts {
  hostname: string;
  attributes: Readonly<Record<string, string>>;
}

/** Why an agent does not fit, or undefined when it does. */
export type Verdict = string | undefined;

/** The operators, as the CRDs list them. */
const OPERATORS: readonly string[] = CONSTRAINT_OPERATORS;

/** Compiled whole-value patterns, so a check per agent and offer does not recompile. */
const patterns = new Map<string, RegExp>();

/** `value` as a regular expression that must match a whole attribute value. */
function wholeMatch(value: string): RegExp {
  let re = patterns.get(value);
  if (!re) {
    re = new RegExp(`^(?:${value})$`);
    if (patterns.size >= 1024) patterns.clear();
    patterns.set(value, re);
  }
  return re;
}

function fieldOf(agent: AgentFacts, field: string): string | undefined {
  return field === 'hostname' ? agent.hostname : agent.attributes[field];
}

/** Checks a constraint's own well-formedness; throws a ValidationError naming `path`. */
export function validateConstraint(c: Constraint, path: string): void {
  if (!c.field) throw new ValidationError(`${path}.field`, 'is required');
  switch (c.operator) {
    case 'LIKE':
    case 'UNLIKE':
      if (c.value === undefined)
        throw new ValidationError(`${path}.value`, `${c.operator} needs a regular expression`);
      try {
        // By itself first: "a)|(b" compiles once wrapped in ^(?:…)$ but then matches
        // anything ending in b; only a self-contained pattern keeps the anchors.
        new RegExp(c.value);
        wholeMatch(c.value);
      } catch (err) {
        throw new ValidationError(
          `${path}.value`,
          `invalid regular expression: ${(err as Error).message}`,
        );
      }
      return;
    case 'MAX_PER':
      if (!c.value || !/^[1-9]\d*$/.test(c.value)) {
        throw new ValidationError(`${path}.value`, 'MAX_PER needs a positive whole number');
      }
      return;
    case 'GROUP_BY':
      if (c.value !== undefined && !/^[1-9]\d*$/.test(c.value)) {
        throw new ValidationError(
          `${path}.value`,
          'GROUP_BY takes an optional positive whole number',
        );
      }
      return;
    case 'EQUALS':
      if (c.value === undefined) throw new ValidationError(`${path}.value`, 'EQUALS needs a value');
      return;
    case 'UNIQUE':
    case 'CLUSTER':
      return;
    default:
      throw new ValidationError(
        `${path}.operator`,
        `unknown operator "${String(c.operator)}": one of ${OPERATORS.join(', ')}`,
      );
  }
}

function countBy(placed: readonly AgentFacts[], field: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of placed) {
    const v = fieldOf(a, field);
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/**
 * Whether one more instance may go on `agent`, given the agents the app's current
 * instances run on (one entry per instance). `knownValues` lists every value the field
 * takes across the cluster's agents, for GROUP_BY.
 */
export function checkConstraint(
  c: Constraint,
  agent: AgentFacts,
  placed: readonly AgentFacts[],
  knownValues: readonly string[] = [],
): Verdict {
  const value = fieldOf(agent, c.field);
  const label = `${c.field}:${c.operator}${c.value !== undefined ? `:${c.value}` : ''}`;
  switch (c.operator) {
    case 'UNIQUE': {
      if (value === undefined) return `${label}: agent has no ${c.field}`;
      return countBy(placed, c.field).has(value)
        ? `${label}: an instance already runs on ${c.field}=${value}`
        : undefined;
    }
    case 'CLUSTER': {
      const target = c.value ?? (placed[0] ? fieldOf(placed[0], c.field) : undefined);
      if (target === undefined)
        return value === undefined ? `${label}: agent has no ${c.field}` : undefined;
      return value === target
        ? undefined
        : `${label}: ${c.field}=${value ?? '(none)'} is not ${target}`;
    }
    case 'EQUALS':
      return value === c.value ? undefined : `${label}: ${c.field}=${value ?? '(none)'}`;
    case 'LIKE':
    case 'UNLIKE': {
      const matches = value !== undefined && wholeMatch(c.value ?? '').test(value);
      if (c.operator === 'LIKE')
        return matches ? undefined : `${label}: ${c.field}=${value ?? '(none)'} does not match`;
      return matches ? `${label}: ${c.field}=${value} matches` : undefined;
    }
    case 'MAX_PER': {
      if (value === undefined) return `${label}: agent has no ${c.field}`;
      const max = Number(c.value);
      return (countBy(placed, c.field).get(value) ?? 0) >= max
        ? `${label}: ${c.field}=${value} already has ${max}`
        : undefined;
    }
    case 'GROUP_BY': {
      if (value === undefined) return `${label}: agent has no ${c.field}`;
      const counts = countBy(placed, c.field);
      const values = new Set([...knownValues, ...counts.keys(), value]);
      const expected = c.value !== undefined ? Number(c.value) : values.size;
      // Fill values evenly: an agent fits when its value holds the fewest instances
      // (values not yet seen count as zero while fewer than `expected` are in use).
      const used = [...values].map((v) => counts.get(v) ?? 0);
      const min = counts.size < expected ? 0 : Math.min(...used);
      const here = counts.get(value) ?? 0;
      return here <= min
        ? undefined
        : `${label}: ${c.field}=${value} has ${here}, another value has ${min}`;
    }
    default:
      // Only reachable with unvalidated input: a constraint nobody understands never fits.
      return `${label}: unknown operator`;
  }
}

/** Checks every constraint; returns the reasons the agent does not fit (empty: it fits). */
export function checkAll(
  constraints: readonly Constraint[],
  agent: AgentFacts,
  placed: readonly AgentFacts[],
  knownValues: (field: string) => readonly string[] = () => [],
): string[] {
  return constraints
    .map((c) => checkConstraint(c, agent, placed, knownValues(c.field)))
    .filter((v): v is string => v !== undefined);
}
