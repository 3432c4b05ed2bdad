/**
 * The dashboard's assets: GET / is the page's shell, GET /ui/<module>.js its ES modules,
 * compiled by tsc from src/webui/ into the package (dist/src/webui/), so nothing is
 * fetched from a CDN or the network at run time. The shell holds no data and no token:
 * the page reads both through the API, as every other client does.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
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

/** `import … from './x.js'` and `export … from`, at a line's start; not `import()`. */
const STATIC_IMPORT =
  /^(?:import|export)\s[^;]*?from\s*'(\.{1,2}\/[^']+)'|^import\s*'(\.{1,2}\/[^']+)'/gm;

/** `import('./x.js')`: a module loaded when the code gets there. */
const DYNAMIC_IMPORT = /\bimport\('(\.{1,2}\/[^']+)'\)/g;

/**
 * The modules a first render needs, as `/ui/` paths, in the order the page needs them:
 * main.js and what it imports statically (it starts the stream), then what main.js
 * imports dynamically (the shell, app.js) and their static imports; not the pages the
 * shell imports with `import()` when they are visited. The HTML names them up front
 * (`modulepreload`), so the browser fetches them in one round instead of one per level
 * of imports; naming every page as well (21 modules, the graph's library included) made
 * the first render wait for all of them, on six connections, before the stream started.
 */
function modules(): string[] {
  const found = new Set<string>();
  const later: string[] = [];
  const visit = (path: string, entry: boolean) => {
    if (found.has(path) || !MODULE_PATH.test(path)) return;
    found.add(path);
    let text: string;
    try {
      text = readFileSync(VENDOR.get(path) ?? `${WEBUI_DIR}${path}`, 'utf8');
    } catch {
      return; // Not built: the shell still names main.js.
    }
    const resolve = (spec: string) => posix.normalize(posix.join(posix.dirname(path), spec));
    for (const m of text.matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec) visit(resolve(spec), false);
    }
    if (entry) for (const m of text.matchAll(DYNAMIC_IMPORT)) if (m[1]) later.push(resolve(m[1]));
  };
  visit('main.js', true);
  for (const path of later) visit(path, false);
  return [...found];
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
  // The files are the package's own and do not change while it runs: each is read once.
  const bodies = new Map<string, Buffer>();
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
      let body = bodies.get(path);
      if (!body) {
        try {
          body = await readFile(VENDOR.get(path) ?? `${WEBUI_DIR}${path}`);
        } catch {
          throw new HttpError(404, 'NOT_FOUND', `no asset ${path}`);
        }
        bodies.set(path, body);
      }
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
}
