/**
 * Streams one checked segment in blocks of rows: reads a block of ids from the .uid and the
 * same rows from the .rv at their offsets, drops the deleted rows in place, and hands out the
 * surviving ids (as int64) and vector bytes. Memory is one block, whatever the segment's size.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { MilvusdmError } from '@milvusdm/core';
import { isDeleted, noDeletedRows, readDeletedRows, type DeletedRows } from './deleted-docs.js';
import { HEADER_BYTES, readExactly, type PayloadFile } from './header.js';
import { FileProblem, fsProblem } from './problem.js';
import type { CheckedSegment } from './segment.js';

export interface SegmentBlock {
  /** Ids of the surviving rows. */
  readonly ids: BigInt64Array;
  /** Their vectors, row-major, `vectorBytes` each; 4-byte aligned (a fresh buffer). */
  readonly vectors: Uint8Array;
  readonly rows: number;
  /** Physical row after this block: where reading resumes. */
  readonly nextRow: number;
}

/** The .uid holds little-endian int64s; they become a BigInt64Array without a per-value copy. */
function assertLittleEndian(): void {
  if (endianness() !== 'LE') {
    throw new MilvusdmError('MDM_UNSUPPORTED', 'the milvus1x reader needs a little-endian machine (Milvus 1.x wrote little-endian files)');
  }
}

/**
 * Moves the rows of [0, count) not deleted to the front, keeping their order; returns how many.
 * Works on runs of consecutive live rows, so a block with few deletes costs a few memmoves.
 */
export function compactRows(
  bitmap: Uint8Array,
  firstRow: number,
  count: number,
  ids: Uint8Array,
  vectors: Uint8Array,
  vectorBytes: number,
): number {
  let kept = 0;
  let k = 0;
  while (k < count) {
    while (k < count && isDeleted(bitmap, firstRow + k)) k++;
    const start = k;
    while (k < count && !isDeleted(bitmap, firstRow + k)) k++;
    if (k > start) {
      if (kept !== start) {
        ids.copyWithin(kept * 8, start * 8, k * 8);
        vectors.copyWithin(kept * vectorBytes, start * vectorBytes, k * vectorBytes);
      }
      kept += k - start;
    }
  }
  return kept;
}

/** The file must still be the one checked at open: a running Milvus may merge or delete it. */
async function sameAsChecked(file: PayloadFile, segmentId: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file.path)).size;
  } catch (e) {
    throw fsProblem(file.path, e);
  }
  if (size !== file.size) {
    throw new FileProblem(
      file.path,
      `is ${size} bytes now but was ${file.size} when the job started (is Milvus still running on segment ${segmentId}?)`,
    );
  }
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw fsProblem(path, e);
  }
}

export async function* readSegment(
  segment: CheckedSegment,
  vectorBytes: number,
  fromRow: number,
  blockRows: number,
): AsyncGenerator<SegmentBlock> {
  assertLittleEndian();
  const { meta } = segment;
  await sameAsChecked(segment.uid, meta.segmentId);
  await sameAsChecked(segment.rv, meta.segmentId);
  let deleted: DeletedRows;
  if (segment.deletedDocs) {
    await sameAsChecked(segment.deletedDocs, meta.segmentId);
    deleted = await readDeletedRows(segment.deletedDocs, segment.rows);
  } else deleted = noDeletedRows(segment.rows);
  if (deleted.count !== segment.deletedRows) {
    throw new FileProblem(
      segment.deletedDocs?.path ?? segment.dir,
      `now lists ${deleted.count} deleted rows, ${segment.deletedRows} when the job started`,
    );
  }
  const anyDeleted = deleted.count > 0;
  const uid = await openFile(segment.uid.path);
  let rv: FileHandle;
  try {
    rv = await openFile(segment.rv.path);
  } catch (e) {
    await uid.close();
    throw e;
  }
  try {
    for (let row = fromRow; row < segment.rows; row += blockRows) {
      const count = Math.min(blockRows, segment.rows - row);
      // Fresh buffers per block: the batch owns them while it waits in the pipeline.
      const idBytes = new Uint8Array(count * 8);
      const vectors = new Uint8Array(count * vectorBytes);
      // Both files read side by side on libuv's threads (one after the other, the run waited on each).
      await Promise.all([
        readExactly(uid, idBytes, HEADER_BYTES + row * 8, segment.uid.path),
        readExactly(rv, vectors, HEADER_BYTES + row * vectorBytes, segment.rv.path),
      ]);
      const kept = anyDeleted ? compactRows(deleted.bitmap, row, count, idBytes, vectors, vectorBytes) : count;
      yield {
        ids: new BigInt64Array(idBytes.buffer, 0, kept),
        vectors: vectors.subarray(0, kept * vectorBytes),
        rows: kept,
        nextRow: row + count,
      };
    }
  } finally {
    await uid.close();
    await rv.close();
  }
}
