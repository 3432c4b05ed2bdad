// A failed soak run reports its process logs' warnings and errors (bench/soak/harness/
// log-tails.ts): only those lines, the last 40 of each log, each cut at 400 characters,
// logs in name order; a missing directory gives nothing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notableLogLines } from '../../../bench/soak/harness/log-tails.js';

const dir = mkdtempSync(join(tmpdir(), 'mezzo-log-tails-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const json = (level: string, message: string) => JSON.stringify({ level, message });

test('a failed soak reports the notable lines of each log', () => {
  writeFileSync(
    join(dir, 'controller.log'),
    [
      json('info', 'started'),
      json('warn', 'agent unreachable'),
      json('debug', 'pass'),
      json('error', 'store write failed'),
      '',
    ].join('\n'),
  );
  // 50 warnings: the last 40 (w10..w49) are kept; one line of 1,000 characters is cut.
  writeFileSync(
    join(dir, 'agent.log'),
    [
      ...Array.from({ length: 49 }, (_, i) => json('warn', `w${String(i)}`)),
      json('warn', 'x'.repeat(1_000)),
    ].join('\n'),
  );
  writeFileSync(join(dir, 'notes.txt'), json('error', 'not a log'));
  const lines = notableLogLines(dir);
  const agent = lines.filter((l) => l.startsWith('agent.log: '));
  const controller = lines.filter((l) => l.startsWith('controller.log: '));
  assert.equal(lines.length, 40 + 2, 'nothing but the two logs');
  assert.equal(agent.length, 40);
  assert.ok(agent[0]?.includes('"w10"'), agent[0]);
  assert.equal(agent.at(-1)?.length, 'agent.log: '.length + 400);
  assert.deepEqual(controller, [
    `controller.log: ${json('warn', 'agent unreachable')}`,
    `controller.log: ${json('error', 'store write failed')}`,
  ]);
  assert.ok(lines.indexOf(agent[0] ?? '') < lines.indexOf(controller[0] ?? ''), 'name order');
  assert.deepEqual(notableLogLines(join(dir, 'missing')), []);
});
