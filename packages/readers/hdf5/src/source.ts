/**
 * The HDF5 source: every file given becomes part of one dataset (one target collection or
 * partition, as the seed's H2M did), read file by file in blocks of rows, never whole.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  MilvusdmError,
  primaryField,
  type CollectionSchema,
  type ColumnBatch,
  type Column,
  type ReadOptions,
  type ReaderSource,
  type SourceDataset,
} from '@milvusdm/core';
import { Hdf5File } from './h5.js';
import { describeFile, idColumn, vectorColumn, type FileLayout } from './layout.js';
import { SCHEMA_ATTR, describeExtended, readExtendedBlock, type ExtendedLayout } from './extended.js';
import type { Hdf5ReaderOptions } from './options.js';

/** A block of rows is at most this many bytes, whatever batch size was asked for. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/** A file and how to read it: the MilvusDM layout inferred (`layout`) or milvusdm's own (`extended`). */
export type PlannedFile =
  | { readonly path: string; readonly layout: FileLayout; readonly extended?: undefined; readonly rows: number }
  | { readonly path: string; readonly layout?: undefined; readonly extended: ExtendedLayout; readonly rows: number };

/** Options that describe the MilvusDM layout and make no sense for a file that states its schema. */
const PLAIN_ONLY = ['vectors', 'ids', 'vector_type', 'id_field', 'vector_field', 'metric'] as const;

function checkExtendedOptions(path: string, options: Hdf5ReaderOptions, extended: ExtendedLayout): void {
  for (const key of PLAIN_ONLY) {
    const value = options[key];
    if (value === undefined || (key === 'vector_type' && value === 'auto') || (key === 'ids' && value === false)) continue;
    if (key === 'vector_type') {
      // The seed's H2M jobs say float or binary (from their metric): fine when the file agrees.
      const vectors = extended.schema.fields.find((f) => f.type === 'float_vector' || f.type === 'binary_vector');
      if (vectors?.type === `${value}_vector`) continue;
      throw new MilvusdmError(
        'MDM_SCHEMA_MISMATCH',
        `source.vector_type: ${value} vectors were asked for, but ${path} states its schema (attribute "${SCHEMA_ATTR}") and its ${vectors ? `vectors ("${vectors.name}") are ${vectors.type}` : 'fields hold no float or binary vector'}`,
      );
    }
    throw new MilvusdmError(
      'MDM_CONFIG',
      `source.${key}: ${path} states its schema (attribute "${SCHEMA_ATTR}"), which names every field and dataset; source.${key} applies to files without one`,
      { hint: 'Remove it, or set source.file_schema: false to read only the ids and one vector dataset, as MilvusDM did.' },
    );
  }
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
      const attrs = file.rootAttrs();
      if (options.file_schema && attrs[SCHEMA_ATTR] !== undefined) {
        const extended = describeExtended(file, attrs[SCHEMA_ATTR], attrs);
        checkExtendedOptions(path, options, extended);
        planned.push({ path, extended, rows: extended.rows });
      } else {
        const layout = describeFile(file, options);
        checkUnsignedIds(file, layout, path);
        planned.push({ path, layout, rows: layout.vectors.rows });
      }
    } finally {
      file.close();
    }
  }
  const extended = planned.find((p) => p.extended);
  const plain = planned.find((p) => p.layout);
  if (extended && plain) {
    throw new MilvusdmError(
      'MDM_SCHEMA_MISMATCH',
      `${plain.path} has no schema attribute ("${SCHEMA_ATTR}") but ${extended.path} has one: files of one job must share a layout`,
    );
  }
  return planned;
}

/**
 * The datasets the files make. Files milvusdm wrote name their collection and partition: one
 * dataset per pair (unless the job's options set them), each file's schema the same as the
 * others of its dataset. Other files make one dataset, as the seed's H2M did.
 */
