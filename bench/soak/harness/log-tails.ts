/**
 * The warnings and errors of a soak cluster's process logs, for a failed run's report: the
 * test cleans its work dir up, so a failure seen once in CI (tasks stuck after a freeze,
 * under load) left nothing to read. Log lines are winston JSON or plain text; a line is
 * kept when it says `"level":"warn"` or `"level":"error"` (or, in plain text, `warn` or
 * `error`), and each log gives its last {@link LINES}, each cut at {@link WIDTH}.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Lines kept a log. */
const LINES = 40;
/** Characters kept a line. */
const WIDTH = 400;

const NOTABLE = /"level":"(warn|error)"|\b(warn|error|WARN|ERROR)\b/;

/** `<log name>: <line>` for the notable lines of every `*.log` in `dir`, oldest first. */
export function notableLogLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n').filter((l) => NOTABLE.test(l));
    for (const l of lines.slice(-LINES)) out.push(`${name}: ${l.slice(0, WIDTH)}`);
  }
  return out;
}
