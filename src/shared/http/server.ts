/**
 * The HTTP layer every Mezzo server (controller, standby, agent) is built on: fastify
 * with routing, per-route body limits, JSON-schema validation of bodies and query
 * strings, and one error body for everything that is not a success — a malformed request
 * line, an unknown route or method, a body too large, too deep or of the wrong type, a
 * rejected value, an internal error. Nothing a client sends can throw past it: internal
 * errors are answered 500, logged with their context and counted.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  fastify,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
} from 'fastify';
import type { CertificateReloader } from '../tls/certificate-reloader.js';
import { httpsServer } from '../tls/credentials.js';
import { reportInternalError, type ErrorBoundary } from '../internal-errors.js';
import { clientErrorOf, codeForStatus, errorBody, HttpError } from './errors.js';
import { formatSchemaErrors } from './schema-errors.js';

/** Options for {@link createHttpApp}. */
export interface HttpAppOptions {
  /** Where internal errors are logged and counted. */
  boundary: ErrorBoundary;
  /** Largest request body in bytes unless a route says otherwise; default 64 KiB. */
  bodyLimit?: number;
  /** Deepest nesting a JSON body may have; default 100 (objects are a few levels deep). */
  maxJsonDepth?: number;
  /** Serve HTTPS with this certificate, reloaded when its files change; plain HTTP without. */
  tls?: CertificateReloader;
}

/** The content type of every JSON answer. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Whether a parsed JSON value nests deeper than `max` (iterative: depth cannot overflow it). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { v, depth } = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: depth + 1 });
    }
  }
  return false;
}

/** Node's parser errors on a raw connection, as its 'clientError' event gives them. */
interface ConnectionError extends Error {
  code?: string;
}

function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  return 400;
}

/**
 * Answers a request that never became one (a malformed request line, URL, header or
 * chunk): the parser has given up on the connection, so the answer is written raw and
 * the connection closed.
 */
function answerBrokenRequest(err: ConnectionError, socket: Socket): void {
  // Node's own rule: never write into a response already on its way to the client.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(err.code);
  const message =
    status === 431
      ? 'request headers are larger than the server accepts'
      : `malformed HTTP request: ${err.message}`;
  const body = JSON.stringify(
    errorBody(codeForStatus(status), message, { parserCode: err.code ?? null }),
  );
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}`,
      `Content-Type: ${JSON_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

function serveTls(tls: CertificateReloader): FastifyServerFactory {
  return (handler) => httpsServer(tls, handler);
}

/** Creates the app; routes are added by the caller, then {@link listenHttp}. */
export function createHttpApp(opts: HttpAppOptions): FastifyInstance {
  const maxDepth = opts.maxJsonDepth ?? 100;
  const app = fastify({
    logger: false,
    ...(opts.tls ? { serverFactory: serveTls(opts.tls) } : {}),
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    // A slow client may hold a connection this long at most (Node's default is 5 min).
    requestTimeout: 60_000,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: {
      // Bodies are validated as sent: no type coercion (a number is not a string), no
      // silent removal of unknown fields, no defaults filled in behind the caller's back.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false },
    },
    schemaErrorFormatter: formatSchemaErrors,
    clientErrorHandler: answerBrokenRequest,
    frameworkErrors: (err, _req, reply) => {
      // FST_ERR_BAD_URL (undecodable percent escapes) and FST_ERR_ASYNC_CONSTRAINT.
      // Typed loosely here only because the option's reply type is generic over routes.
      void (reply as FastifyReply)
        .code(400)
        .type(JSON_TYPE)
        .send(errorBody('BAD_REQUEST', `malformed request URL: ${err.message}`));
    },
  });

  // JSON is the only body type (anything else is 415), parsed as fastify does (prototype
  // poisoning refused) and not too deep: a body of nested arrays would otherwise
  // overflow the stack of whatever walks it next.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Clients such as marathon-python send a JSON content type with every request: on a
    // DELETE (no route takes a body there) an empty body is no body, not malformed JSON.
    if (req.method === 'DELETE' && text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(req, text, (err, value: unknown) => {
      if (err) done(err, undefined);
      else if (nestsDeeperThan(value, maxDepth))
        done(new HttpError(400, 'BAD_REQUEST', `JSON body nests deeper than ${maxDepth} levels`));
      else done(null, value);
    });
  });

  // Paths and the methods they serve, so a wrong method is 405, not 404.
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const set = methods.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) set.add(m);
    methods.set(route.url, set);
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0] ?? req.url;
    const allowed = methods.get(path);
    if (allowed) {
      const allow = [...allowed].sort().join(', ');
      return reply
        .code(405)
        .header('allow', allow)
        .type(JSON_TYPE)
        .send(
          errorBody(
            'METHOD_NOT_ALLOWED',
            `${path} does not serve ${req.method} (it serves ${allow})`,
          ),
        );
    }
    return reply
      .code(404)
      .type(JSON_TYPE)
      .send(errorBody('NOT_FOUND', `no route ${req.method} ${path.slice(0, 200)}`));
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const client = clientErrorOf(err);
    if (client) {
      let body = client.body;
      // Fastify's own messages for these name neither the limit nor what is accepted.
      if (client.status === 413) {
        const limit = req.routeOptions.bodyLimit;
        body = errorBody('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`, {
          limit,
        });
      } else if (client.status === 415) {
        const sent = (req.headers['content-type'] ?? '(none)').slice(0, 100);
        body = errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          `request body must be application/json, not ${sent}`,
        );
      }
      return reply.code(client.status).type(JSON_TYPE).send(body);
    }
    const errorId = reportInternalError(opts.boundary, 'http', err, {
      method: req.method,
      route: req.routeOptions.url ?? null,
      url: req.url.slice(0, 512),
      peer: req.socket.remoteAddress ?? null,
    });
    return reply
      .code(500)
      .type(JSON_TYPE)
      .send(
        errorBody(
          'INTERNAL',
          `internal error (ID ${errorId}); the ${opts.boundary.component} logged it`,
          { errorId },
        ),
      );
  });
  return app;
}

/** Listens on host:port (0 picks a port) and resolves with the server and bound port. */
export async function listenHttp(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  await app.listen({ host, port });
  const addr = app.server.address() as AddressInfo | null;
  return { server: app.server, port: addr?.port ?? port };
}
