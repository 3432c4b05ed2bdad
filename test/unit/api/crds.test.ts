// The CRD schemas as a whole: every CEL rule compiles in the evaluator the embedded store
// uses, uses only what Kubernetes 1.34 offers, and every string, list and map a rule can
// reach is bounded (the apiserver's cost estimator rejects a rule over an unbounded one);
// every Kubernetes example in examples/ passes the one validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkRule } from '../../../src/api/cel.js';
import { validateObject } from '../../../src/api/validate.js';
import { KINDS } from '../../../src/api/v1alpha1/index.js';
import type { CelRule, Schema } from '../../../src/api/v1alpha1/schema.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function walk(s: Schema, path: string, visit: (s: Schema, path: string) => void): void {
  visit(s, path);
  for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`, visit);
  if (s.items) walk(s.items, `${path}[]`, visit);
  if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}.*`, visit);
}

function rules(): { path: string; rule: CelRule }[] {
  const out: { path: string; rule: CelRule }[] = [];
  for (const def of KINDS) {
    for (const r of def.validations ?? []) out.push({ path: def.kind, rule: r });
    for (const part of ['spec', 'status'] as const) {
      walk(def[part], `${def.kind}.${part}`, (s, path) => {
        for (const r of s['x-kubernetes-validations'] ?? []) out.push({ path, rule: r });
      });
    }
  }
  return out;
}

test('every CEL rule parses and type-checks with self and oldSelf dynamic', () => {
  const all = rules();
  assert.ok(all.length >= 20, `${all.length} rules`);
  for (const { path, rule } of all)
    assert.equal(checkRule(rule.rule), undefined, `${path}: ${rule.rule}`);
});

// Functions and macros of Kubernetes 1.34's CEL environment for CRDs that the rules may
// call (the standard library, strings v2, the quantity library); a rule calling anything
// else would compile here and be refused by the apiserver.
const KUBERNETES_FUNCTIONS = new Set([
  'has',
  'size',
  'type',
  'int',
  'string',
  'double',
  'matches',
  'startsWith',
  'endsWith',
  'contains',
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
  'split',
  'indexOf',
  'lastIndexOf',
  'lowerAscii',
  'upperAscii',
  'trim',
  'replace',
  'substring',
  'join',
  'quantity',
  'isQuantity',
  'compareTo',
  'isGreaterThan',
  'isLessThan',
  'sign',
  'add',
  'sub',
  'isInteger',
  'asInteger',
  'asApproximateFloat',
]);

test('rules call only functions Kubernetes 1.34 offers CRDs', () => {
  for (const { path, rule } of rules()) {
    // Calls outside string literals: identifier followed by '('.
    const code = rule.rule.replace(/'(?:[^'\\]|\\.)*'/g, "''");
    for (const m of code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
      assert.ok(KUBERNETES_FUNCTIONS.has(m[1] ?? ''), `${path}: ${m[1]} in ${rule.rule}`);
    }
    // CEL string literals accept only CEL escapes; a regex's "\." must be written [.].
    assert.doesNotMatch(rule.rule, /\\[^\\'"`?abfnrtvxuU0-7]/, `${path}: ${rule.rule}`);
  }
});

test('every spec string, list and map is bounded, so every rule has a finite cost', () => {
  for (const def of KINDS) {
    walk(def.spec, `${def.kind}.spec`, (s, path) => {
      if (s.type === 'string' && !s.enum) assert.ok(s.maxLength !== undefined, `${path} maxLength`);
      if (s['x-kubernetes-int-or-string']) assert.ok(s.maxLength !== undefined, path);
      if (s.type === 'array') assert.ok(s.maxItems !== undefined, `${path} maxItems`);
      if (s.type === 'object' && s.additionalProperties) {
        assert.ok(s.maxProperties !== undefined, `${path} maxProperties`);
      }
      if (s.type === 'number' || s.type === 'integer') {
        assert.ok(s.maximum !== undefined, `${path} maximum`);
      }
    });
  }
});

function kubernetesExamples(dir = join(root, 'examples')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return kubernetesExamples(path);
    if (!/\.ya?ml$/.test(e.name)) return [];
    const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJSON() as unknown);
    return docs.every(
      (d) => (d as { apiVersion?: string } | null)?.apiVersion === 'mezzo.dev/v1alpha1',
    )
      ? [path]
      : [];
  });
}

test('every Kubernetes example in examples/ passes the one validation', () => {
  const files = kubernetesExamples();
  assert.ok(files.some((f) => f.endsWith('demo.yaml')));
  assert.ok(files.some((f) => f.includes('/schedules/')));
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJSON() as unknown;
      if (obj === null) continue;
      const v = validateObject(obj);
      assert.ok(v.ok, `${file}: ${v.ok ? '' : v.errors.map((e) => e.message).join('\n')}`);
    }
  }
});
