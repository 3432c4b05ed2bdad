/**
 * The error a store answers for a write of an object that fails the one validation, as
 * the apiserver answers 422 Invalid: the object, and every reason in its words.
 */
import { ValidationError } from '../shared/errors.js';
import { GROUP } from './v1alpha1/kind.js';
import type { FieldError } from './field-error.js';

/** A write refused because the object is invalid. */
export class InvalidObjectError extends ValidationError {
  /** Every reason, e.g. `spec.resources.mem: Invalid value: ...`. */
  readonly errors: readonly string[];

  constructor(kind: string, name: string, errors: readonly FieldError[]) {
    const lines = errors.map((e) => e.message);
    const why = lines.length === 1 ? (lines[0] ?? '') : `[${lines.join(', ')}]`;
    super('', `${kind}.${GROUP} "${name}" is invalid: ${why}`, { kind, name, errors: lines });
    this.errors = lines;
  }
}
