/**
 * The CEL environment the CRDs' `x-kubernetes-validations` rules run in, as the
 * apiserver's: `self` and `oldSelf` (dynamic), the standard library and strings
 * extension of @marcbachmann/cel-js, and Kubernetes' quantity library (`quantity()`,
 * `isQuantity()`, `compareTo`, `isGreaterThan`, `isLessThan`, `sign`, `add`, `sub`,
 * `isInteger`, `asInteger`, `asApproximateFloat`) with apimachinery's semantics.
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { isQuantity, parseQuantity, Quantity, QuantityParseError } from './quantity.js';

function quantityOf(text: string): Quantity {
  try {
    return parseQuantity(text);
  } catch (err) {
    if (err instanceof QuantityParseError) throw new Error(err.message, { cause: err });
    throw err;
  }
}

const intQuantity = (n: bigint) => new Quantity(n, 0);

function asInteger(q: Quantity): bigint {
  const v = q.asInteger();
  if (v === undefined) throw new Error('cannot convert value to integer');
  return v;
}

const env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
  .registerType('Quantity', Quantity)
  .registerVariable('self', 'dyn')
  .registerVariable('oldSelf', 'dyn')
  .registerFunction('quantity(string): Quantity', quantityOf)
  .registerFunction('isQuantity(string): bool', isQuantity)
  .registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) =>
    BigInt(a.compareTo(b)),
  )
  .registerFunction(
    'Quantity.isGreaterThan(Quantity): bool',
    (a: Quantity, b: Quantity) => a.compareTo(b) > 0,
  )
  .registerFunction(
    'Quantity.isLessThan(Quantity): bool',
    (a: Quantity, b: Quantity) => a.compareTo(b) < 0,
  )
  .registerFunction('Quantity.sign(): int', (a: Quantity) => BigInt(a.sign()))
  .registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b))
  .registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) =>
    a.add(intQuantity(b)),
  )
  .registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.sub(b))
  .registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) =>
    a.sub(intQuantity(b)),
  )
  .registerFunction('Quantity.isInteger(): bool', (a: Quantity) => a.asInteger() !== undefined)
  .registerFunction('Quantity.asInteger(): int', asInteger)
  .registerFunction('Quantity.asApproximateFloat(): double', (a: Quantity) =>
    a.asApproximateFloat(),
  )
  .registerOperator('Quantity == Quantity', (a: Quantity, b: Quantity) => a.compareTo(b) === 0);

const compiled = new Map<string, ParseResult>();

/** A rule compiled once (the schema's rules are a fixed, small set). */
function program(rule: string): ParseResult {
  let p = compiled.get(rule);
  if (!p) {
    p = env.parse(rule);
    compiled.set(rule, p);
  }
  return p;
}

/** Whether a rule is a transition rule: it reads `oldSelf`, so it runs on updates only. */
export function usesOldSelf(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

/** A rule's outcome: passed, failed, or could not be evaluated (with cel's reason). */
export type RuleOutcome = { ok: true; passed: boolean } | { ok: false; error: string };

/**
 * Evaluates a rule against CEL values (see cel-values.ts). Evaluation errors (a missing
 * key, a bad quantity) are outcomes, as the apiserver reports them, never exceptions.
 */
export function evaluateRule(rule: string, self: unknown, oldSelf?: unknown): RuleOutcome {
  try {
    const v: unknown = program(rule)({ self, oldSelf });
    return { ok: true, passed: v === true };
  } catch (err) {
    const msg = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    return { ok: false, error: msg.charAt(0).toLowerCase() + msg.slice(1) };
  }
}

/** Type-checks a rule with `self` and `oldSelf` dynamic; the error text, if any. */
export function checkRule(rule: string): string | undefined {
  try {
    const r = env.check(rule);
    return r.valid ? undefined : (r.error?.message ?? 'invalid rule');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
