/**
 * Test harness: a temp work dir, a unique cgroup root per test
 * (`mezzo-test-<run>-agent-<pid>-<n>`), an in-process agent dialing a {@link FakeController}, and a
 * cleanup that kills every task and removes the cgroups and the work dir.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { Agent, type AgentDeps } from '../../../../src/agent-sidecar/agent.js';
import { defaultConfig, type AgentConfig } from '../../../../src/agent-sidecar/config.js';
import { prerequisite } from '../../../support/prereq.js';
import { FakeController } from './fake-controller.js';
import { tempDir, testCgroupRoot } from '../../../support/cleanup.js';

/** A fresh cgroup root name for this process. */
export function uniqueCgroupRoot(): string {
  return testCgroupRoot('agent');
}

/** True when this process is root and cgroup v1 memory/cpu or v2 are writable. */
export function cgroupsUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  return (
    /\scgroup2?\s/.test(mounts) &&
    (existsSync('/sys/fs/cgroup/memory') || existsSync('/sys/fs/cgroup/cgroup.controllers'))
  );
}

/** Skips (or fails in CI) unless root with cgroups. */
export function needCgroups(t: TestContext): boolean {
  return prerequisite(
    t,
    cgroupsUsable(),
    'root and writable cgroups (v1 or v2)',
    'run the tests as root on a host with /sys/fs/cgroup mounted read-write',
  );
}

export interface Harness {
  controller: FakeController;
  agent: Agent;
  workDir: string;
  config: AgentConfig;
  cleanup(): Promise<void>;
}

/**
 * Starts a fake controller and an in-process agent connected to it; `batches: false`
 * makes the controller one from before batches (agent.proto's `max_batch_bytes`).
 */
export async function startHarness(
  overrides: Partial<AgentConfig> = {},
  deps: AgentDeps = {},
  { batches = true }: { batches?: boolean } = {},
): Promise<Harness> {
  const controller = new FakeController();
  controller.batches = batches;
  await controller.start();
  const workDir = tempDir('mezzo-agent-');
  const config = defaultConfig({
    workDir,
    controllers: [controller.address],
    cgroupRoot: uniqueCgroupRoot(),
    httpPort: 0,
    usageIntervalSeconds: 0.5,
    updateRetryMinSeconds: 0.2,
    updateRetryMaxSeconds: 2,
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.5,
    killGraceSeconds: 1,
    ...overrides,
  });
  const agent = new Agent(config, deps);
  await agent.start();
  await controller.waitFor(() => agent.isRegistered, 5000, 'agent registration');
  return {
    controller,
    agent,
    workDir,
    config,
    cleanup: async () => {
      await agent.stop();
      await agent.destroyAllTasks();
      await controller.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
