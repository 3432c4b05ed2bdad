/**
 * The agent's answer to the controller's read_file: a bounded slice of a file in a task's
 * sandbox. The request comes from the network and the sandbox belongs to the task, which
 * may have replaced any of its files with a symlink or a hard link to something outside
 * (`/etc/shadow`) while the agent reads as root. So a read opens only a regular file that
 * lies inside the sandbox: the path may hold no `..`, no component may be a symlink, the
 * last is opened with O_NOFOLLOW, and the opened file's own path (/proc/self/fd) must lie
 * in the sandbox's real path, which also defeats a directory swapped for a symlink between
 * the checks and the open.
 */
import { constants, promises as fsp } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
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

/** The task whose sandbox is read: its directory and the uid it runs as (undefined: root). */
export interface SandboxOwner {
  sandbox: string;
  uid: number | undefined;
}

/** A refused read: why, for the reply's error. */
class RefusedRead extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedRead';
  }
}

/** Components of a request path relative to the sandbox; refuses absolute paths and `..`. */
function components(path: string): string[] {
  if (isAbsolute(path)) throw new RefusedRead('absolute paths are refused');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new RefusedRead('".." is refused: the path escapes the sandbox');
  if (parts.length === 0) throw new RefusedRead('the path names no file');
  return parts;
}

/** Opens `path` under `sandbox` read-only, refusing anything that is not a file inside it. */
async function openInside(owner: SandboxOwner, path: string): Promise<fsp.FileHandle> {
  const parts = components(path);
  const root = await fsp.realpath(owner.sandbox);
  let at = root;
  for (const part of parts.slice(0, -1)) {
    at = join(at, part);
    const st = await fsp.lstat(at);
    if (st.isSymbolicLink()) throw new RefusedRead(`${path}: a symlink in the path is refused`);
    if (!st.isDirectory()) throw new RefusedRead(`${path}: ${part} is not a directory`);
  }
  const file = join(at, parts[parts.length - 1] ?? '');
  let fh: fsp.FileHandle;
  try {
    // O_NONBLOCK: a FIFO the task left in the place of a file must not hang the agent.
    fh = await fsp.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new RefusedRead(`${path} is a symlink; refused`);
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new RefusedRead(`${path} is not a regular file`);
    // A hard link to another user's file would be read with the agent's rights (the
    // kernel's protected_hardlinks stops most; this does not rely on it).
    if (st.nlink > 1 && owner.uid !== undefined && st.uid !== owner.uid)
      throw new RefusedRead(`${path} is a hard link to a file the task does not own`);
    const real = await fsp.readlink(`/proc/self/fd/${String(fh.fd)}`);
    if (!real.startsWith(root + sep)) throw new RefusedRead(`${path} lies outside the sandbox`);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Reads `req` from the task's sandbox (undefined when the task is unknown); never throws —
 * errors go back to the controller in the reply's `error`.
 */
export async function readSandboxFile(
  owner: SandboxOwner | undefined,
  req: ReadFile__Output,
): Promise<FileDataReply> {
  const reply = (data: Buffer, eof: boolean, error = ''): FileDataReply => ({
    request_id: req.request_id,
    data,
    offset: req.offset,
    eof,
    error,
  });
  if (owner === undefined) return reply(Buffer.alloc(0), true, `unknown task ${req.task_id}`);
  const length = Math.min(req.length > 0 ? req.length : 1 << 20, MAX_READ_BYTES);
  try {
    const fh = await openInside(owner, req.path || 'stdout');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, req.offset);
      const size = (await fh.stat()).size;
      return reply(buf.subarray(0, bytesRead), req.offset + bytesRead >= size);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return reply(
      Buffer.alloc(0),
      true,
      err instanceof RefusedRead ? err.message : describeError(err),
    );
  }
}
