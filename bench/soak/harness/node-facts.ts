/**
 * What is really true on the node, read from the machine rather than asked of Mezzo: the
 * agent's checkpoints and status-update logs on disk (what each task did, as the agent
 * recorded it), the processes really alive in the agent's task cgroups, and the markers
 * tasks wrote when they started.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';

/** One status update in the agent's log. */
export interface LoggedUpdate {
  state: string;
  reason: string;
  uuid: string;
  sequence: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** A task as the agent's disk tells it. */
export interface AgentTask {
  taskId: string;
  frameworkId: string;
  cgroup: string;
  launchedAt: number;
  updates: LoggedUpdate[];
  /** uuids the controller acknowledged. */
  acked: Set<string>;
}

interface Checkpoint {
  task?: { task_id?: string };
  framework?: { id?: string };
  cgroup?: string;
  launchedAt?: number;
}

function readCheckpoint(file: string): Checkpoint | undefined {
  try {
    // The first line: later checkpoints are appended as lines after it.
    return JSON.parse(readFileSync(file, 'utf8').split('\n', 1)[0] ?? '') as Checkpoint;
  } catch {
    return undefined;
  }
}

/** Reads every task checkpoint and update log under the agent's work dir. */
export function readAgentTasks(agentDir: string): Map<string, AgentTask> {
  const out = new Map<string, AgentTask>();
  const dir = join(agentDir, 'meta', 'tasks');
  if (!existsSync(dir)) return out;
  for (const key of readdirSync(dir)) {
    const cp = readCheckpoint(join(dir, key, 'task.json'));
    if (!cp) continue; // being written, or torn by a SIGKILL: the agent skips it too
    const taskId = cp.task?.task_id ?? '';
    const t: AgentTask = {
      taskId,
      frameworkId: cp.framework?.id ?? '',
      cgroup: cp.cgroup ?? key,
      launchedAt: cp.launchedAt ?? 0,
      updates: [],
      acked: new Set(),
    };
    const log = join(dir, key, 'updates.log');
    if (existsSync(log)) {
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        try {
          const r = JSON.parse(line) as { u?: LoggedUpdate; a?: string };
          if (r.u) t.updates.push(r.u);
          if (r.a) t.acked.add(r.a);
        } catch {
          // a torn last line: never sent
        }
      }
    }
    out.set(taskId, t);
  }
  return out;
}

/** The directory holding the agent's task cgroups (v1 memory hierarchy, or v2). */
export function cgroupBase(root: string): string | undefined {
  return [
    `/sys/fs/cgroup/memory/${root}`,
    `/sys/fs/cgroup/unified/${root}`,
    `/sys/fs/cgroup/${root}`,
  ]
    .filter((d) => existsSync(join(d, 'cgroup.procs')))
    .at(0);
}

function alive(pid: number): boolean {
  try {
    // Field 3 of /proc/<pid>/stat, after the parenthesised name: Z is a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Live (non-zombie) pids per task cgroup name; cgroups with none are left out. */
export function liveCgroups(root: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const base = cgroupBase(root);
  if (!base) return out;
  for (const name of readdirSync(base)) {
    const procs = join(base, name, 'cgroup.procs');
    let pids: number[];
    try {
      if (!statSync(join(base, name)).isDirectory()) continue;
      pids = readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number).filter(alive);
    } catch {
      continue; // removed meanwhile
    }
    if (pids.length > 0) out.set(name, pids);
  }
  return out;
}

/** One start of a task: the pid its command had and when it wrote the marker. */
export interface Start {
  pid: number;
  at: number;
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The markers, per task ID. */
export function readMarkers(dir: string): Map<string, Start[]> {
  const out = new Map<string, Start[]>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const at = name.lastIndexOf('@');
    if (at < 0) continue;
    const id = name.slice(0, at);
    const mtime = mtimeOf(join(dir, name));
    if (mtime === undefined) continue;
    const list = out.get(id) ?? [];
    list.push({ pid: Number(name.slice(at + 1)), at: mtime });
    out.set(id, list);
  }
  return out;
}

/** The pid of a task's supervisor (from its sandbox), to tell it from the task. */
export function supervisorPid(agentDir: string, cgroup: string): number | undefined {
  try {
    const dir = join(agentDir, 'sandboxes', cgroup, '.mezzo');
    return parseSupervisorRecord(readFileSync(join(dir, SUPERVISOR_FILE), 'utf8')).supervisorPid;
  } catch {
    return undefined;
  }
}
