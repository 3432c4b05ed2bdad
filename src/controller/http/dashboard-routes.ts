/**
 * The dashboard's assets: GET / is the page's shell, GET /ui/<module>.js its ES modules,
 * compiled by tsc from src/webui/ into the package (dist/src/webui/), so nothing is
 * fetched from a CDN or the network at run time. The shell holds no data and no token:
 * the page reads both through the API, as every other client does.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http/errors.js';
import { NO_PARAMETERS } from './schemas.js';

/** Where the compiled modules are: dist/src/webui/, next to this file's dist/src/controller/. */
const WEBUI_DIR = fileURLToPath(new URL('../../webui/', import.meta.url));

/**
 * Libraries the pages import, served from the installed package (a dependency, so it
 * ships with Mezzo): the page asks for ./vendor/<name>.js. Only self-contained ES
 * modules qualify (the browser cannot resolve bare imports without an import map, which
 * the policy's no-inline-script rule forbids).
 */
const VENDOR: ReadonlyMap<string, string> = new Map([
  ['vendor/dagre.js', fileURLToPath(import.meta.resolve('@dagrejs/dagre'))],
]);

/** A module path under /ui/: lower-case words, at most one folder, `.js`. */
const MODULE_PATH = /^(?:[a-z][a-z-]{0,40}\/)?[a-z][a-z-]{0,40}\.js$/;

// A strict policy: only this origin's modules run; no inline script, no eval.
const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Every module the page imports, as `/ui/` paths: the shell names them all up front
 * (`modulepreload`), so the browser fetches them in one round instead of one round per
 * level of imports (main → pages → their helpers → the graph's library).
 */
function modules(): string[] {
  const found: string[] = [...VENDOR.keys()];
  for (const folder of ['', 'pages/']) {
    let names: string[];
    try {
      names = readdirSync(`${WEBUI_DIR}${folder}`);
    } catch {
      continue; // Not built: the shell still names main.js.
    }
    for (const n of names) if (MODULE_PATH.test(`${folder}${n}`)) found.push(`${folder}${n}`);
  }
  return found.sort();
}

function shell(preload: readonly string[]): string {
  const links = preload.map((m) => `<link rel="modulepreload" href="/ui/${m}">\n`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Mezzo</title>
<link rel="icon" href="data:,">
${links}<script type="module" src="/ui/main.js"></script>
</head>
<body>
<noscript>The Mezzo dashboard needs JavaScript; the API is at <a href="/state">/state</a>.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

/**
 * The shell and modules are static and load without a token (a `<script src>` cannot send
 * one): public, as the security conventions say of static dashboard assets. (A variable,
 * not a literal, so that it type-checks before src/auth/route-access.ts declares
 * `access`.)
 */
const PUBLIC = { access: 'public' } as const;

/** Registers the dashboard's routes on `app`. */
export function dashboardRoutes(app: FastifyInstance): void {
  const page = shell(modules());
  app.get('/', { schema: { querystring: NO_PARAMETERS }, config: PUBLIC }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-cache')
      .send(page),
  );
  app.get<{ Params: { '*': string } }>(
    '/ui/*',
    { schema: { querystring: NO_PARAMETERS }, config: PUBLIC },
    async (req, reply) => {
      const path = req.params['*'];
      // The pattern keeps the path inside the folder: no dots but the extension's.
      if (!MODULE_PATH.test(path)) throw new HttpError(404, 'NOT_FOUND', `no asset ${path}`);
      let body: Buffer;
      try {
        body = await readFile(VENDOR.get(path) ?? `${WEBUI_DIR}${path}`);
      } catch {
        throw new HttpError(404, 'NOT_FOUND', `no asset ${path}`);
      }
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
}
