/**
 * Hostile HTTP input for the fuzz tests: raw request texts (request lines, URLs, headers,
 * chunked bodies an HTTP library would never produce) and, for fetch, random query
 * strings, bodies and content types for each route, including objects that are nearly
 * valid (a valid object with one field replaced by something random).
 */
import fc from 'fast-check';
import { FIXTURES } from './support.js';

/** Methods, including ones Node's parser refuses and ones no route serves. */
const METHODS = [
  'GET',
  'POST',
  'DELETE',
  'PUT',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'PROPFIND',
  'TRACE',
  'get',
  'FOO',
  'G ET',
  '',
  'GET\u0000',
  'X'.repeat(300),
];

/** Request targets: the routes, their near misses, and URLs that broke URL parsers. */
const TARGETS = [
  '/',
  '//',
  '///',
  '/%%%',
  '/%',
  '/%zz',
  '/%00',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/../../etc/shadow',
  'http://[::1',
  'http://a:99999/',
  'http://x/state',
  'http:',
  '*',
  '',
  '/state',
  '/state/',
  '/STATE',
  '/state?%',
  '/objects',
  '/objects?kind=__proto__',
  '/objects?kind=Task&kind=App',
  '/objects?constructor=1',
  '/objects?kind=Agent',
  '/logs?task=x&file=../../etc/shadow',
  '/logs?task=&offset=-1',
  '/logs?offset=1e999&task=x',
  '/logs?task=%ff%fe',
  '/kill?task=%ff',
  '/kill',
  '/annotate?kind=App&name=no-such-app',
  '/annotate?kind=Role&name=x',
  '/apply',
  '/apply?x=1',
  '/metrics',
  '/healthz',
  '/readyz',
  '/?%',
  '/\u00e9t\u00e9',
  '/\u{1F600}',
  `/${'a'.repeat(5000)}`,
  `/objects?kind=${'T'.repeat(100_000)}`,
];

const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', 'HTTP/1.1x', 'HTP/1.1', ''];

/** Header lines, alone or in conflicting pairs. */
const HEADERS = [
  'Host: x',
  'Host:',
  'Content-Length: 5',
  'Content-Length: -1',
  'Content-Length: 99999999999999999999',
  'Content-Length: 1\r\nContent-Length: 2',
  'Content-Length: abc',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: chunked\r\nContent-Length: 3',
  'Transfer-Encoding: identity',
  'Content-Type: application/json',
  'Content-Type: application/json; charset=utf-16',
  'Content-Type: text/plain',
  'Content-Type: multipart/form-data; boundary=x',
  'Content-Type: ',
  'Expect: 100-continue',
  'Connection: close',
  'Connection: upgrade\r\nUpgrade: websocket',
  `X-Big: ${'a'.repeat(20_000)}`,
  'Bad Header',
  ': no name',
  'X-Nul: a\u0000b',
  'X-Unicode: \u00e9\u{1F600}',
];

/** Bodies: JSON of every sort, nesting, and broken chunked encodings. */
const BODIES = [
  '',
  '[]',
  '{}',
  'null',
  '[{}]',
  '[1,2,3]',
  '"x"',
  '{"__proto__": {"polluted": true}}',
  '[{"constructor": {"prototype": {"polluted": true}}}]',
  '{',
  'zz\r\n',
  '5\r\nab\r\n0\r\n\r\n',
  'ffffffffffffffff\r\nx\r\n',
  '-1\r\n\r\n',
  '2;ext=' + 'e'.repeat(20_000) + '\r\nab\r\n0\r\n\r\n',
  '['.repeat(5_000) + ']'.repeat(5_000),
];

