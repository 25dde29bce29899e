/**
 * The one header every 1.x segment file (`.rv`, `.uid`, `deleted_docs`) has: a little-endian
 * u64 giving the number of payload bytes that follow, and nothing after them. A file shorter
 * than its header says was cut off; a longer one is not what Milvus wrote. Either way the
 * segment cannot be trusted, so both are reported.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { FileProblem, fsProblem } from './problem.js';

export const HEADER_BYTES = 8;

export interface PayloadFile {
  readonly path: string;
  /** Size of the whole file on disk. */
  readonly size: number;
  /** Bytes after the header, as the header announces and the size confirms. */
  readonly payloadBytes: number;
}

/** Checks a header against the file's size; pure, for the 8 header bytes already read. */
export function checkHeader(path: string, size: number, header: Uint8Array): PayloadFile {
  if (size < HEADER_BYTES) throw new FileProblem(path, `is ${size} bytes, too short to hold its 8-byte header`);
  const announced = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getBigUint64(0, true);
  const present = BigInt(size - HEADER_BYTES);
  if (announced > present) {
    throw new FileProblem(path, `is short: its header announces ${announced} bytes but only ${present} follow (truncated?)`);
  }
  if (announced < present) {
    throw new FileProblem(path, `has ${present - announced} bytes more than the ${announced} its header announces`);
  }
  return { path, size, payloadBytes: Number(announced) };
}

/** Reads exactly `into.length` bytes at `position`, or reports the file as shorter than expected. */
export async function readExactly(fh: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0)
      throw new FileProblem(
        path,
        `ended at byte ${position + done}, before the ${into.length} bytes expected at ${position} (changed while reading?)`,
      );
    done += bytesRead;
  }
}

/** Opens a segment file and checks its header against its size. */
export async function readPayloadHeader(path: string): Promise<PayloadFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsProblem(path, e);
  }
  try {
    const { size } = await fh.stat();
    const header = new Uint8Array(HEADER_BYTES);
    if (size >= HEADER_BYTES) await readExactly(fh, header, 0, path);
    return checkHeader(path, size, header);
  } finally {
    await fh.close();
  }
}
