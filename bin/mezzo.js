#!/usr/bin/env node
// Entry point of the `mezzo` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('mezzo: dist/ is missing; run `npm ci` (it builds) or `npm run build`\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
