/**
 * Turns the JSON-schema validator's findings on a request (its body or query string)
 * into one readable 400 answer: `querystring.kind: must be one of Task, App, …`, with
 * every finding in `details` for programs.
 */
import type { FastifySchemaValidationError } from 'fastify';
import { HttpError } from './errors.js';

/** The part of a request a schema checks. */
export type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';

/** One finding: where in the request, and what is wrong there. */
export interface SchemaProblem {
  /** e.g. `querystring.kind`, `body[3].metadata.name`. */
  path: string;
  message: string;
}

function pathOf(part: SchemaErrorDataVar, instancePath: string): string {
  // /a/0/b → .a[0].b (JSON pointer escapes ~1 and ~0 undone)
  const steps = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`));
  return `${part}${steps.join('')}`;
}

function describe(e: FastifySchemaValidationError): { where: string; message: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { where: `.${String(p.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return { where: `.${String(p.additionalProperty)}`, message: 'is not a known field' };
    case 'enum':
      return {
        where: '',
        message: `must be one of ${Array.isArray(p.allowedValues) ? p.allowedValues.map(String).join(', ') : '(see the API docs)'}`,
      };
    case 'pattern':
      return { where: '', message: `does not match ${String(p.pattern)}` };
    default:
      return { where: '', message: e.message ?? e.keyword };
  }
}

/** The problems, in the validator's order. */
export function schemaProblems(
  errors: readonly FastifySchemaValidationError[],
  part: SchemaErrorDataVar,
): SchemaProblem[] {
  return errors.map((e) => {
    const d = describe(e);
    return { path: pathOf(part, e.instancePath) + d.where, message: d.message };
  });
}

/** Fastify's `schemaErrorFormatter`: a 400 naming the first problem, all in `details`. */
export function formatSchemaErrors(
  errors: FastifySchemaValidationError[],
  part: SchemaErrorDataVar,
): HttpError {
  const problems = schemaProblems(errors, part);
  const first = problems[0];
  const message = first ? `${first.path}: ${first.message}` : `invalid ${part}`;
  return new HttpError(400, 'INVALID_ARGUMENT', message, { problems });
}
