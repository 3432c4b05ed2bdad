/**
 * The flooding framework of bench/flood, in its own process: subscribes over gRPC, reads
 * its event stream (counting, keeping nothing), then makes one kind of scheduler call from
 * `concurrency` loops, each awaiting its answer, for `seconds`. Prints one JSON line:
 * calls answered, those refused by status code, events read.
 * Arguments: ADDRESS TOKEN KIND CONCURRENCY SECONDS.
 */
import * as grpc from '@grpc/grpc-js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { schedulerProto } from '../../../src/shared/proto.js';
import type { Event__Output } from '../../../src/gen/mezzo/v1/Event.js';

/** What one flood call sends. */
export type FloodKind = 'revive' | 'reconcile';

/** Tasks named by each reconciliation of the `reconcile` flood (none of them exist). */
export const RECONCILE_TASKS = 10_000;

async function main(): Promise<void> {
  const [address = '', token = '', kind = 'revive', concurrency = '64', seconds = '10'] =
    process.argv.slice(2);
  const proto = schedulerProto();
  const client = new proto.mezzo.v1.Scheduler(
    address,
    grpc.credentials.createInsecure(),
    authenticatedOptions(CLIENT_OPTIONS, { token }),
  );
  const sub = client.Subscribe({
    framework_info: {
      name: 'flood',
      user: 'nobody',
      roles: ['flood'],
      failover_timeout_seconds: 60,
    },
  });
  let events = 0;
  const header = await new Promise<{ framework_id: string; stream_id: string }>((resolve) => {
    sub.on('data', (e: Event__Output) => {
      events++;
      if (e.type === 'SUBSCRIBED' && e.subscribed)
        resolve({ framework_id: e.subscribed.framework_id, stream_id: e.subscribed.stream_id });
    });
  });
  sub.on('error', () => undefined);
  const tasks = Array.from({ length: RECONCILE_TASKS }, (_, i) => ({
    task_id: `ghost-${String(i)}`,
    agent_id: '',
  }));
  let calls = 0;
  const refused: Record<string, number> = {};
  const end = Date.now() + Number(seconds) * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const done = (err: grpc.ServiceError | null) => {
        calls++;
        if (err) refused[grpc.status[err.code]] = (refused[grpc.status[err.code]] ?? 0) + 1;
        resolve();
      };
      if (kind === 'reconcile') client.Reconcile({ header, tasks }, done);
      else client.Revive({ header, roles: [] }, done);
    });
  const loop = async () => {
    while (Date.now() < end) await one();
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, loop));
  process.stdout.write(`${JSON.stringify({ calls, refused, events })}\n`);
  sub.cancel();
  client.close();
}

await main();
