/**
 * Loads the gRPC service definitions from proto/ at run time. The loader options must
 * match scripts/gen-proto.mjs, which generates the TypeScript types in src/gen/ that
 * describe what this loader produces.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { ProtoGrpcType as SchedulerProto } from '../gen/scheduler.js';
import type { ProtoGrpcType as AgentProto } from '../gen/agent.js';

/** Loader options shared with the type generator. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Finds proto/ whether running from src/ (tests via tsc output) or dist/. */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'mezzo/v1/scheduler.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('proto/ directory not found next to the Mezzo installation');
}

function load(file: string): grpc.GrpcObject {
  const def = protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  return grpc.loadPackageDefinition(def);
}

let scheduler: SchedulerProto | undefined;
let agent: AgentProto | undefined;

/** The scheduler API package (`mezzo.v1.Scheduler`). */
export function schedulerProto(): SchedulerProto {
  scheduler ??= load('mezzo/v1/scheduler.proto') as unknown as SchedulerProto;
  return scheduler;
}

/** The agent API package (`mezzo.v1.Agent`). */
export function agentProto(): AgentProto {
  agent ??= load('mezzo/v1/agent.proto') as unknown as AgentProto;
  return agent;
}
