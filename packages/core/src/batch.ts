/**
 * Column-major batches of rows. Every column is a typed array (or an array of strings for text),
 * so a batch of a million vectors is a handful of allocations, not a million objects.
 */
import type { CollectionSchema } from './schema.js';
import { MilvusdmError } from './errors.js';

/** A sparse vector row: ascending indices and their values. */
export interface SparseRow {
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

interface Nullable {
  /** Present only for nullable fields: byte i is 1 when row i has a value. */
  readonly valid?: Uint8Array;
}

export type Column = Nullable &
  (
    | { readonly type: 'bool'; readonly values: Uint8Array }
    | { readonly type: 'int8'; readonly values: Int8Array }
    | { readonly type: 'int16'; readonly values: Int16Array }
    | { readonly type: 'int32'; readonly values: Int32Array }
    /** int64 stays a BigInt64Array end to end: ids above 2^53 must not pass through a JS number. */
    | { readonly type: 'int64'; readonly values: BigInt64Array }
    | { readonly type: 'float'; readonly values: Float32Array }
    | { readonly type: 'double'; readonly values: Float64Array }
    | { readonly type: 'varchar'; readonly values: readonly string[] }
    /** JSON documents as their text, exactly as the source stored them. */
    | { readonly type: 'json'; readonly values: readonly string[] }
    | { readonly type: 'array'; readonly values: readonly (readonly unknown[])[] }
    /** Row-major, numRows * dim floats. */
    | { readonly type: 'float_vector'; readonly dim: number; readonly values: Float32Array }
    /** Row-major, numRows * dim / 8 bytes; dim counts bits. */
    | { readonly type: 'binary_vector'; readonly dim: number; readonly values: Uint8Array }
    /** Raw IEEE half / bfloat16 bit patterns, row-major. */
    | { readonly type: 'float16_vector' | 'bfloat16_vector'; readonly dim: number; readonly values: Uint16Array }
    | { readonly type: 'int8_vector'; readonly dim: number; readonly values: Int8Array }
    | { readonly type: 'sparse_float_vector'; readonly values: readonly SparseRow[] }
  );

export interface ColumnBatch {
  readonly numRows: number;
  /** Keyed by field name, in schema order. */
  readonly columns: ReadonlyMap<string, Column>;
  /**
   * Where reading may resume once this batch is safely written: an opaque, JSON-serialisable
   * position owned by the reader that produced it.
   */
  readonly cursor?: unknown;
}

/** Number of elements per row a column stores in its flat `values`. */
export function elementsPerRow(column: Column): number {
  switch (column.type) {
    case 'float_vector':
    case 'float16_vector':
    case 'bfloat16_vector':
    case 'int8_vector':
      return column.dim;
    case 'binary_vector':
      return column.dim / 8;
    default:
      return 1;
  }
}

/** Rows a column holds, from its length. */
export function columnRows(column: Column): number {
  return column.values.length / elementsPerRow(column);
}

/** Approximate bytes a column occupies on the wire; used to size insert requests. */
export function columnBytes(column: Column): number {
  switch (column.type) {
    case 'varchar':
    case 'json': {
      let n = 0;
      // UTF-8 can take up to 3 bytes per UTF-16 unit; the estimate only needs to be an upper bound.
      for (const s of column.values) n += s.length * 3 + 4;
      return n;
    }
    case 'array': {
      let n = 0;
      for (const row of column.values) n += JSON.stringify(row, bigintReplacer).length + 8;
      return n;
    }
    case 'sparse_float_vector': {
      let n = 0;
      for (const row of column.values) n += row.indices.length * 8 + 8;
      return n;
    }
    default:
      return column.values.byteLength + (column.valid?.length ?? 0);
  }
}

export function batchBytes(batch: ColumnBatch): number {
  let n = 0;
  for (const column of batch.columns.values()) n += columnBytes(column);
  return n;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Rows [start, end) of a column, sharing memory with it where the type allows. */
export function sliceColumn(column: Column, start: number, end: number): Column {
  const per = elementsPerRow(column);
  const valid = column.valid?.subarray(start, end);
  const extra = valid ? { valid } : {};
  switch (column.type) {
    case 'varchar':
    case 'json':
    case 'array':
    case 'sparse_float_vector':
      return { ...column, ...extra, values: column.values.slice(start, end) } as Column;
    default:
      return { ...column, ...extra, values: column.values.subarray(start * per, end * per) } as Column;
  }
}

/** Rows [start, end) of a batch. The cursor is kept only on the slice that ends the batch. */
export function sliceBatch(batch: ColumnBatch, start: number, end: number): ColumnBatch {
  const columns = new Map<string, Column>();
  for (const [name, column] of batch.columns) columns.set(name, sliceColumn(column, start, end));
  const last = end >= batch.numRows;
  return last && batch.cursor !== undefined ? { numRows: end - start, columns, cursor: batch.cursor } : { numRows: end - start, columns };
}

/**
 * Checks that a batch matches the schema a reader announced: every non-auto field present,
 * vector widths right, every column the same length. A reader bug stops the run here rather
 * than writing misaligned rows.
 */
export function checkBatch(schema: CollectionSchema, batch: ColumnBatch, origin: string): void {
  for (const field of schema.fields) {
    if (field.autoId) continue;
    const column = batch.columns.get(field.name);
    if (!column) {
      throw new MilvusdmError('MDM_BATCH_INVALID', `${origin}: batch has no column for field "${field.name}"`);
    }
    if (column.type !== field.type) {
      throw new MilvusdmError('MDM_BATCH_INVALID', `${origin}: column "${field.name}" is ${column.type}, the schema says ${field.type}`);
    }
    if ('dim' in column && field.dim !== undefined && column.dim !== field.dim) {
      throw new MilvusdmError(
        'MDM_BATCH_INVALID',
        `${origin}: column "${field.name}" has dimension ${column.dim}, the schema says ${field.dim}`,
      );
    }
    const rows = columnRows(column);
    if (rows !== batch.numRows) {
      throw new MilvusdmError('MDM_BATCH_INVALID', `${origin}: column "${field.name}" has ${rows} rows, the batch has ${batch.numRows}`);
    }
  }
}
