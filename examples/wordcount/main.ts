/**
 * `npm run example:wordcount -- [options]`: runs the word-count job of job.yaml against a
 * controller (a `mezzo dev` by default), prints progress on stderr and a JSON summary on
 * stdout, and exits 0 only when the merged result matches the inputs.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { WordCountJob, type Shard } from './job.js';

interface JobFile {
  name: string;
  shards: { file: string; zone: string }[];
}

const program = new Command('wordcount')
  .description('count words over input shards with a Mezzo framework (Spark-on-Mesos style)')
  .option(
    '--controller <host:port,...>',
    'controller gRPC address (comma-separated: every replica)',
    '127.0.0.1:5051',
  )
  .option('--job <file>', 'job file (shards and their zones)', 'examples/wordcount/job.yaml')
  .option('--out <dir>', 'directory for part files (default: a new temp dir)')
  .option('--role <role>', 'role to run under', 'default')
  .option('--flaky <ids>', 'shards whose first attempt fails on purpose (comma-separated)', '')
  .option('--locality-wait <ms>', 'how long a task waits for an agent in its zone', '3000')
  .option('--task-delay <seconds>', 'seconds each task sleeps before counting', '0')
  .option('--ca-file <file>', "CA of the controller's certificate (connect over TLS)")
  .option('--server-name <name>', "with --ca-file: the name in the controller's certificate")
  .parse();

const o = program.opts<{
  controller: string;
  job: string;
  out?: string;
  role: string;
  flaky: string;
  localityWait: string;
  taskDelay: string;
  caFile?: string;
  serverName?: string;
}>();
const jobFile = parse(readFileSync(o.job, 'utf8')) as JobFile;
const base = dirname(resolve(o.job));
const shards: Shard[] = jobFile.shards.map((s, i) => ({
  id: String(i),
  path: resolve(base, s.file),
  zone: s.zone,
}));
const outDir = o.out ? resolve(o.out) : mkdtempSync(join(tmpdir(), 'wordcount-'));
mkdirSync(outDir, { recursive: true });
// Tasks run as the framework's user (nobody), not as whoever started the job.
chmodSync(outDir, 0o777);
const job = new WordCountJob({
  controller: o.controller.split(','),
  ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}),
  ...(o.serverName ? { serverName: o.serverName } : {}),
  shards,
  outDir,
  role: o.role,
  flaky: new Set(o.flaky.split(',').filter((s) => s !== '')),
  localityWaitMs: Number(o.localityWait),
  taskDelaySeconds: Number(o.taskDelay),
  log: (line) => process.stderr.write(`[wordcount] ${line}\n`),
});
const result = await job.run();
process.stdout.write(JSON.stringify({ job: jobFile.name, outDir, ...result }) + '\n');
process.exitCode = result.ok ? 0 : 1;
