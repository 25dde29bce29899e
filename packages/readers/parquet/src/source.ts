/**
 * The Parquet source. Files milvusdm wrote carry their collection and partition: they are
 * grouped into one dataset per partition, as they were written. Other files (or all, when
 * `collection` is given) form one dataset. Each dataset is read file by file and row group by
 * row group, never whole; its row count comes from the footers.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import {
  MilvusdmError,
  schemaToJson,
  sliceBatch,
  type CollectionSchema,
  type Column,
  type ColumnBatch,
  type ReadOptions,
  type ReaderSource,
  type SourceDataset,
} from '@milvusdm/core';
import { decodeColumn } from './decode.js';
import type { ParquetReaderOptions } from './options.js';
import { ParquetInput, type ParquetFooter } from './parquet-file.js';
import { META, inferSchema, storedSchema } from './schema.js';

export interface PlannedFile {
  readonly path: string;
  readonly footer: ParquetFooter;
  readonly schema: CollectionSchema;
  readonly collection?: string;
  readonly partition?: string;
}

/** Where reading stopped: the file (by index and path, to catch a changed file list) and the row in it. */
interface ParquetCursor {
  readonly file: number;
  readonly path: string;
  readonly row: number;
}

function defaultName(path: string): string {
  const stem = basename(path, extname(path));
  const name = (/^part-\d+$/.test(stem) ? basename(dirname(path)) : stem).replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

export async function planFile(path: string, options: ParquetReaderOptions): Promise<PlannedFile> {
  const input = await ParquetInput.open(path);
  try {
    const { footer } = input;
    let schema = storedSchema(footer.metadata, path);
    if (!schema) {
      // Variable-length lists give their dimension only in the rows: the first few are read.
      const group = footer.rowGroups.findIndex((n) => n > 0);
      const sample = group >= 0 ? await input.readRowGroup(group, 16) : undefined;
      schema = inferSchema(footer.schema, sample, options, path);
    }
    const collection = footer.metadata.get(META.collection);
    const partition = footer.metadata.get(META.partition);
    return { path, footer, schema, ...(collection ? { collection } : {}), ...(partition ? { partition } : {}) };
  } finally {
    input.close();
  }
}

/** Files grouped into datasets: by the collection and partition stored in them, unless the options name one. */
export function groupFiles(files: readonly PlannedFile[], options: ParquetReaderOptions): ParquetDataset[] {
  const groups = new Map<string, { collection: string; partition?: string; files: PlannedFile[] }>();
  for (const file of files) {
    const collection = options.collection ?? file.collection ?? defaultName(files[0]!.path);
    const stored = file.partition && file.partition !== '_default' ? file.partition : undefined;
    const partition = options.partition ?? (options.collection ? undefined : stored);
    const key = `${collection}/${partition ?? '_default'}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { collection, ...(partition ? { partition } : {}), files: [] }));
    group.files.push(file);
  }
  return [...groups.values()].map((g) => new ParquetDataset(g.files, g.collection, g.partition));
}

function parseCursor(cursor: unknown, files: readonly PlannedFile[]): { file: number; row: number } {
  if (cursor === undefined) return { file: 0, row: 0 };
  const c = cursor as Partial<ParquetCursor>;
  if (typeof c.file !== 'number' || typeof c.row !== 'number' || files[c.file]?.path !== c.path) {
    throw new MilvusdmError('MDM_SOURCE', 'the resume position does not match the files of this job (were files added or renamed?)');
  }
  return { file: c.file, row: c.row };
}

export class ParquetDataset implements SourceDataset {
  readonly key: string;
  readonly schema: CollectionSchema;
  readonly origin: string;
  readonly rows: number;
  readonly partition?: string;

  constructor(
    private readonly files: readonly PlannedFile[],
    readonly collection: string,
    partition: string | undefined,
  ) {
    if (partition) this.partition = partition;
    this.key = `${collection}/${partition ?? '_default'}`;
    const first = files[0]!;
    this.schema = first.schema;
    this.origin = files.length === 1 ? `file ${first.path}` : `${files.length} Parquet files (${first.path}, …)`;
    const want = schemaToJson(first.schema);
    for (const f of files.slice(1)) {
      if (schemaToJson(f.schema) !== want) {
        throw new MilvusdmError(
          'MDM_SCHEMA_MISMATCH',
          `${f.path}: its fields differ from those of ${first.path}; they cannot be read as one dataset`,
          {
            hint: 'Read them in separate jobs, or name one file or folder per job.',
          },
        );
      }
    }
    this.rows = files.reduce((n, f) => n + f.footer.rows, 0);
  }

  /**
   * The files, in reading order, with their rows: the Milvus writer's import path hands them to
   * the server as they are (`milvusdm restore --method import`), since milvusdm's own files are
   * in the layout bulk import reads.
   */
  get parquetFiles(): readonly { path: string; rows: number }[] {
    return this.files.map((f) => ({ path: f.path, rows: f.footer.rows }));
  }

  /** The fields each batch carries: the schema's (server-assigned keys left out), then `$meta`. */
  private get stored() {
    const fields = this.schema.fields.filter((f) => !f.autoId);
    if (this.schema.enableDynamicField) fields.push({ name: '$meta', type: 'json' });
    return fields;
  }

  async *batches(options: ReadOptions): AsyncGenerator<ColumnBatch> {
    const start = parseCursor(options.resumeFrom, this.files);
    const fields = this.stored;
    for (let f = start.file; f < this.files.length; f++) {
      const { path, footer } = this.files[f]!;
      const skip = f === start.file ? start.row : 0;
      const input = await ParquetInput.open(path);
      try {
        let groupStart = 0;
        for (let g = 0; g < footer.rowGroups.length; g++) {
          const groupRows = footer.rowGroups[g]!;
          const groupEnd = groupStart + groupRows;
          if (groupEnd <= skip || groupRows === 0) {
            groupStart = groupEnd;
            continue;
          }
          let row = groupStart;
          for await (const record of input.streamRowGroup(g, options.batchRows)) {
            const columns = new Map<string, Column>();
            for (const field of fields) {
              const data = record.getChild(field.name)?.data[0];
              if (!data) throw new MilvusdmError('MDM_SOURCE', `${path}: has no column "${field.name}"`);
              columns.set(field.name, decodeColumn(field, data, { path, firstRow: row }));
            }
            const whole: ColumnBatch = { numRows: record.numRows, columns };
            for (let s = Math.max(0, skip - row); s < record.numRows; s += options.batchRows) {
              const e = Math.min(record.numRows, s + options.batchRows);
              const cursor: ParquetCursor = { file: f, path, row: row + e };
              yield { ...sliceBatch(whole, s, e), cursor };
            }
            row += record.numRows;
          }
          if (row !== groupEnd)
            throw new MilvusdmError('MDM_SOURCE', `${path}: row group ${g} holds ${row - groupStart} rows, its footer says ${groupRows}`);
          groupStart = groupEnd;
        }
      } finally {
        input.close();
      }
    }
  }
}

export class ParquetSource implements ReaderSource {
  constructor(
    readonly datasets: readonly SourceDataset[],
    private readonly paths: readonly string[],
  ) {}

  /** Size and modification time of every file: a resumed run's cursors are only valid for the same files. */
  async fingerprint(): Promise<Record<string, unknown>> {
    const files: Record<string, unknown> = {};
    for (const path of this.paths) {
      const s = await stat(path);
      files[path] = { size: s.size, mtime: s.mtimeMs };
    }
    return { files };
  }

  async close(): Promise<void> {}
}