/** One raw request text. */
export const rawRequestArb: fc.Arbitrary<string> = fc
  .record({
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 12 })),
    target: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TARGETS) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...TARGETS), fc.string({ unit: 'binary', maxLength: 30 }))
          .map(([t, s]) => t + s),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }) },
    ),
    version: fc.oneof(fc.constantFrom(...VERSIONS), fc.string({ maxLength: 10 })),
    headers: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HEADERS) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 40 }))
            .map(([k, v]) => `${k}: ${v}`),
        },
      ),
      { maxLength: 5 },
    ),
    body: fc.oneof(fc.constantFrom(...BODIES), fc.string({ unit: 'binary', maxLength: 200 })),
    eol: fc.constantFrom('\r\n', '\n'),
  })
  .map(
    ({ method, target, version, headers, body, eol }) =>
      `${method} ${target} ${version}${eol}Host: fuzz${eol}${headers.join(eol)}${eol}${eol}${body}`,
  );

/** A query value: the real parameter values, their neighbours, and random text. */
const queryValue = fc.oneof(
  fc.constantFrom(
    'Task',
    'App',
    'Schedule',
    'Role',
    'Agent',
    'Framework',
    'task',
    'stdout',
    'stderr',
    '../../etc/shadow',
    '/etc/passwd',
    '-1',
    '1e999',
    'NaN',
    '0',
    '9999999999999999',
    '99999999999999999999',
    'default',
    'kube-system',
    '',
    ' ',
    '\u0000',
    '%00',
    '__proto__',
    'a'.repeat(300),
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** A query string: known and unknown keys, repeated keys, hostile values. */
export const queryArb: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom('kind', 'name', 'namespace', 'task', 'file', 'offset'),
      },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'x', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    ),
    queryValue,
  ),
  { maxLength: 4 },
);

/** Valid objects of each kind (the fixtures under other names), for near-valid mutations. */
const VALID_OBJECTS: unknown[] = [
  {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Task',
    metadata: { name: 'fuzz-gen-task', namespace: 'default' },
    spec: { command: 'true', resources: { cpus: 0.1, mem: '32Mi' } },
  },
  ...FIXTURES.map((o) => ({
    ...o,
    metadata: { ...o.metadata, name: `fuzz-gen-${o.kind.toLowerCase()}` },
  })),
];

/** Paths of a valid object a mutation may replace. */
const MUTABLE_PATHS = [
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'labels'],
  ['spec'],
  ['spec', 'command'],
  ['spec', 'resources'],
  ['spec', 'resources', 'cpus'],
  ['spec', 'resources', 'mem'],
  ['spec', 'instances'],
  ['spec', 'schedule'],
  ['spec', 'parents'],
  ['spec', 'weight'],
];

function replaced(obj: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base = typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : {};
  return { ...base, [head]: replaced(base[head], rest, value) };
}

/** A valid object with one field replaced by a random JSON value. */
export const nearValidObjectArb: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...VALID_OBJECTS),
    fc.constantFrom(...MUTABLE_PATHS),
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(-1, 0, 1e308, -1e308, 0.0000001, 2 ** 53, '', 'x'.repeat(10_000), [], {}),
    ),
  )
  .map(([o, path, v]) => replaced(o, path, v));

/** A request body (undefined: none) with its content type. */
export const bodyArb: fc.Arbitrary<{ body: string | undefined; contentType: string | undefined }> =
  fc.record({
    body: fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
      fc.array(nearValidObjectArb, { minLength: 1, maxLength: 4 }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 101, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
      fc.constantFrom(
        JSON.stringify(['x'.repeat(4 * 1024 * 1024 + 1)]),
        JSON.stringify({ k: 'v'.repeat(70 * 1024) }),
        '{"__proto__": {"polluted": true}}',
        '[{"constructor": {"prototype": {"polluted": true}}}]',
        '{"mezzo.dev/run-now": 5}',
        `{${Array.from({ length: 100 }, (_, i) => `"k${i}": "v"`).join(',')}}`,
      ),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
    ),
    contentType: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/yaml',
      ),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z+.-]{1,15}$/),
    ),
  });
