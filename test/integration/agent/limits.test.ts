// Isolation that really holds: real task processes in real cgroups. A task over its
// memory limit is OOM-killed and reported FAILED with the memory reason; a spinning task
// at 0.2 cpus is throttled about 80 % of its CFS periods; the environment, sandbox files,
// exit codes and the kill policy behave as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needCgroups, startHarness } from './support/harness.js';
import { shellTask } from './support/fake-controller.js';
import { taskKey } from '../../../src/agent-sidecar/task-record.js';
import { TERMINAL_STATES } from '../../../src/controller/records.js';
import { authHeader } from '../../support/auth.js';

test('a task limited to 64 MiB that allocates 256 MiB ends FAILED with the memory reason', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // dd allocates its 256 MiB block and fills it from /dev/zero.
    h.controller.launch(
      shellTask('oom', 'dd if=/dev/zero of=/dev/null bs=256M count=1', { mem: 64 }),
    );
    const st = await h.controller.waitForState('oom', 'TASK_FAILED', 20_000);
    assert.equal(st.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
    assert.match(st.message, /memory limit/);
    assert.match(st.message, /64 MiB/);
    assert.deepEqual(h.controller.states('oom'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    const stats = await h.agent.taskStats('oom');
    assert.ok(stats && stats.oomKills >= 1, 'the cgroup OOM counter saw the kill');
    assert.equal(stats.memLimitBytes, 64 * 1048576);
  } finally {
    await h.cleanup();
  }
});

test('a task given 0.2 cpus that spins is throttled close to 80 %', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.launch(shellTask('spin', 'while :; do :; done', { cpus: 0.2 }));
    await h.controller.waitForState('spin', 'TASK_RUNNING');
    const before = await h.agent.taskStats('spin');
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await h.agent.taskStats('spin');
    const wall = (Date.now() - t0) / 1000;
    assert.ok(before && after);
    const periods = after.nrPeriods - before.nrPeriods;
    const throttled = after.nrThrottled - before.nrThrottled;
    const cpuShare = (after.cpuUsageSeconds - before.cpuUsageSeconds) / wall;
    const throttledShare = (after.throttledSeconds - before.throttledSeconds) / wall;
    const ratio = throttled / periods;
    process.stderr.write(
      `throttle: periods=${String(periods)} throttled=${String(throttled)} ratio=${ratio.toFixed(3)} cpu=${cpuShare.toFixed(3)} throttled_time_share=${throttledShare.toFixed(3)}\n`,
    );
    assert.ok(periods >= 20, `CFS periods elapsed: ${String(periods)}`);
    assert.ok(ratio >= 0.6 && ratio <= 1.0, `throttled/periods = ${ratio.toFixed(3)}`);
    assert.ok(
      cpuShare > 0.05 && cpuShare < 0.3,
      `cpu share ${cpuShare.toFixed(3)} should be near 0.2`,
    );
    assert.ok(
      throttledShare > 0.4 && throttledShare < 1.0,
      `throttled time share ${throttledShare.toFixed(3)} should be near 0.8`,
    );
    // The same figures go to the controller and to /metrics.
    await h.controller.waitFor(
      () =>
        h.controller.usage.some((u) =>
          u.tasks.some((x) => x.task_id === 'spin' && x.cpu_nr_throttled > 0),
        ),
      5000,
      'usage report with throttling',
    );
    const res = await fetch(`http://127.0.0.1:${String(h.agent.port)}/metrics`, {
      headers: authHeader(),
    });
    const text = await res.text();
    assert.match(
      text,
      /mezzo_agent_task_cpu_throttled_periods\{task_id="spin",framework_id="fw-1"\} \d+/,
    );
    assert.match(
      text,
      /mezzo_agent_task_memory_limit_bytes\{task_id="spin",framework_id="fw-1"\} 33554432/,
    );
    h.controller.kill('spin');
    const k = await h.controller.waitForState('spin', 'TASK_KILLED');
    assert.equal(k.exit_code, 143, 'SIGTERM ended it');
  } finally {
    await h.cleanup();
  }
});

