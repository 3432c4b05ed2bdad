/**
 * Task health checks (Mesos HealthCheck with Marathon's knobs): COMMAND (sh -c in the
 * sandbox, exit 0 is healthy), HTTP (GET on 127.0.0.1, 2xx/3xx healthy) and TCP (a
 * connection is healthy). Failures inside the grace period are not counted until the
 * first success ends the grace early. A result is reported on the first check and on
 * every change; `consecutive_failures` failures in a row make the task unhealthy.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { Clock, Timer } from '../shared/clock.js';
import type { HealthCheck__Output as HealthCheck } from '../gen/mezzo/v1/HealthCheck.js';

/** Where and how to check. */
export interface HealthTarget {
  sandbox: string;
  env: Record<string, string>;
  ports: number[];
  uid: number | undefined;
  gid: number | undefined;
}

/** Callbacks. */
export interface HealthListener {
  /** Health changed (or was first established). */
  onChange(healthy: boolean, message: string): void;
  /** consecutive_failures reached (after the grace period). */
  onUnhealthy(message: string): void;
}

/** Runs one task's health check on a timer. */
export class HealthChecker {
  private timer: Timer | undefined;
  private stopped = false;
  private healthy: boolean | undefined;
  private failures = 0;
  private graceOver = false;
  private readonly startedAt: number;

  constructor(
    private readonly check: HealthCheck,
    private readonly target: HealthTarget,
    private readonly clock: Clock,
    private readonly listener: HealthListener,
  ) {
    this.startedAt = clock.now();
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(delayMs, () => {
      void this.runOnce().then(() => {
        this.schedule(Math.max(0.05, this.check.interval_seconds || 10) * 1000);
      });
    });
  }

  private async runOnce(): Promise<void> {
    const timeoutMs = Math.max(0.05, this.check.timeout_seconds || 20) * 1000;
    let ok: boolean;
    let message: string;
    try {
      message = await this.probe(timeoutMs);
      ok = true;
    } catch (err) {
      ok = false;
      message = err instanceof Error ? err.message : String(err);
    }
    if (this.stopped) return;
    const graceMs = this.check.grace_period_seconds * 1000;
    if (ok) {
      this.graceOver = true;
      this.failures = 0;
      if (this.healthy !== true) {
        this.healthy = true;
        this.listener.onChange(true, message);
      }
      return;
    }
    if (!this.graceOver && this.clock.now() - this.startedAt < graceMs) return;
    this.graceOver = true;
    this.failures++;
    if (this.healthy !== false) {
      this.healthy = false;
      this.listener.onChange(false, message);
    }
    const threshold = Math.max(1, this.check.consecutive_failures || 3);
    if (this.failures >= threshold) {
      this.listener.onUnhealthy(
        `health check failed ${String(this.failures)} times in a row: ${message}`,
      );
    }
  }

  private port(): number {
    const p = this.check.port;
    if (p > 0) return p;
    const idx = this.check.port_index;
    const fromTask = this.target.ports[idx];
    if (fromTask === undefined) throw new Error(`task has no port at index ${String(idx)}`);
    return fromTask;
  }

  private probe(timeoutMs: number): Promise<string> {
    switch (this.check.type) {
      case 'COMMAND':
        return this.command(timeoutMs);
      case 'HTTP':
        return this.http(timeoutMs);
      case 'TCP':
        return this.tcp(timeoutMs);
      default:
        return Promise.reject(new Error(`unsupported health check type ${this.check.type}`));
    }
  }

  private command(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = spawn('/bin/sh', ['-c', this.check.command], {
        cwd: this.target.sandbox,
        env: this.target.env,
        stdio: 'ignore',
        detached: true,
        ...(this.target.uid !== undefined ? { uid: this.target.uid } : {}),
        ...(this.target.gid !== undefined ? { gid: this.target.gid } : {}),
      });
      const t = setTimeout(() => {
        try {
          if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
        } catch {
          // gone
        }
        reject(new Error(`command timed out after ${String(timeoutMs)} ms`));
      }, timeoutMs);
      p.on('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      p.on('exit', (code, sig) => {
        clearTimeout(t);
        if (code === 0) resolve('command exited 0');
        else
          reject(new Error(`command exited ${code === null ? `on ${String(sig)}` : String(code)}`));
      });
    });
  }

  private http(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const port = this.port();
      const path = this.check.path || '/';
      const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve(`HTTP ${String(code)}`);
        else reject(new Error(`GET ${path} on port ${String(port)}: HTTP ${String(code)}`));
      });
      req.on('timeout', () => {
        req.destroy(new Error(`GET ${path} timed out after ${String(timeoutMs)} ms`));
      });
      req.on('error', reject);
    });
  }

  private tcp(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const port = this.port();
      const sock = net.connect({ host: '127.0.0.1', port });
      sock.setTimeout(timeoutMs, () => {
        sock.destroy(new Error(`TCP connect to ${String(port)} timed out`));
      });
      sock.once('connect', () => {
        sock.destroy();
        resolve(`TCP ${String(port)} open`);
      });
      sock.once('error', reject);
    });
  }
}
