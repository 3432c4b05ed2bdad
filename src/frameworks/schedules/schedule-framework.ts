/**
 * The schedules framework: manages Schedule objects (Chronos-style jobs). Scaffold: it registers and
 * suppresses offers; the behaviour lands with its issue.
 */
import { SchedulerClient } from '../../sdk/scheduler-client.js';
import type { BuiltinFramework, BuiltinFrameworkOptions } from '../builtin.js';

/** The schedules framework. */
export class ScheduleFramework implements BuiltinFramework {
  private readonly client: SchedulerClient;

  constructor(opts: BuiltinFrameworkOptions) {
    this.client = new SchedulerClient({
      address: opts.address,
      framework: {
        id: opts.frameworkId ?? '',
        name: 'schedules',
        user: 'nobody',
        roles: ['default'],
        failover_timeout_seconds: 7 * 24 * 3600,
        checkpoint: true,
      },
    });
  }

  get id(): string {
    return this.client.id;
  }

  async start(): Promise<void> {
    await this.client.start();
    await this.client.suppress();
  }

  stop(): void {
    this.client.close();
  }
}
