/**
 * One live segment: finding its files from the meta row, and checking them before anything is
 * read, so a broken segment stops the job before the first row is written.
 *
 * The raw files are named after the file_id of the row that created the segment, which is the
 * segment_id; Milvus's own reader just takes any `*.rv`/`*.uid` in the folder. So: prefer
 * `<segment_id>.rv`, then `<file_id>.rv`, then the only `.rv` present.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetaSegment } from '@milvusdm/reader-milvus-meta';
import { readPayloadHeader, type PayloadFile } from './header.js';
import { noDeletedRows, readDeletedRows } from './deleted-docs.js';
import { FileProblem, fsProblem } from './problem.js';

export const DELETED_DOCS = 'deleted_docs';

export interface SegmentFiles {
  readonly rv: string;
  readonly uid: string;
  /** Undefined when the folder has no deleted_docs (no deletes). */
  readonly deletedDocs: string | undefined;
}

/** A live segment whose files agree with each other; what reading it will yield. */
export interface CheckedSegment {
  readonly meta: MetaSegment;
  readonly dir: string;
  readonly rv: PayloadFile;
  readonly uid: PayloadFile;
  readonly deletedDocs: PayloadFile | undefined;
  /** Rows written in the files (deleted ones included). */
  readonly rows: number;
  /** Distinct rows deleted. */
  readonly deletedRows: number;
  /** Offsets in deleted_docs outside the segment (ignored). */
  readonly outOfRangeDeletes: number;
  /** Rows reading will yield. */
  readonly liveRows: number;
}

function pick(names: readonly string[], dir: string, ext: string, preferred: readonly string[]): string {
  for (const base of preferred) if (base && names.includes(`${base}${ext}`)) return join(dir, `${base}${ext}`);
  const found = names.filter((n) => n.endsWith(ext));
  if (found.length === 1) return join(dir, found[0]!);
  if (found.length === 0) return join(dir, `${preferred[0]}${ext}`);
  throw new FileProblem(dir, `holds several ${ext} files (${found.join(', ')}) and none is named ${preferred[0]}${ext}`);
}

export async function locateSegmentFiles(dir: string, meta: MetaSegment): Promise<SegmentFiles> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const p = fsProblem(dir, e);
    throw p.problem === 'is missing' ? new FileProblem(dir, 'is missing (the segment folder the meta names)') : p;
  }
  const preferred = [meta.segmentId, meta.fileId];
  return {
    rv: pick(names, dir, '.rv', preferred),
    uid: pick(names, dir, '.uid', preferred),
    deletedDocs: names.includes(DELETED_DOCS) ? join(dir, DELETED_DOCS) : undefined,
  };
}

/**
 * Checks a segment's headers and sizes: the .uid holds whole int64 ids, the .rv exactly one
 * vector of `vectorBytes` per id, deleted_docs whole int32 offsets. Counts its live rows.
 */
export async function checkSegment(dir: string, meta: MetaSegment, vectorBytes: number): Promise<CheckedSegment> {
  const files = await locateSegmentFiles(dir, meta);
  const uid = await readPayloadHeader(files.uid);
  if (uid.payloadBytes % 8 !== 0)
    throw new FileProblem(uid.path, `holds ${uid.payloadBytes} bytes of ids, not a whole number of 8-byte ids`);
  const rows = uid.payloadBytes / 8;
  const rv = await readPayloadHeader(files.rv);
  if (rv.payloadBytes !== rows * vectorBytes) {
    const whole = rv.payloadBytes % vectorBytes === 0;
    throw new FileProblem(
      rv.path,
      whole
        ? `holds ${rv.payloadBytes / vectorBytes} vectors of ${vectorBytes} bytes but ${uid.path} holds ${rows} ids`
        : `holds ${rv.payloadBytes} bytes, not a whole number of ${vectorBytes}-byte vectors (${rows} expected from ${uid.path})`,
    );
  }
  const deletedDocs = files.deletedDocs ? await readPayloadHeader(files.deletedDocs) : undefined;
  const deleted = deletedDocs ? await readDeletedRows(deletedDocs, rows) : noDeletedRows(rows);
  return {
    meta,
    dir,
    rv,
    uid,
    deletedDocs,
    rows,
    deletedRows: deleted.count,
    outOfRangeDeletes: deleted.outOfRange,
    liveRows: rows - deleted.count,
  };
}
