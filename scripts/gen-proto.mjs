#!/usr/bin/env node
// Generates TypeScript types for proto/ into src/gen/ with proto-loader-gen-types.
// The output is committed; `--check` regenerates into a temp dir and fails when the
// committed copy differs, so a proto change without regenerated types cannot land.
// The options here must match the loader options in src/shared/proto.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const outDir = check ? mkdtempSync(join(tmpdir(), 'mezzo-gen-')) : join(root, 'src/gen');

const protos = ['mezzo/v1/scheduler.proto', 'mezzo/v1/agent.proto'];
if (!check) rmSync(outDir, { recursive: true, force: true });
execFileSync(
  join(root, 'node_modules/.bin/proto-loader-gen-types'),
  [
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--keepCase',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
    '--includeComments',
    '-I',
    'proto',
    '-O',
    outDir,
    ...protos,
  ],
  // Relative include paths keep absolute checkout paths out of the generated comments.
  { stdio: 'inherit', cwd: root },
);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

if (check) {
  const committedDir = join(root, 'src/gen');
  const fresh = walk(outDir)
    .map((p) => relative(outDir, p))
    .sort();
  let committed = [];
  try {
    committed = walk(committedDir)
      .map((p) => relative(committedDir, p))
      .sort();
  } catch {
    // Missing directory: reported below as stale.
  }
  const stale = fresh.filter(
    (f) =>
      !committed.includes(f) ||
      readFileSync(join(outDir, f), 'utf8') !== readFileSync(join(committedDir, f), 'utf8'),
  );
  const extra = committed.filter((f) => !fresh.includes(f));
  rmSync(outDir, { recursive: true, force: true });
  if (stale.length > 0 || extra.length > 0) {
    console.error(`src/gen is stale (${[...stale, ...extra].join(', ')}); run: npm run gen:proto`);
    process.exit(1);
  }
  console.log(`src/gen is current (${fresh.length} files)`);
}