test('environment, sandbox files, exit codes, non-root user and read_file', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.launch(
      shellTask(
        'env',
        'echo "id=$TASK_ID mid=$MESOS_TASK_ID p0=$PORT0 p1=$PORT1 ports=$PORTS sb=$MESOS_SANDBOX uid=$(id -u)"; echo oops >&2; exit 3',
        { ports: [31000, 31001] },
      ),
    );
    const st = await h.controller.waitForState('env', 'TASK_FAILED');
    assert.equal(st.reason, 'REASON_COMMAND_EXITED_NONZERO');
    assert.equal(st.exit_code, 3);
    assert.match(st.message, /exited with status 3/);
    const sb = h.agent.sandboxOf('env');
    assert.ok(sb);
    const out = await readFile(join(sb, 'stdout'), 'utf8');
    assert.equal(
      out.trim(),
      `id=env mid=env p0=31000 p1=31001 ports=31000,31001 sb=${sb} uid=65534`,
    );
    assert.equal((await readFile(join(sb, 'stderr'), 'utf8')).trim(), 'oops');
    const req = h.controller.readFile('env', 'stdout');
    await h.controller.waitFor(() => h.controller.files.has(req), 5000, 'file_data');
    assert.match(h.controller.files.get(req)?.data.toString() ?? '', /^id=env/);
    const bad = h.controller.readFile('env', '../../etc/passwd');
    await h.controller.waitFor(() => h.controller.files.has(bad), 5000, 'file_data');
    assert.match(h.controller.files.get(bad)?.error ?? '', /escapes the sandbox/);

    h.controller.launch(shellTask('ok', 'true'));
    const fin = await h.controller.waitForState('ok', 'TASK_FINISHED');
    assert.equal(fin.exit_code, 0);
    assert.equal(fin.sequence, 3);

    h.controller.launch(shellTask('root', 'id'), 'fw-1', 'root');
    const err = await h.controller.waitForState('root', 'TASK_ERROR');
    assert.equal(err.reason, 'REASON_TASK_UNAUTHORIZED');
  } finally {
    await h.cleanup();
  }
});

test('kill policy: SIGTERM to the process group, SIGKILL after the grace period', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // Ignores SIGTERM, and has a child in its group.
    h.controller.launch(
      shellTask('stubborn', "trap '' TERM; sleep 1000 & touch ready; while :; do sleep 0.05; done"),
    );
    await h.controller.waitForState('stubborn', 'TASK_RUNNING');
    const sb = h.agent.sandboxOf('stubborn') ?? '';
    await h.controller.waitFor(() => existsSync(join(sb, 'ready')), 5000, 'SIGTERM trap set');
    const t0 = Date.now();
    h.controller.kill('stubborn', 'fw-1', 0.5);
    const st = await h.controller.waitForState('stubborn', 'TASK_KILLED');
    const took = Date.now() - t0;
    assert.ok(took >= 450, `SIGKILL came after the grace period (${String(took)} ms)`);
    assert.equal(st.exit_code, 137);
  } finally {
    await h.cleanup();
  }
});

test('--pid-namespace: the task sees only its own processes and is signalled through its init', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness({ pidNamespace: true });
  try {
    h.controller.launch(
      shellTask('ns', 'echo "pid=$$ procs=$(ls /proc | grep -c "^[0-9]")"; exit 5'),
    );
    const st = await h.controller.waitForState('ns', 'TASK_FAILED');
    assert.equal(st.exit_code, 5, 'the exit status crosses the namespace');
    const out = await readFile(join(h.agent.sandboxOf('ns') ?? '', 'stdout'), 'utf8');
    const m = /^pid=(\d+) procs=(\d+)$/.exec(out.trim());
    assert.ok(m, out);
    // pid 1 is the namespace's init that forwards signals; the task is pid 2.
    assert.equal(m[1], '2');
    // init, the task's shell, the command substitution, ls and grep.
    assert.ok(Number(m[2]) <= 8, `only the task's processes are visible: ${out}`);

    h.controller.launch(shellTask('nsk', 'exec sleep 1000'));
    await h.controller.waitForState('nsk', 'TASK_RUNNING');
    await new Promise((r) => setTimeout(r, 100));
    h.controller.kill('nsk', 'fw-1', 2);
    const k = await h.controller.waitForState('nsk', 'TASK_KILLED');
    assert.equal(k.exit_code, 143);
  } finally {
    await h.cleanup();
  }
});

