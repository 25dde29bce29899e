/**
 * Keeps chosen rows of a batch: the validation stage drops invalid, duplicate or already-present
 * rows without the writer knowing. Rows keep their order; the cursor stays with the batch, since
 * a resume position means "everything up to here was handled", dropped rows included.
 */
import { elementsPerRow, type Column, type ColumnBatch } from '../batch.js';

function pickTyped<T extends { length: number; set(a: ArrayLike<number | bigint>, o?: number): void; subarray(s: number, e: number): T }>(
  values: T,
  make: (n: number) => T,
  per: number,
  rows: Uint32Array,
): T {
  const out = make(rows.length * per);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(values.subarray(r * per, r * per + per) as unknown as ArrayLike<number>, i * per);
  }
  return out;
}

/**
 * The column's rows at the indices `rows`, in that order: any order, repeats allowed (the Milvus
 * reader sorts rows by key with it, and repeats a row its server counts twice).
 */
export function selectColumn(column: Column, rows: Uint32Array): Column {
  const valid = column.valid ? pickTyped(column.valid, (n) => new Uint8Array(n), 1, rows) : undefined;
  const extra = valid ? { valid } : {};
  switch (column.type) {
    case 'varchar':
    case 'json':
    case 'array':
    case 'sparse_float_vector': {
      const values = Array.from(rows, (r) => column.values[r]!);
      return { ...column, ...extra, values } as Column;
    }
    default: {
      const per = elementsPerRow(column);
      const src = column.values as unknown as Uint8Array;
      const Ctor = src.constructor as new (n: number) => Uint8Array;
      return { ...column, ...extra, values: pickTyped(src, (n) => new Ctor(n), per, rows) } as Column;
    }
  }
}

/** The batch restricted to `rows` (ascending row indices). */
export function selectRows(batch: ColumnBatch, rows: Uint32Array): ColumnBatch {
  if (rows.length === batch.numRows) return batch;
  const columns = new Map<string, Column>();
  for (const [name, column] of batch.columns) columns.set(name, selectColumn(column, rows));
  return batch.cursor !== undefined ? { numRows: rows.length, columns, cursor: batch.cursor } : { numRows: rows.length, columns };
}

/** Row indices whose flag is 0, i.e. the rows to keep. */
export function keptRows(drop: Uint8Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < drop.length; i++) if (!drop[i]) n++;
  const out = new Uint32Array(n);
  for (let i = 0, j = 0; i < drop.length; i++) if (!drop[i]) out[j++] = i;
  return out;
}
