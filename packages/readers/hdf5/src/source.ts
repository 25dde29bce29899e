/**
 * The HDF5 source: every file given becomes part of one dataset (one target collection or
 * partition, as the seed's H2M did), read file by file in blocks of rows, never whole.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  MilvusdmError,
  type CollectionSchema,
  type ColumnBatch,
  type Column,
  type ReadOptions,
  type ReaderSource,
  type SourceDataset,
} from '@milvusdm/core';
import { Hdf5File } from './h5.js';
import { describeFile, idColumn, vectorColumn, type FileLayout } from './layout.js';
import type { Hdf5ReaderOptions } from './options.js';

/** A block of rows is at most this many bytes, whatever batch size was asked for. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

interface PlannedFile {
  readonly path: string;
  readonly layout: FileLayout;
}

/** Where reading stopped: the file (by index and path, to catch a changed file list) and the row. */
interface Hdf5Cursor {
  readonly file: number;
  readonly path: string;
  readonly row: number;
}

function defaultName(path: string): string {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `_${stem}`;
}

/**
 * uint64 ids above 2^63 − 1 do not fit a Milvus key. The ids are 8 bytes a row, cheap to scan
 * next to the vectors, so a uint64 ids dataset is checked whole before anything is written
 * rather than failing half-way through a run.
 */
function checkUnsignedIds(file: Hdf5File, layout: FileLayout, path: string): void {
  const ids = layout.ids;
  if (!ids || ids.dataset.size !== 8 || ids.dataset.signed) return;
  const chunk = 1 << 20;
  for (let start = 0; start < ids.rows; start += chunk) {
    const n = Math.min(chunk, ids.rows - start);
    const bytes = file.readRows(ids.dataset, start, n);
    for (let i = 0; i < n; i++) {
      // Little-endian: the top bit of the last byte is 2^63.
      if (bytes[i * 8 + 7]! & 0x80) idColumn(ids, bytes.subarray(i * 8, i * 8 + 8), 1, path, start + i);
    }
  }
}

export async function planFiles(paths: readonly string[], options: Hdf5ReaderOptions): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const path of paths) {
    const file = await Hdf5File.open(path);
    try {
      const layout = describeFile(file, options);
      checkUnsignedIds(file, layout, path);
      planned.push({ path, layout });
    } finally {
      file.close();
    }
  }
  const first = planned[0]!;
  for (const p of planned.slice(1)) {
    const a = first.layout;
    const b = p.layout;
    if (a.vectors.kind !== b.vectors.kind || a.vectors.dim !== b.vectors.dim) {
      throw new MilvusdmError(
        'MDM_SCHEMA_MISMATCH',
        `${p.path}: ${b.vectors.kind} vectors of dimension ${b.vectors.dim}, but ${first.path} has ${a.vectors.kind} vectors of dimension ${a.vectors.dim}`,
      );
    }
    if (!!a.ids !== !!b.ids) {
      throw new MilvusdmError(
        'MDM_SCHEMA_MISMATCH',
        `${p.path} ${b.ids ? 'has' : 'has no'} ids dataset but ${first.path} ${a.ids ? 'has' : 'has none'}: ids would be mixed`,
      );
    }
  }
  return planned;
}

export function schemaOf(files: readonly PlannedFile[], options: Hdf5ReaderOptions): CollectionSchema {
  const layout = files[0]!.layout;
  const metric = options.metric ?? layout.metric;
  return {
    fields: [
      { name: options.id_field, type: 'int64', isPrimaryKey: true, ...(layout.ids ? {} : { autoId: true }) },
      {
        name: options.vector_field,
        type: layout.vectors.kind === 'binary' ? 'binary_vector' : 'float_vector',
        dim: layout.vectors.dim,
        ...(metric ? { metric } : {}),
      },
    ],
  };
}

function parseCursor(cursor: unknown, files: readonly PlannedFile[]): { file: number; row: number } {
  if (cursor === undefined) return { file: 0, row: 0 };
  const c = cursor as Partial<Hdf5Cursor>;
  if (typeof c.file !== 'number' || typeof c.row !== 'number' || files[c.file]?.path !== c.path) {
    throw new MilvusdmError('MDM_SOURCE', 'the resume position does not match the files of this job (were files added or renamed?)');
  }
  return { file: c.file, row: c.row };
}

export class Hdf5Dataset implements SourceDataset {
  readonly key: string;
  readonly collection: string;
  readonly partition?: string;
  readonly schema: CollectionSchema;
  readonly origin: string;
  readonly rows: number;

  constructor(
    private readonly files: readonly PlannedFile[],
    private readonly options: Hdf5ReaderOptions,
  ) {
    this.collection = options.collection ?? defaultName(files[0]!.path);
    if (options.partition) this.partition = options.partition;
    this.key = `${this.collection}/${options.partition ?? '_default'}`;
    this.schema = schemaOf(files, options);
    this.origin = files.length === 1 ? `file ${files[0]!.path}` : `${files.length} HDF5 files (${files[0]!.path}, …)`;
    this.rows = files.reduce((n, f) => n + f.layout.vectors.rows, 0);
  }

  async *batches(options: ReadOptions): AsyncGenerator<ColumnBatch> {
    const start = parseCursor(options.resumeFrom, this.files);
    for (let f = start.file; f < this.files.length; f++) {
      const { path, layout } = this.files[f]!;
      const blockRows = Math.max(1, Math.min(options.batchRows, Math.floor(MAX_BLOCK_BYTES / layout.vectors.rowBytes)));
      const file = await Hdf5File.open(path);
      try {
        for (let row = f === start.file ? start.row : 0; row < layout.vectors.rows; row += blockRows) {
          const n = Math.min(blockRows, layout.vectors.rows - row);
          const columns = new Map<string, Column>();
          if (layout.ids) {
            columns.set(this.options.id_field, idColumn(layout.ids, file.readRows(layout.ids.dataset, row, n), n, path, row));
          }
          columns.set(this.options.vector_field, vectorColumn(layout.vectors, file.readRows(layout.vectors.dataset, row, n), n));
          const cursor: Hdf5Cursor = { file: f, path, row: row + n };
          yield { numRows: n, columns, cursor };
        }
      } finally {
        file.close();
      }
    }
  }
}

export class Hdf5Source implements ReaderSource {
  constructor(
    readonly datasets: readonly SourceDataset[],
    private readonly paths: readonly string[] = [],
  ) {}

  /** Size and modification time of every file: a resumed run's cursors are only valid for the same files. */
  async fingerprint(): Promise<Record<string, unknown>> {
    return fileFingerprint(this.paths);
  }

  async close(): Promise<void> {}
}

export async function fileFingerprint(paths: readonly string[]): Promise<Record<string, unknown>> {
  const files: Record<string, unknown> = {};
  for (const path of paths) {
    const s = await stat(path);
    files[path] = { size: s.size, mtime: s.mtimeMs };
  }
  return { files };
}
