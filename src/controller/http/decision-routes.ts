/**
 * GET /decisions?framework=ID[&since=SEQ]: the allocator's recent decisions for one
 * framework (offers made, declined with their filter, roles held back by quota), oldest
 * first, from the controller's bounded ring (src/controller/decisions.ts). The dashboard
 * asks once a second with the last `seq` it has, so an open page costs what is new.
 * Reading them is reading the live cluster: the same question as GET /state.
 */
import type { FastifyInstance } from 'fastify';
import type { AccessRequest } from '../../auth/types.js';
import { HttpError } from '../../shared/http/errors.js';
import type { ControllerCore } from '../core.js';
import { TASK_ID } from './schemas.js';

/** The question GET /state asks: decisions are part of the live cluster's state. */
const READ_STATE: AccessRequest = { nonResource: { verb: 'get', path: '/state' } };

/** Registers GET /decisions on `app`. */
export function decisionRoutes(app: FastifyInstance, core: ControllerCore): void {
  app.get<{ Querystring: { framework: string; since?: string } }>(
    '/decisions',
    {
      config: { access: () => READ_STATE },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['framework'],
          properties: {
            // A framework ID has the shape of a task ID: printable, bounded.
            framework: TASK_ID,
            // Up to 15 digits: every value is an exact integer (below 2^53).
            since: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
        },
      },
    },
    (req) => {
      const id = req.query.framework;
      if (!core.frameworks.has(id) && !core.decisions.has(id)) {
        throw new HttpError(404, 'NOT_FOUND', `unknown framework ${id}`);
      }
      return {
        framework: id,
        decisions: core.decisions.list(id, Number(req.query.since ?? '0')),
      };
    },
  );
}
