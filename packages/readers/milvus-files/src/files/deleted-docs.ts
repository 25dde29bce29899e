/**
 * `deleted_docs`: int32 row positions (not ids) of deleted rows. Each delete batch appends its
 * offsets, so across batches they are unsorted and may repeat; Milvus sorts and de-duplicates
 * them before use. Here they become a bitmap over the segment's rows: repeats collapse, order
 * does not matter, and skipping a row is one bit test.
 */
import { open } from 'node:fs/promises';
import { HEADER_BYTES, readExactly, type PayloadFile } from './header.js';
import { FileProblem, fsProblem } from './problem.js';

/** Bytes of offsets read at a time: bounded whatever the file's size. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export interface DeletedRows {
  /** Bit k set: row k is deleted. Length ceil(rows / 8). */
  readonly bitmap: Uint8Array;
  /** Distinct deleted rows within the segment. */
  readonly count: number;
  /** Offsets in the file, repeats included. */
  readonly entries: number;
  /** Offsets outside [0, rows): ignored, as Milvus would never match them. */
  readonly outOfRange: number;
}

export function isDeleted(bitmap: Uint8Array, row: number): boolean {
  return (bitmap[row >>> 3]! & (1 << (row & 7))) !== 0;
}

/** Accumulates little-endian int32 offsets into a bitmap; pure. */
export class DeletedRowsBuilder {
  readonly bitmap: Uint8Array;
  private count = 0;
  private entries = 0;
  private outOfRange = 0;

  constructor(readonly rows: number) {
    this.bitmap = new Uint8Array(Math.ceil(rows / 8));
  }

  add(bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.byteLength >>> 2;
    for (let i = 0; i < n; i++) {
      const row = view.getInt32(i * 4, true);
      this.entries++;
      if (row < 0 || row >= this.rows) {
        this.outOfRange++;
        continue;
      }
      const bit = 1 << (row & 7);
      const at = row >>> 3;
      if ((this.bitmap[at]! & bit) === 0) {
        this.bitmap[at]! |= bit;
        this.count++;
      }
    }
  }

  result(): DeletedRows {
    return { bitmap: this.bitmap, count: this.count, entries: this.entries, outOfRange: this.outOfRange };
  }
}

/** Reads a checked `deleted_docs` file into a bitmap over `rows` rows. */
export async function readDeletedRows(file: PayloadFile, rows: number): Promise<DeletedRows> {
  if (file.payloadBytes % 4 !== 0) {
    throw new FileProblem(file.path, `holds ${file.payloadBytes} bytes of offsets, not a whole number of 4-byte int32 offsets`);
  }
  const builder = new DeletedRowsBuilder(rows);
  if (file.payloadBytes === 0) return builder.result();
  let fh;
  try {
    fh = await open(file.path, 'r');
  } catch (e) {
    throw fsProblem(file.path, e);
  }
  try {
    const chunk = new Uint8Array(Math.min(CHUNK_BYTES, file.payloadBytes));
    for (let done = 0; done < file.payloadBytes;) {
      const n = Math.min(chunk.length, file.payloadBytes - done);
      const part = chunk.subarray(0, n);
      await readExactly(fh, part, HEADER_BYTES + done, file.path);
      builder.add(part);
      done += n;
    }
  } finally {
    await fh.close();
  }
  return builder.result();
}

/** No deletes: what a segment without a deleted_docs file has. */
export function noDeletedRows(rows: number): DeletedRows {
  return new DeletedRowsBuilder(rows).result();
}