export function groupFiles(planned: readonly PlannedFile[], options: Hdf5ReaderOptions): PlannedFile[][] {
  if (!planned[0]?.extended) {
    checkPlainFiles(planned);
    return [[...planned]];
  }
  const groups = new Map<string, PlannedFile[]>();
  for (const p of planned) {
    const key = JSON.stringify([options.collection ?? p.extended!.collection ?? '', options.partition ?? p.extended!.partition ?? '']);
    const group = groups.get(key) ?? [];
    const first = group[0];
    if (first && first.extended!.schemaText !== p.extended!.schemaText) {
      throw new MilvusdmError(
        'MDM_SCHEMA_MISMATCH',
        `${p.path}: its schema (attribute "${SCHEMA_ATTR}") differs from that of ${first.path}, whose rows go to the same collection and partition`,
      );
    }
    group.push(p);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function checkPlainFiles(planned: readonly PlannedFile[]): void {
  const first = planned[0]!;
  for (const p of planned.slice(1)) {
    const a = first.layout!;
    const b = p.layout!;
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
}

export function schemaOf(files: readonly PlannedFile[], options: Hdf5ReaderOptions): CollectionSchema {
  const first = files[0]!;
  if (first.extended) return extendedSchema(first.path, first.extended.schema, options);
  const layout = first.layout;
  const metric = options.metric ?? layout.metric;
  return {
    fields: [
      { name: options.id_field ?? 'id', type: 'int64', isPrimaryKey: true, ...(layout.ids ? {} : { autoId: true }) },
      {
        name: options.vector_field ?? 'embedding',
        type: layout.vectors.kind === 'binary' ? 'binary_vector' : 'float_vector',
        dim: layout.vectors.dim,
        ...(metric ? { metric } : {}),
      },
    ],
  };
}

/** The file's schema; with `ids: false`, its int64 key becomes one the target assigns. */
function extendedSchema(path: string, schema: CollectionSchema, options: Hdf5ReaderOptions): CollectionSchema {
  if (options.ids !== false) return schema;
  const pk = primaryField(schema);
  if (!pk || pk.autoId) return schema;
  if (pk.type !== 'int64')
    throw new MilvusdmError('MDM_CONFIG', `source.ids: false: ${path} has ${pk.type} keys; Milvus assigns int64 keys only`);
  return { ...schema, fields: schema.fields.map((f) => (f === pk ? { ...f, autoId: true } : f)) };
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
    const first = files[0]!;
    this.collection = options.collection ?? first.extended?.collection ?? defaultName(first.path);
    const partition = options.partition ?? (first.extended?.partition !== '_default' ? first.extended?.partition : undefined);
    if (partition) this.partition = partition;
    this.key = `${this.collection}/${partition ?? '_default'}`;
    this.schema = schemaOf(files, options);
    this.origin = files.length === 1 ? `file ${first.path}` : `${files.length} HDF5 files (${first.path}, …)`;
    this.rows = files.reduce((n, f) => n + f.rows, 0);
  }

  async *batches(options: ReadOptions): AsyncGenerator<ColumnBatch> {
    const start = parseCursor(options.resumeFrom, this.files);
    for (let f = start.file; f < this.files.length; f++) {
      const planned = this.files[f]!;
      const { path, layout, extended } = planned;
      const rowBytes = extended ? extended.rowBytes : layout.vectors.rowBytes;
      const blockRows = Math.max(1, Math.min(options.batchRows, Math.floor(MAX_BLOCK_BYTES / rowBytes)));
      // A key the target assigns (ids: false) is not read.
      const skip = new Set(this.schema.fields.filter((x) => x.autoId).map((x) => x.name));
      const file = await Hdf5File.open(path);
      try {
        for (let row = f === start.file ? start.row : 0; row < planned.rows; row += blockRows) {
          const n = Math.min(blockRows, planned.rows - row);
          let columns: Map<string, Column>;
          if (extended) columns = readExtendedBlock(file, extended, row, n, skip);
          else {
            columns = new Map<string, Column>();
            if (layout.ids) {
              columns.set(this.options.id_field ?? 'id', idColumn(layout.ids, file.readRows(layout.ids.dataset, row, n), n, path, row));
            }
            columns.set(
              this.options.vector_field ?? 'embedding',
              vectorColumn(layout.vectors, file.readRows(layout.vectors.dataset, row, n), n),
            );
          }
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
