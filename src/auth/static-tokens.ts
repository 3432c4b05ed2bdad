/**
 * Extra identities for dev mode, from a file in kube-apiserver's static token format
 * (`--token-auth-file`): one line a token, `token,user,uid,"group1,group2"`. Mezzo reads
 * one more optional column, `"key=value;key=value"`, the principal's `extra` (e.g.
 * `authentication.kubernetes.io/node-name=node-a`, which binds an identity to a node as
 * a pod-bound ServiceAccount token does). Blank lines and lines starting with `#` are
 * skipped. They let a local setup (and the tests) hold identities other than the admin.
 */
import { readFile } from 'node:fs/promises';
import { MezzoError } from '../shared/errors.js';
import type { Principal } from './types.js';

/** One line of the file: a token and whom it stands for. */
export interface StaticIdentity {
  readonly token: string;
  readonly principal: Principal;
}

/** A line of a token file that does not parse. */
export class StaticTokenError extends MezzoError {
  constructor(file: string, line: number, why: string) {
    super('TOKEN_FILE', `${file}:${line}: ${why}`, { file, line });
  }
}

/** Splits one CSV line: commas separate fields, double quotes may enclose one, `""` is a quote. */
export function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

function extraOf(text: string): Record<string, string[]> | string {
  const extra: Record<string, string[]> = {};
  for (const pair of text.split(';').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return `extra "${pair}" is not key=value`;
    const key = pair.slice(0, eq).trim();
    extra[key] = [...(extra[key] ?? []), pair.slice(eq + 1).trim()];
  }
  return extra;
}

/** Parses the file's text; `file` names it in errors. */
export function parseStaticTokens(text: string, file: string): StaticIdentity[] {
  const out: StaticIdentity[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = csvFields(line);
    if (!fields) throw new StaticTokenError(file, i + 1, 'an unterminated quote');
    const [token = '', username = '', uid = '', groups = '', extraText = ''] = fields.map((f) =>
      f.trim(),
    );
    if (fields.length > 5) throw new StaticTokenError(file, i + 1, 'more than five columns');
    if (!token || /\s/.test(token))
      throw new StaticTokenError(file, i + 1, 'the token is empty or has spaces');
    if (!username) throw new StaticTokenError(file, i + 1, 'the user name is empty');
    if (seen.has(token)) throw new StaticTokenError(file, i + 1, 'a token given twice');
    seen.add(token);
    const extra = extraOf(extraText);
    if (typeof extra === 'string') throw new StaticTokenError(file, i + 1, extra);
    out.push({
      token,
      principal: {
        username,
        ...(uid ? { uid } : {}),
        groups: groups
          .split(',')
          .map((g) => g.trim())
          .filter((g) => g !== ''),
        extra,
      },
    });
  }
  return out;
}

/** Reads and parses a token file. */
export async function readStaticTokens(file: string): Promise<StaticIdentity[]> {
  return parseStaticTokens(await readFile(file, 'utf8'), file);
}
