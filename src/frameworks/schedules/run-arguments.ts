/**
 * Arguments for one run: words a run-now request appends to the schedule's command for
 * that run only (Chronos' `PUT /job/{name}?arguments=…`). They travel on an annotation
 * next to the run-now one, bound to its value, so that a later plain run-now never
 * reuses them; the framework then keeps them on the run record (and a retry of it) in
 * status. Each word reaches the program as one argument, verbatim: appended to an argv
 * as an element, or to a shell command single-quoted, never as shell text.
 */
import type { RunCommand } from '../task-fields.js';

/**
 * Annotation holding the arguments of a run-now request: JSON
 * `{"runNow": <the mezzo.dev/run-now value it belongs to>, "arguments": [words]}`.
 * Setting it changes what a run executes, so the HTTP API asks `update` for it.
 */
export const RUN_NOW_ARGUMENTS_ANNOTATION = 'mezzo.dev/run-now-arguments';

/** The most words one run may be given. */
export const MAX_RUN_ARGUMENTS = 256;
/** The most characters all the words of one run may have together. */
export const MAX_RUN_ARGUMENTS_CHARS = 4096;

/**
 * Why `text` may not be (part of) an argument: it holds a C0 control (NUL, newline,
 * tab, escape…), DEL or a C1 control. No word needs them, and a newline or NUL in a
 * command line is where injections and truncations hide.
 */
export function controlCharacterProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      return `holds the control character U+${c.toString(16).toUpperCase().padStart(4, '0')} at offset ${i}`;
  }
  return undefined;
}

/** Why `words` cannot be a run's arguments, or undefined when they can. */
export function runArgumentsProblem(words: readonly unknown[]): string | undefined {
  if (words.length > MAX_RUN_ARGUMENTS)
    return `at most ${MAX_RUN_ARGUMENTS} arguments, not ${words.length}`;
  let chars = 0;
  for (const [i, w] of words.entries()) {
    if (typeof w !== 'string') return `argument ${i + 1} is not a string`;
    const control = controlCharacterProblem(w);
    if (control !== undefined) return `argument ${i + 1} ${control}`;
    chars += w.length;
  }
  if (chars > MAX_RUN_ARGUMENTS_CHARS)
    return `arguments hold ${chars} characters together, more than ${MAX_RUN_ARGUMENTS_CHARS}`;
  return undefined;
}

/** The arguments annotation's value for the run-now value `runNow`. */
export function runNowArgumentsValue(runNow: string, words: readonly string[]): string {
  return JSON.stringify({ runNow, arguments: words });
}

/** What the arguments annotation says for one run-now value. */
export type RunNowArguments =
  { ok: true; arguments?: readonly string[] } | { ok: false; message: string };

/**
 * The arguments for the run-now value `runNow`, read from the annotations as hostile
 * input: none when the annotation is absent or belongs to another run-now value; a
 * problem when it is unreadable or its words are not allowed.
 */
export function readRunNowArguments(
  annotations: Readonly<Record<string, string>> | undefined,
  runNow: string,
): RunNowArguments {
  const text = annotations?.[RUN_NOW_ARGUMENTS_ANNOTATION];
  if (text === undefined) return { ok: true };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, message: `${RUN_NOW_ARGUMENTS_ANNOTATION} is not JSON` };
  }
  const o = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof o.runNow !== 'string' || !Array.isArray(o.arguments))
    return {
      ok: false,
      message: `${RUN_NOW_ARGUMENTS_ANNOTATION} must be {"runNow": string, "arguments": [strings]}`,
    };
  // Arguments written for an earlier request: this one runs the plain command.
  if (o.runNow !== runNow) return { ok: true };
  const words: unknown[] = o.arguments;
  const problem = runArgumentsProblem(words);
  if (problem !== undefined)
    return { ok: false, message: `${RUN_NOW_ARGUMENTS_ANNOTATION}: ${problem}` };
  return words.length > 0 ? { ok: true, arguments: words as string[] } : { ok: true };
}

/** Arguments read back from status: valid words, or none (a hand-edited list is dropped). */
export function storedArguments(raw: unknown): readonly string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const words: unknown[] = raw;
  return runArgumentsProblem(words) === undefined ? (words as string[]) : undefined;
}

/** `word` as one shell word, taken literally: single quotes, each `'` written `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command with `words` appended: argv elements after an argv; quoted words after a
 * shell command (separated by a space, as Chronos appends its arguments).
 */
export function withArguments(command: RunCommand, words: readonly string[]): RunCommand {
  if (words.length === 0) return command;
  if (typeof command !== 'string') return [...command, ...words];
  return `${command} ${words.map(shellQuote).join(' ')}`;
}
