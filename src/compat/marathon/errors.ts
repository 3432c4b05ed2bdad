/**
 * Marathon's error shape, `{"message": ..., "details": [{"path": ..., "errors": [...]}]}`,
 * and the error handler that gives every /v2 answer it: Marathon clients read `message`
 * (and the details of a 422) and know nothing of Mezzo's `{"error": {...}}` body.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { MezzoError } from '../../shared/errors.js';
import { clientErrorOf } from '../../shared/http/errors.js';
import { JSON_TYPE } from '../../shared/http/server.js';

/** One field's problems, as Marathon lists them. */
export interface FieldProblem {
  /** A JSON pointer-like path into the app, e.g. `/container` or `/healthChecks(0)/protocol`. */
  path: string;
  errors: string[];
}

/** A Marathon error body. */
export interface MarathonErrorBody {
  message: string;
  details?: FieldProblem[];
}

/** A refusal in Marathon's terms: the status and the body a client gets. */
export class MarathonHttpError extends MezzoError {
  readonly status: number;
  readonly details: FieldProblem[] | undefined;

  constructor(status: number, message: string, details?: FieldProblem[]) {
    super('MARATHON_REFUSED', message, { status });
    this.status = status;
    this.details = details;
  }

  /** The body Marathon would send. */
  body(): MarathonErrorBody {
    return this.details
      ? { message: this.message, details: this.details }
      : { message: this.message };
  }
}

/** 422 "Object is not valid" with the fields' problems. */
export function invalid(details: FieldProblem[]): MarathonHttpError {
  return new MarathonHttpError(422, 'Object is not valid', details);
}

/** 404 for an app that does not exist. */
export function appNotFound(id: string): MarathonHttpError {
  return new MarathonHttpError(404, `App '${id}' does not exist`);
}

/**
 * Gives the routes registered in `scope` (an encapsulated plugin) Marathon's error body;
 * what is not a client error still goes to the shared handler (logged, 500 with an ID).
 */
export function marathonErrorHandler(scope: FastifyInstance): void {
  const shared = scope.errorHandler;
  scope.setErrorHandler(function handle(err: FastifyError, req, reply) {
    if (err instanceof MarathonHttpError)
      return reply.code(err.status).type(JSON_TYPE).send(err.body());
    // Schema failures (query strings) are 400 in Marathon's shape too.
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      return reply
        .code(400)
        .type(JSON_TYPE)
        .send({
          message: `Invalid ${where}: ${err.validation[0]?.message ?? 'does not match its schema'}`,
          details: err.validation.map((v) => ({
            path: `/${where}${v.instancePath}`,
            errors: [v.message ?? 'is invalid'],
          })),
        });
    }
    const client = clientErrorOf(err);
    if (client)
      return reply.code(client.status).type(JSON_TYPE).send({ message: client.body.error.message });
    shared.call(this, err, req, reply);
    return reply;
  });
}
