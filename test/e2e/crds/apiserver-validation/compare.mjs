#!/usr/bin/env node
/* global process, console, URL */
// Compares the embedded store's validation (src/api/validate.ts) with
// apiextensions-apiserver's own (main.go, the code kube-apiserver runs) on objects the
// property tests generate: valid ones, ones with one field broken, hostile ones. Prints
// the objects whose error lines differ and a JSON summary. Not part of `npm test` (it
// needs Go and the Kubernetes modules, as the e2e level does):
//
//   (cd test/e2e/crds/apiserver-validation && GOFLAGS=-mod=mod go build -o /tmp/apiserver-validation .)
//   npm run build && node test/e2e/crds/apiserver-validation/compare.mjs /tmp/apiserver-validation 1000
//
// Unknown kinds, and metadata or spec of the wrong JSON type, are left out: the
// apiserver refuses those while decoding, before the code compared here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';

const root = new URL('../../../../', import.meta.url).pathname;
const { validateObject } = await import(join(root, 'dist/src/api/validate.js'));
const gen = await import(join(root, 'dist/test/unit/properties/arbitraries.js'));

const [binary = '/tmp/apiserver-validation', perKind = '500'] = process.argv.slice(2);
const n = Number(perKind);
const plain = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const KINDS = ['Task', 'App', 'Schedule', 'Role', 'Framework', 'Agent'];
const comparable = (o) =>
  plain(o) &&
  o.apiVersion === gen.API &&
  KINDS.includes(o.kind) &&
  plain(o.metadata) &&
  typeof o.metadata.name === 'string' &&
  (o.spec === undefined || plain(o.spec));

const objects = [
  ...fc.sample(gen.validObject, { numRuns: n, seed: 7 }),
  ...fc.sample(gen.brokenObject, { numRuns: n, seed: 8 }).map((b) => b.object),
  ...fc.sample(gen.hostileObject, { numRuns: n, seed: 9 }),
]
  .map((o) => {
    try {
      return JSON.parse(JSON.stringify(o));
    } catch {
      return undefined;
    }
  })
  .filter(comparable)
  // kubectl fills in the namespace of namespaced kinds; apply does the same.
  .map((o) =>
    ['Role', 'Agent'].includes(o.kind) || o.metadata.namespace !== undefined
      ? o
      : { ...o, metadata: { ...o.metadata, namespace: 'default' } },
  );

const crds = ['agents', 'apps', 'frameworks', 'roles', 'schedules', 'tasks'].map((k) =>
  join(root, 'crds', `${k}.yaml`),
);
const run = spawnSync(binary, crds, {
  input: JSON.stringify(objects),
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
if (run.status !== 0) {
  console.error(run.stderr);
  process.exit(1);
}
const server = JSON.parse(run.stdout);
let same = 0;
const different = [];
objects.forEach((o, i) => {
  const v = validateObject(o);
  const mine = v.ok ? [] : v.errors.map((e) => e.message);
  // The apiserver's strict-decoding line has no field prefix; the embedded store's does.
  const theirs = server[i].map((line) => {
    const m = /^unknown field "(.*)"$/.exec(line);
    return m ? `${JSON.parse(`"${m[1]}"`)}: strict decoding error: ${line}` : line;
  });
  if ([...mine].sort().join('\n') === [...theirs].sort().join('\n')) same++;
  else different.push({ object: o, embedded: mine, apiserver: theirs });
});
for (const d of different.slice(0, 10)) console.log(JSON.stringify(d, null, 2));
console.log(JSON.stringify({ objects: objects.length, same, different: different.length }));
