/**
 * What the Dockerfile's final stage promises about the image (working directory,
 * environment, user, entrypoint, command, the paths it copies), read from the Dockerfile
 * itself, and the same facts read from an OCI archive, so a test can hold the
 * registry-free build (scripts/build-image.sh) to the users' recipe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** An image's runtime configuration and its files' paths (no leading slash or `./`). */
export interface ImageFacts {
  workingDir: string;
  env: string[];
  user: string;
  entrypoint: string[];
  cmd: string[];
  paths: string[];
}

/** The final stage of a Dockerfile; `paths` are the COPY destinations. */
export function dockerfileFacts(text: string): ImageFacts {
  const lines = text.split('\n');
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const facts: ImageFacts = {
    workingDir: '/',
    env: [],
    user: '',
    entrypoint: [],
    cmd: [],
    paths: [],
  };
  for (const line of lines.slice(lastFrom + 1)) {
    const m = /^(\w+)\s+(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    const [op, arg] = [m[1].toUpperCase(), m[2]];
    if (op === 'WORKDIR') facts.workingDir = posix.resolve(facts.workingDir, arg);
    else if (op === 'ENV') facts.env.push(...arg.split(/\s+/));
    else if (op === 'USER') facts.user = arg;
    else if (op === 'ENTRYPOINT') facts.entrypoint = JSON.parse(arg) as string[];
    else if (op === 'CMD') facts.cmd = JSON.parse(arg) as string[];
    else if (op === 'COPY') {
      const dest = arg.split(/\s+/).at(-1) ?? '';
      const src =
        arg
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .at(0) ?? '';
      const target = dest.endsWith('/') ? posix.join(dest, posix.basename(src)) : dest;
      facts.paths.push(posix.resolve(facts.workingDir, target).slice(1));
    }
  }
  return facts;
}

interface OciConfig {
  config: {
    WorkingDir?: string;
    Env?: string[];
    User?: string;
    Entrypoint?: string[];
    Cmd?: string[];
  };
}

/** The facts of the single image in an OCI archive with one manifest. */
export async function archiveFacts(archive: string): Promise<ImageFacts> {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-oci-'));
  try {
    await execFileAsync('tar', ['-xf', archive, '-C', dir]);
    const blob = (digest: string) => join(dir, 'blobs', ...digest.split(':'));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const manifestDigest = index.manifests[0]?.digest ?? '';
    const manifest = JSON.parse(readFileSync(blob(manifestDigest), 'utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as OciConfig;
    const paths: string[] = [];
    for (const layer of manifest.layers) {
      const { stdout } = await execFileAsync('tar', ['-tf', blob(layer.digest)], {
        maxBuffer: 64 * 1024 * 1024,
      });
      paths.push(...stdout.split('\n').map((p) => p.replace(/^\.?\//, '').replace(/\/$/, '')));
    }
    return {
      workingDir: config.config.WorkingDir ?? '/',
      env: config.config.Env ?? [],
      user: config.config.User ?? '',
      entrypoint: config.config.Entrypoint ?? [],
      cmd: config.config.Cmd ?? [],
      paths: paths.filter((p) => p !== ''),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
