// How a Chronos run-now `arguments` string becomes words: the shell's quoting rules and
// nothing else (no expansion, no operators), and what is refused, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argumentWords } from '../../../src/compat/chronos/arguments-text.js';

const cases: [string, string, string[] | RegExp][] = [
  ['empty', '', []],
  ['blanks only', '   ', []],
  ['words and runs of blanks', ' -v   --day 2026-01-01 ', ['-v', '--day', '2026-01-01']],
  ['single quotes keep everything', `'a "b" \\c $d'`, ['a "b" \\c $d']],
  ['double quotes: \\ escapes " \\ $ `', `"a \\"b\\" \\$c \\x"`, ['a "b" $c \\x']],
  ['quotes join with their word', `pre'mid dle'post`, ['premid dlepost']],
  ['empty quotes are an empty word', `'' ""`, ['', '']],
  ['a backslash escapes a blank', 'a\\ b c', ['a b', 'c']],
  ['operators and expansions are text', '$(id);`id`|x&&y>z *', ['$(id);`id`|x&&y>z', '*']],
  ['non-ASCII', 'día 日本', ['día', '日本']],
  ['unclosed single quote', `a 'b`, /unclosed '/],
  ['unclosed double quote', 'a "b', /unclosed "/],
  ['lone trailing backslash', 'a\\', /lone \\/],
  ['NUL', 'a\u0000', /control character U\+0000 at offset 1/],
  ['newline inside quotes too', `'a\nb'`, /control character U\+000A/],
  ['DEL', '\u007f', /control character U\+007F/],
  ['257 words', 'a '.repeat(257), /at most 256 arguments, not 257/],
];

for (const [what, text, expected] of cases) {
  test(`arguments: ${what}`, () => {
    const read = argumentWords(text);
    if (Array.isArray(expected)) assert.deepEqual(read, { ok: true, words: expected });
    else {
      assert.ok(!read.ok);
      assert.match(read.message, expected);
    }
  });
}
