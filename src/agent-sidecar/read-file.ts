/**
 * The agent's answer to the controller's read_file: a bounded slice of a file in a task's
 * sandbox. Paths are resolved against the sandbox and refused if they escape it, because
 * the request comes from the network.
 */
import { promises as fsp } from 'node:fs';
import { resolve as resolvePath, sep } from 'node:path';
import { describeError } from '../shared/errors.js';
import type { ReadFile__Output } from '../gen/mezzo/v1/ReadFile.js';

/** At most this many bytes per answer, whatever the request asks for. */
const MAX_READ_BYTES = 4 << 20;

/** The file_data payload answering one read_file request. */
export interface FileDataReply {
  request_id: number;
  data: Buffer;
  offset: number;
  eof: boolean;
  error: string;
}

/**
 * Reads `req` from `sandbox` (undefined when the task is unknown); never throws — errors
 * go back to the controller in the reply's `error`.
 */
export async function readSandboxFile(
  sandbox: string | undefined,
  req: ReadFile__Output,
): Promise<FileDataReply> {
  const reply = (data: Buffer, eof: boolean, error = ''): FileDataReply => ({
    request_id: req.request_id,
    data,
    offset: req.offset,
    eof,
    error,
  });
  if (sandbox === undefined) return reply(Buffer.alloc(0), true, `unknown task ${req.task_id}`);
  const path = resolvePath(sandbox, req.path || 'stdout');
  if (path !== sandbox && !path.startsWith(sandbox + sep)) {
    return reply(Buffer.alloc(0), true, 'path escapes the sandbox');
  }
  const length = Math.min(req.length > 0 ? req.length : 1 << 20, MAX_READ_BYTES);
  try {
    const fh = await fsp.open(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, req.offset);
      const size = (await fh.stat()).size;
      return reply(buf.subarray(0, bytesRead), req.offset + bytesRead >= size);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return reply(Buffer.alloc(0), true, describeError(err));
  }
}
