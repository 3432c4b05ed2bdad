/**
 * Draws the scale bench's JSON as a PNG with matplotlib (plot.py beside this file's
 * source), in a virtualenv made here (~/.cache/mezzo/plot-venv, matplotlib pinned) so that
 * nothing is installed system-wide. Usage: `node dist/bench/scale/harness/plot.js IN OUT`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) {
  process.stderr.write('usage: node dist/bench/scale/harness/plot.js RESULTS.json OUT.png\n');
  process.exit(2);
}
const venv = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mezzo', 'plot-venv');
const python = join(venv, 'bin', 'python');
const run = (cmd: string, args: string[]): void => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(python)) run('python3', ['-m', 'venv', venv]);
if (spawnSync(python, ['-c', 'import matplotlib'], { stdio: 'ignore' }).status !== 0)
  run(python, ['-m', 'pip', 'install', '-q', 'matplotlib==3.10.7']);
const script = new URL('../../../../bench/scale/harness/plot.py', import.meta.url).pathname;
run(python, [script, src, dst]);