test('a task whose limits could not be set is refused with TASK_ERROR and never runs', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // Each would have run unlimited: mem 0 (or none) left memory.limit_in_bytes at the
    // kernel's "unlimited", cpus 0 (or none) left the task without a CFS quota.
    const cases: [string, Parameters<typeof shellTask>[2]][] = [
      ['mem-zero', { mem: 0 }],
      ['mem-negative', { mem: -64 }],
      ['mem-nan', { mem: Number.NaN }],
      ['mem-none', { extra: { resources: [{ name: 'cpus', type: 'SCALAR', scalar: 0.1 }] } }],
      ['cpus-zero', { cpus: 0 }],
      ['cpus-none', { extra: { resources: [{ name: 'mem', type: 'SCALAR', scalar: 32 }] } }],
    ];
    for (const [id, opts] of cases) h.controller.launch(shellTask(id, 'touch ran', opts));
    const ended = (id: string) =>
      h.controller.states(id).some((s) => TERMINAL_STATES.has(s as 'TASK_ERROR'));
    await h.controller.waitFor(() => cases.every(([id]) => ended(id)), 20_000, 'every task to end');
    for (const [id] of cases) {
      assert.deepEqual(h.controller.states(id), ['TASK_ERROR'], id);
      const st = h.controller.latest(id);
      assert.equal(st?.reason, 'REASON_TASK_INVALID', id);
      assert.match(
        st.message,
        /^refused: the task's (cpus|mem) \(.+\) gives? no (CPU quota|memory limit)/,
      );
      const sb = h.agent.sandboxOf(id) ?? '';
      assert.equal(existsSync(join(sb, 'ran')), false, `${id}: the command never ran`);
      const cg = join('/sys/fs/cgroup/memory', h.config.cgroupRoot, taskKey('fw-1', id));
      assert.equal(existsSync(cg), false, `${id}: no cgroup was made`);
    }
    // A valid task on the same agent still runs.
    h.controller.launch(shellTask('fine', 'true'));
    await h.controller.waitForState('fine', 'TASK_FINISHED');
  } finally {
    await h.cleanup();
  }
});

test('tiny cpus get the 1 ms minimum CFS quota, tiny mem the 4 MiB minimum limit', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // 0.0001 cpus × 100 000 µs = 10 µs, under the kernel's 1 000 µs minimum: rounded up,
    // never dropped. 1 MiB of memory: rounded up to 4 MiB.
    h.controller.launch(shellTask('tiny', 'exec sleep 60', { cpus: 0.0001, mem: 1 }));
    await h.controller.waitForState('tiny', 'TASK_RUNNING');
    const key = taskKey('fw-1', 'tiny');
    const read = (ctl: string, file: string) =>
      readFileSync(join('/sys/fs/cgroup', ctl, h.config.cgroupRoot, key, file), 'utf8').trim();
    assert.equal(read('cpu', 'cpu.cfs_quota_us'), '1000');
    assert.equal(read('cpu', 'cpu.cfs_period_us'), '100000');
    assert.equal(read('memory', 'memory.limit_in_bytes'), String(4 * 1048576));
    assert.equal(read('pids', 'pids.max'), '1024');
    h.controller.kill('tiny');
    await h.controller.waitForState('tiny', 'TASK_KILLED');
  } finally {
    await h.cleanup();
  }
});
