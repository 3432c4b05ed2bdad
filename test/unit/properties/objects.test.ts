// Objects of every kind, in JSON and YAML, through the one validation and through apply:
// valid ones are accepted (and stay valid once defaulted), one broken field is rejected
// with that field named, and anything at all comes back as a value, never an exception.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { validateObject } from '../../../src/api/validate.js';
import { applyAll } from '../../../src/controller/apply.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { brokenObject, hostileObject, validObject } from './arbitraries.js';
import { fuzz } from './fuzz.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function yamlRoundTrip(o: unknown): unknown {
  const [doc] = parseAllDocuments(stringify(o));
  return doc?.toJSON() as unknown;
}

test('valid objects of every kind are accepted, the same from JSON and from YAML', () => {
  fc.assert(
    fc.property(validObject, (o) => {
      const v = validateObject(o);
      assert.ok(v.ok, v.ok ? '' : v.errors.map((e) => e.message).join('\n'));
      // What was stored validates again, unchanged (defaults are idempotent).
      const again = validateObject(v.object);
      assert.ok(again.ok);
      assert.deepEqual(again.object, v.object);
      for (const copy of [JSON.parse(JSON.stringify(o)) as unknown, yamlRoundTrip(o)]) {
        const w = validateObject(copy);
        assert.ok(w.ok);
        assert.deepEqual(w.object, v.object);
      }
    }),
    fuzz(200),
  );
});

test('one broken field is rejected, and the rejection names that field', () => {
  fc.assert(
    fc.property(brokenObject, ({ object, field }) => {
      for (const copy of [object, yamlRoundTrip(object)]) {
        const v = validateObject(copy);
        assert.ok(!v.ok, `accepted: ${JSON.stringify(object)}`);
        const fields = v.errors.map((e) => e.field);
        assert.ok(
          fields.some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`)),
          `${field} not among ${fields.join(', ')}`,
        );
        for (const e of v.errors) assert.ok(e.message.startsWith(`${e.field}: `), e.message);
      }
    }),
    fuzz(300),
  );
});

test('anything at all yields a verdict, never an exception', () => {
  fc.assert(
    fc.property(hostileObject, (o) => {
      const v = validateObject(o);
      if (v.ok) assert.ok(validateObject(v.object).ok);
      else {
        assert.ok(v.errors.length > 0);
        for (const e of v.errors) assert.ok(e.field.length > 0 && e.message.length > 0);
      }
    }),
    fuzz(500),
  );
});

test('YAML text of any shape, through apply: rejections change nothing, nothing throws', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-fuzz-apply-'));
  dirs.push(dir);
  const file = join(dir, 'state.json');
  const store = new EmbeddedStore(file, new ManualClock(0));
  const yamlText = fc.oneof(
    fc
      .array(
        fc.oneof(
          validObject,
          brokenObject.map((b) => b.object),
          hostileObject,
        ),
        { maxLength: 3 },
      )
      .map((docs) => docs.map((d) => stringify(d)).join('---\n')),
    fc.string({ maxLength: 200 }),
  );
  await fc.assert(
    fc.asyncProperty(yamlText, async (text) => {
      let docs: unknown[];
      try {
        docs = parseAllDocuments(text).map((d) => d.toJSON() as unknown);
      } catch {
        return; // not YAML at all: the CLI stops before sending anything
      }
      const before = readFileSync(file, { encoding: 'utf8', flag: 'a+' });
      const r = await applyAll(
        store,
        docs.filter((d) => d !== null),
      );
      if (r.status === 400) assert.match(r.body.error, /^(body|at most)/);
      else if (r.body.every((x) => !x.ok)) {
        assert.equal(readFileSync(file, { encoding: 'utf8', flag: 'a+' }), before);
      }
      for (const kind of ['Task', 'App', 'Schedule', 'Role', 'Framework', 'Agent'] as const) {
        for (const o of await store.list(kind)) assert.ok(validateObject(o).ok, JSON.stringify(o));
      }
    }),
    fuzz(50),
  );
  await store.close();
});
