/**
 * A Python virtualenv for tests that drive real Python clients (pymesos and the like)
 * from PyPI: created under the test's temp dir with `python3 -m venv` and filled with
 * pip from the registry, so nothing is installed on the machine itself.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Whether `python3 -m venv` works here (Debian needs python3-venv for ensurepip). */
export function pythonVenvAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A created virtualenv. */
export interface Venv {
  dir: string;
  python: string;
  /** Runs pip with arguments (throws with pip's output when it fails). */
  pip(args: string[]): void;
  /** The venv's site-packages folder. */
  sitePackages(): string;
}

/** Creates a virtualenv in `dir`. */
export function createVenv(dir: string): Venv {
  execFileSync('python3', ['-m', 'venv', dir], { stdio: 'pipe' });
  const python = join(dir, 'bin', 'python');
  return {
    dir,
    python,
    pip(args) {
      execFileSync(python, ['-m', 'pip', '--disable-pip-version-check', '-q', ...args], {
        stdio: 'pipe',
        timeout: 300_000,
      });
    },
    sitePackages() {
      return execFileSync(python, ['-c', 'import site; print(site.getsitepackages()[0])'], {
        encoding: 'utf8',
      }).trim();
    },
  };
}
