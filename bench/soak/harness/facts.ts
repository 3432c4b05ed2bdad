/**
 * Everything the oracle judges, gathered at one moment: the controller's /state, the
 * store's Task, App and Schedule objects (through the controller's HTTP API), the node's
 * truth (node-facts.ts), the batch framework's records and the harness's own log of
 * faults and crashes.
 */
import { join } from 'node:path';
import { readBatchLog, type BatchLog } from './batch-records.js';
import type { SoakCluster } from './cluster.js';
import type { FaultKind } from './config.js';
import {
  liveCgroups,
  readAgentTasks,
  readMarkers,
  type AgentTask,
  type Start,
} from './node-facts.js';
import type { Crash } from './process.js';

/** A fault the harness injected. */
export interface FaultRecord {
  kind: FaultKind;
  at: number;
  /** What exactly: the task and pid killed, how long the partition was. */
  detail?: string;
}

/** A task as the controller or the store tells it. */
export interface ReportedTask {
  state: string;
  reason?: string;
  message?: string;
}

/** An App object. */
export interface AppFacts {
  name: string;
  instances: number;
  statusInstances?: number;
  deleting: boolean;
}

/** A Schedule object. */
export interface ScheduleFacts {
  name: string;
  historyLimit: number;
  successCount: number;
  errorCount: number;
  running: string[];
  history: { task: string; result: string }[];
}

/** One observation. */
export interface Facts {
  at: number;
  /** undefined: the controller did not answer. */
  controller?: Map<string, ReportedTask>;
  store?: Map<string, ReportedTask>;
  apps?: AppFacts[];
  schedules?: ScheduleFacts[];
  agent: Map<string, AgentTask>;
  /** Live pids per task ID (or `cgroup:<name>` for a cgroup of no known task). */
  live: Map<string, number[]>;
  markers: Map<string, Start[]>;
  batch: BatchLog;
  faults: FaultRecord[];
  crashes: Crash[];
  /** Apps the harness deleted. */
  deletedApps: string[];
}

interface StateDoc {
  tasks: { id: string; state: string; reason?: string; message?: string }[];
}

interface ObjectDoc {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function storeTasks(objs: ObjectDoc[]): Map<string, ReportedTask> {
  const out = new Map<string, ReportedTask>();
  for (const o of objs) {
    const s = o.status ?? {};
    out.set(str(s.taskId) || o.metadata.name, {
      state: str(s.state) || '(no state on its Task object)',
      ...(s.reason !== undefined ? { reason: str(s.reason) } : {}),
      ...(s.message !== undefined ? { message: str(s.message) } : {}),
    });
  }
  return out;
}

function appFacts(objs: ObjectDoc[]): AppFacts[] {
  return objs.map((o) => ({
    name: o.metadata.name,
    instances: num(o.spec?.instances, 1),
    ...(typeof o.status?.instances === 'number' ? { statusInstances: o.status.instances } : {}),
    deleting: o.metadata.deletionTimestamp !== undefined,
  }));
}

function scheduleFacts(objs: ObjectDoc[]): ScheduleFacts[] {
  return objs.map((o) => {
    const s = o.status ?? {};
    return {
      name: o.metadata.name,
      historyLimit: num(o.spec?.historyLimit, 10),
      successCount: num(s.successCount, 0),
      errorCount: num(s.errorCount, 0),
      running: list(s.running).map((r) => str(r.task)),
      history: list(s.history).map((r) => ({ task: str(r.task), result: str(r.result) })),
    };
  });
}

/** Gathers one observation. */
export async function gatherFacts(
  cluster: SoakCluster,
  faults: FaultRecord[],
  deletedApps: string[],
): Promise<Facts> {
  const [state, tasks, apps, schedules] = await Promise.all([
    cluster.get<StateDoc>('/state'),
    cluster.get<ObjectDoc[]>('/objects?kind=Task'),
    cluster.get<ObjectDoc[]>('/objects?kind=App'),
    cluster.get<ObjectDoc[]>('/objects?kind=Schedule'),
  ]);
  const agent = readAgentTasks(cluster.agentDir);
  const byCgroup = new Map([...agent.values()].map((t) => [t.cgroup, t.taskId]));
  const live = new Map<string, number[]>();
  for (const [cgroup, pids] of liveCgroups(cluster.cgroupRoot))
    live.set(byCgroup.get(cgroup) ?? `cgroup:${cgroup}`, pids);
  return {
    at: Date.now(),
    ...(state
      ? {
          controller: new Map(
            state.tasks.map((t) => [
              t.id,
              {
                state: t.state,
                ...(t.reason ? { reason: t.reason } : {}),
                ...(t.message ? { message: t.message } : {}),
              },
            ]),
          ),
        }
      : {}),
    ...(tasks ? { store: storeTasks(tasks) } : {}),
    ...(apps ? { apps: appFacts(apps) } : {}),
    ...(schedules ? { schedules: scheduleFacts(schedules) } : {}),
    agent,
    live,
    markers: readMarkers(cluster.markers),
    batch: readBatchLog(join(cluster.batchDir, 'records.jsonl')),
    faults: [...faults],
    crashes: cluster.processes.flatMap((p) => p.crashes),
    deletedApps: [...deletedApps],
  };
}
