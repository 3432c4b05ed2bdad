import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_LABEL, EXIT_LABEL, parseDuration, simBehaviour } from '../../../src/sim/index.js';

test('parseDuration reads seconds or forever and refuses anything else', () => {
  const cases: [string, unknown][] = [
    ['1', 1000],
    ['0.25', 250],
    ['.5', 500],
    ['0', 0],
    [' 30 ', 30_000],
    ['forever', 'forever'],
    ['-1', 'error'],
    ['1e3', 'error'],
    ['soon', 'error'],
    ['', 'error'],
    ['NaN', 'error'],
    ['Infinity', 'error'],
    ['99999999999', 'error'],
  ];
  for (const [text, want] of cases) {
    const got = parseDuration(text);
    if (want === 'error') assert.ok(typeof got === 'object' && 'error' in got, text);
    else assert.equal(got, want, text);
  }
});

test('simBehaviour takes the labels, or the default when there is no duration label', () => {
  const cases: {
    labels: Record<string, string> | undefined;
    fallback: number | 'forever';
    want: { duration: number | 'forever'; exitCode: number } | 'error';
  }[] = [
    { labels: undefined, fallback: 0, want: { duration: 0, exitCode: 0 } },
    { labels: {}, fallback: 'forever', want: { duration: 'forever', exitCode: 0 } },
    { labels: { [DURATION_LABEL]: '2' }, fallback: 0, want: { duration: 2000, exitCode: 0 } },
    { labels: { [EXIT_LABEL]: '1' }, fallback: 500, want: { duration: 500, exitCode: 1 } },
    { labels: { [EXIT_LABEL]: '255' }, fallback: 0, want: { duration: 0, exitCode: 255 } },
    { labels: { [EXIT_LABEL]: '256' }, fallback: 0, want: 'error' },
    { labels: { [EXIT_LABEL]: '-1' }, fallback: 0, want: 'error' },
    { labels: { [EXIT_LABEL]: 'x' }, fallback: 0, want: 'error' },
    { labels: { [DURATION_LABEL]: 'later' }, fallback: 0, want: 'error' },
  ];
  for (const c of cases) {
    const got = simBehaviour(c.labels, c.fallback);
    if (c.want === 'error') assert.ok('error' in got, JSON.stringify(c.labels));
    else assert.deepEqual(got, c.want, JSON.stringify(c.labels));
  }
});
