/**
 * write(2) may write fewer bytes than it was given without failing: a disk that fills up takes
 * what fits, and only the next write reports ENOSPC. Node hands that count back; a caller that
 * ignores it leaves a file cut short and believes it whole (seen: a Parquet part cut at the
 * disk's last byte, the run reporting success). These write every byte or throw.
 */
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** A write that took no byte of a non-empty buffer: no progress is possible; reported as a write error. */
function stalled(): NodeJS.ErrnoException {
  return Object.assign(new Error('write took no bytes'), { code: 'EIO', syscall: 'write' });
}

/** Writes all of `bytes` to `fd`, at `position` (else at the file's current offset). */
export function writeFullySync(fd: number, bytes: Uint8Array, position?: number): void {
  for (let done = 0; done < bytes.length;) {
    const n = writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
    if (n <= 0) throw stalled();
    done += n;
  }
}

/** Writes all of `bytes` to `handle` at its current offset. */
export async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw stalled();
    done += bytesWritten;
  }
}
