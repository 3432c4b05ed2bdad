import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import {
  ValidationError,
  MezzoError,
  InvariantError,
  describeError,
} from '../../../src/shared/errors.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';

test('named errors carry a code, a path and context', () => {
  const err = new ValidationError('spec.resources.cpus', 'must be positive', { value: -1 });
  assert.ok(err instanceof MezzoError);
  assert.equal(err.name, 'ValidationError');
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.message, 'spec.resources.cpus: must be positive');
  assert.deepEqual(err.context, { value: -1, path: 'spec.resources.cpus' });
  assert.equal(new InvariantError('x').name, 'InvariantError');
  assert.equal(describeError(42), '42');
});

test('MetricsRegistry is per instance and idempotent per name', async () => {
  const a = new MetricsRegistry();
  const b = new MetricsRegistry();
  const c1 = a.counter('mezzo_test_offers_total', 'offers', ['role']);
  const c2 = a.counter('mezzo_test_offers_total', 'offers', ['role']);
  assert.equal(c1, c2);
  c1.inc({ role: 'eng' }, 3);
  b.counter('mezzo_test_offers_total', 'offers', ['role']).inc({ role: 'eng' });
  const text = await a.exposition();
  assert.match(text, /mezzo_test_offers_total\{role="eng"\} 3/);
  assert.match(await b.exposition(), /mezzo_test_offers_total\{role="eng"\} 1/);
});

test('JSON logger writes one parseable object per line with defaults and child fields', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ format: 'json', defaultMeta: { component: 'test' } });
  logger.clear().add(new winston.transports.Stream({ stream: sink }));
  logger.child({ task: 't1' }).info('launched', { cpus: 0.5 });
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(rec.message, 'launched');
  assert.equal(rec.level, 'info');
  assert.equal(rec.component, 'test');
  assert.equal(rec.task, 't1');
  assert.equal(rec.cpus, 0.5);
  assert.equal(typeof rec.timestamp, 'string');
});
