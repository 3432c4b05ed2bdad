/**
 * The `arguments` of Chronos' run-now request (`PUT /job/{name}?arguments=…`), one string
 * that Chronos appended to the job's command for `/bin/sh -c` to read (having only removed
 * `;`). Here it is split into words by the shell's quoting rules and nothing more: blanks
 * separate words, '…' and "…" group them, a backslash escapes the next character. No
 * expansion (`$`, backquotes, globs) and no operators (`;`, `|`, `&`, `<`, `>`): those
 * characters are part of a word, and each word reaches the program verbatim.
 */
import {
  controlCharacterProblem,
  runArgumentsProblem,
} from '../../frameworks/schedules/run-arguments.js';

/** The words of an `arguments` string, or why it is refused. */
export type ArgumentWords = { ok: true; words: string[] } | { ok: false; message: string };

const DQ_ESCAPABLE: ReadonlySet<string> = new Set(['"', '\\', '$', '`']);

/** Splits `text` into words; an unclosed quote or a word not allowed is refused. */
export function argumentWords(text: string): ArgumentWords {
  // Controls first: a tab or newline would otherwise separate words silently.
  const control = controlCharacterProblem(text);
  if (control !== undefined) return { ok: false, message: `arguments ${control}` };
  const words: string[] = [];
  // `started`: a word is open, possibly still empty (as '' makes an empty argument).
  let word = '';
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      // Inside double quotes a backslash escapes only these (as in the shell).
      if (c === '"') quote = undefined;
      else if (c === '\\' && DQ_ESCAPABLE.has(next)) {
        word += next;
        i++;
      } else word += c;
    } else if (c === ' ') {
      if (started) words.push(word);
      word = '';
      started = false;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, message: 'arguments: ends with a lone \\' };
      word += next;
      started = true;
      i++;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote !== undefined) return { ok: false, message: `arguments: unclosed ${quote}` };
  if (started) words.push(word);
  const problem = runArgumentsProblem(words);
  return problem === undefined
    ? { ok: true, words }
    : { ok: false, message: `arguments: ${problem}` };
}
