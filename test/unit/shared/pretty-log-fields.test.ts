// Terminal (pretty) log lines leave out a field whose value is undefined, as JSON lines
// do: `reason=undefined` told a reader nothing. Other falsy values are real values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from '../../../src/shared/logger.js';

function capture(format: 'pretty' | 'json'): { logger: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ format, level: 'info' });
  logger.clear().add(new winston.transports.Stream({ stream: sink }));
  return { logger, lines };
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').trim();

test('pretty lines omit undefined fields and keep empty, zero and false ones', () => {
  const { logger, lines } = capture('pretty');
  logger.info('task finished', { taskId: 't1', reason: undefined, code: 0, ok: false, note: '' });
  assert.equal(lines.length, 1);
  assert.match(plain(lines[0] ?? ''), /^\S+ info task finished taskId=t1 code=0 ok=false note=$/);
});

test('pretty and JSON lines carry the same fields', () => {
  const pretty = capture('pretty');
  const json = capture('json');
  const meta = { agentId: undefined, tasks: 2 };
  pretty.logger.info('agent started', meta);
  json.logger.info('agent started', meta);
  const rec = JSON.parse(json.lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal('agentId' in rec, false);
  assert.equal(plain(pretty.lines[0] ?? '').replace(/^\S+ /, ''), 'info agent started tasks=2');
});
