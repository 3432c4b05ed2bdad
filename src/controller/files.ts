/**
 * Sandbox file reads for `mezzo logs`: the controller asks the task's agent over its
 * stream (read_file) and matches the answer (file_data) by request ID, with a timeout so
 * a lost agent cannot hang an HTTP request. Only the agent asked may answer: request IDs
 * are sequential, so any other registered agent could guess one and put its own bytes in
 * another task's logs.
 */
import type { Clock, Timer } from '../shared/clock.js';
import type { FileData__Output } from '../gen/mezzo/v1/FileData.js';
import type { AgentRecord } from './records.js';

/** A slice of a sandbox file. */
export interface FileSlice {
  data: Buffer;
  offset: number;
  eof: boolean;
}

/** Outstanding reads. */
export class FileReads {
  private seq = 1;
  private readonly pending = new Map<
    number,
    { agentId: string; resolve: (d: FileData__Output) => void; timer: Timer }
  >();

  constructor(private readonly clock: Clock) {}

  /** Reads `length` bytes at `offset` of `path` ("stdout", "stderr") in a task's sandbox. */
  read(
    agent: AgentRecord,
    taskId: string,
    path: string,
    offset: number,
    length: number,
    timeoutMs = 5_000,
  ): Promise<FileSlice> {
    const stream = agent.stream;
    if (!stream || agent.state !== 'active')
      return Promise.reject(new Error(`agent ${agent.id} is not connected`));
    const id = this.seq++;
    return new Promise<FileSlice>((resolve, reject) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(new Error(`agent ${agent.id} did not answer the read within ${timeoutMs} ms`));
      });
      this.pending.set(id, {
        agentId: agent.id,
        timer,
        resolve: (d) => {
          if (d.error) reject(new Error(d.error));
          else resolve({ data: d.data, offset: d.offset, eof: d.eof });
        },
      });
      stream.write({ read_file: { request_id: id, task_id: taskId, path, offset, length } });
    });
  }

  /**
   * Delivers the answer agent `from` sent; an answer to a read asked of another agent is
   * dropped (returns false) and the read waits for its own agent.
   */
  answer(from: string, d: FileData__Output): boolean {
    const p = this.pending.get(d.request_id);
    if (!p || p.agentId !== from) return false;
    p.timer.cancel();
    this.pending.delete(d.request_id);
    p.resolve(d);
    return true;
  }
}
